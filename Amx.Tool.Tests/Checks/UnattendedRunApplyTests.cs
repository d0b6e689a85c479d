using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amx.Tool.Tests.Apply;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Checks;

/// <summary>
/// The cron form of run-apply through the real CLI: --unattended fills gaps only and ends with a json summary; a
/// second overlapping invocation exits 6 and does nothing; the lock dies with a killed process; exits 4 and 1 tell
/// partly done from nothing done; progress lines in logs carry counts and an ETA and no escape codes.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class UnattendedRunApplyTests(string backend)
{
    WarehouseWorld _w = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _w = await WarehouseWorld.CreateAsync(backend);

    [OneTimeTearDown]
    public async Task TearDown() => await _w.DisposeAsync();

    [SetUp]
    public void ResetLlm()
    {
        _w.Llm.Latency = TimeSpan.Zero;
        _w.Llm.LatencyFor = null;
        _w.Llm.Responder = FakeLlmServer.ValidAnswer;
    }

    [Test]
    public async Task Unattended_fills_only_the_gaps_and_prints_a_summary_with_per_schema_counts()
    {
        var amx = _w.Cli();
        await _w.CreateTableAsync("un_customer", ["name", "email"]);
        const string human = "Written by a person; must stay.";
        await _w.SetColumnCommentAsync("un_customer", "email", human);
        var scope = $"{_w.Schema}.un_customer";

        var r = amx.Run("run-apply", scope, "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = WarehouseWorld.Json(r);
        Assert.That(json.GetProperty("run_id").GetString(), Does.Match(@"^run_\d{4}-\d\d-\d\d_\d\d-\d\d-\d{3}$"));
        Assert.That(Ints(json, "drafted", "accepted", "applied", "conflicts", "failed", "skipped"), Is.EqualTo(new[] { 3, 3, 3, 0, 0, 1 }));
        Assert.That(json.GetProperty("duration_seconds").GetDouble(), Is.GreaterThan(0));
        Assert.That(json.GetProperty("exit_code").GetInt32(), Is.Zero);
        var schema = json.GetProperty("schemas").EnumerateArray().Single();
        Assert.That(schema.GetProperty("schema").GetString(), Is.EqualTo(_w.Schema));
        Assert.That(Ints(schema, "drafted", "accepted", "applied", "conflicts", "failed"), Is.EqualTo(new[] { 3, 3, 3, 0, 0 }));

        var live = await _w.LiveCommentsAsync("un_customer");
        Assert.That(live[$"{scope}.email"], Is.EqualTo(human), "--unattended never redrafts a described target");
        Assert.That(live[$"{scope}.name"], Is.EqualTo($"Drafted description of name."));
        Assert.That(_w.Llm.Requests.SelectMany(q => q.Targets()).Select(t => t.Name), Does.Not.Contain("email"));

        // The next quarter: nothing left to do is success, not failure.
        var again = amx.Run("run-apply", scope, "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(Ints(WarehouseWorld.Json(again), "drafted", "applied", "failed", "skipped"), Is.EqualTo(new[] { 0, 0, 0, 4 }));
    }

    /// <summary>With nothing accepted there is nothing to apply: the drafts stay for a review, nothing is written.</summary>
    [Test]
    public async Task Accept_none_drafts_writes_nothing_and_leaves_the_run_for_review()
    {
        var amx = _w.Cli();
        await _w.CreateTableAsync("un_none", ["code"]);
        var scope = $"{_w.Schema}.un_none";
        var r = amx.Run("run-apply", scope, "--llm-profile", "fake", "--accept", "none", "--yes", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stderr, Does.Contain("accepted 0; nothing to apply. Review first: amx review run_"));
        var json = WarehouseWorld.Json(r);
        Assert.That(Ints(json, "drafted", "accepted", "applied", "conflicts", "failed"), Is.EqualTo(new[] { 3, 0, 0, 0, 0 }), "the table and its two columns");
        Assert.That(json.GetProperty("state").GetString(), Is.EqualTo("drafted"));
        Assert.That((await _w.LiveCommentsAsync("un_none")).Values, Is.All.Null.Or.Empty, "nothing written");

        // The run is a normal one: reviewed and applied later, as the hint says.
        var runId = json.GetProperty("run_id").GetString()!;
        Assert.That(amx.Run("review", runId, "--accept", "all").ExitCode, Is.Zero);
        var applied = amx.Run("apply", runId, "--yes", "--output", "json");
        Assert.That(WarehouseWorld.Json(applied).GetProperty("applied").GetInt32(), Is.EqualTo(3), applied.ToString());
    }

    [Test]
    public async Task Some_targets_failing_is_exit_4_and_all_failing_is_exit_1()
    {
        var amx = _w.Cli();
        await _w.CreateTableAsync("un_good", ["a"]);
        await _w.CreateTableAsync("un_bad", ["b"]);
        _w.Llm.Responder = q => TableOf(q).EndsWith(".un_bad") ? FakeReply.Answer("Sure! {not json") : FakeLlmServer.ValidAnswer(q);

        var partly = amx.Run("run-apply", _w.Schema, "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
        Assert.That(partly.ExitCode, Is.EqualTo(4), partly.ToString());
        var json = WarehouseWorld.Json(partly);
        Assert.That(json.GetProperty("failed").GetInt32(), Is.EqualTo(3), "un_bad and its two columns");
        Assert.That(json.GetProperty("applied").GetInt32(), Is.GreaterThanOrEqualTo(3));
        Assert.That(json.GetProperty("exit_code").GetInt32(), Is.EqualTo(4));

        _w.Llm.Responder = _ => FakeReply.Answer("Sure! {not json");
        await _w.CreateTableAsync("un_worse", ["c"]);
        var nothing = amx.Run("run-apply", $"{_w.Schema}.un_worse", "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
        Assert.That(nothing.ExitCode, Is.EqualTo(1), nothing.ToString());
        // Nothing drafted: the run is failed with its cause (docs/runs.md), one error line, no summary to apply from.
        // A run that takes 5 s or more (a loaded machine) may print progress lines first; nothing else comes before the error.
        var lines = nothing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipWhile(l => l.StartsWith("drafting: ")).ToList();
        Assert.That(lines[0], Does.StartWith("error: run ").And.Contain("no target was drafted"), nothing.ToString());
        Assert.That(lines.Count(l => l.StartsWith("error:")), Is.EqualTo(1), nothing.ToString());
        Assert.That((await _w.LiveCommentsAsync("un_worse")).Values, Is.All.Null, "nothing written");
    }

    [TestCase(false, TestName = "{m}(shared store)")]
    [TestCase(true, TestName = "{m}(local store)")]
    public async Task An_overlapping_run_apply_exits_6_and_a_killed_holder_frees_the_lock(bool localStore)
    {
        var amx = _w.Cli(localStore: localStore);
        var table = "un_lock" + (localStore ? "_local" : "");
        await _w.CreateTableAsync(table, ["a", "b", "c", "d"]);
        var scope = $"{_w.Schema}.{table}";
        var before = _w.Llm.Requests.Count;
        _w.Llm.Latency = TimeSpan.FromSeconds(30);

        var first = ApplyTestKit.Start(amx, "run-apply", scope, "--unattended", "--llm-profile", "fake", "--accept", "all", "--batch-size", "1", "--concurrency", "1");
        try
        {
            await ApplyTestKit.WaitUntilAsync(() => Task.FromResult(_w.Llm.Requests.Count > before || first.Process.HasExited), "the first run-apply is drafting");
            Assert.That(first.Process.HasExited, Is.False, "the first run-apply must still be running");

            var second = amx.Run("run-apply", scope, "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
            Assert.That(second.ExitCode, Is.EqualTo(6), second.ToString());
            Assert.That(second.Stderr, Does.StartWith("error: another amx run-apply against"));
            Assert.That(second.Stderr, Does.Contain("this one did nothing").And.Contain("hint:"));
            Assert.That(second.Stdout, Is.Empty);
            var runs = WarehouseWorld.Json(WarehouseWorld.Ok(amx.Run("history", "list", "--output", "json")));
            Assert.That(runs.EnumerateArray().Count(run => run.GetProperty("scope").GetString() == scope), Is.EqualTo(1), "the refused invocation recorded no run");
        }
        finally
        {
            first.Process.Kill(entireProcessTree: true); // SIGKILL: no chance to release anything itself
            await first.Process.WaitForExitAsync();
        }

        _w.Llm.Latency = TimeSpan.Zero;
        var third = amx.Run("run-apply", scope, "--unattended", "--llm-profile", "fake", "--accept", "all", "--output", "json");
        Assert.That(third.ExitCode, Is.Zero, "the lock died with the killed process\n" + third);
        Assert.That(WarehouseWorld.Json(third).GetProperty("applied").GetInt32(), Is.EqualTo(6), "table + 5 columns");
    }

    [Test]
    public async Task Progress_in_a_log_is_plain_lines_with_counts_elapsed_and_eta()
    {
        var amx = _w.Cli();
        amx.Env["AMX_PROGRESS_INTERVAL"] = "1";
        await _w.CreateTableAsync("un_progress", ["a", "b", "c"]);
        _w.Llm.Latency = TimeSpan.FromMilliseconds(1600);

        var r = amx.Run("run-apply", $"{_w.Schema}.un_progress", "--unattended", "--llm-profile", "fake", "--accept", "all",
            "--batch-size", "1", "--concurrency", "1");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stderr + r.Stdout, Does.Not.Contain("\u001b"), "no escape codes in logs");
        var lines = r.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var counted = lines.Where(l => Regex.IsMatch(l, @"^drafting: \d/5 \(\d+%\), \d+s elapsed, ETA (\d+s|\d+m\d\ds|unknown)$")).ToList();
        Assert.That(counted, Has.Count.GreaterThanOrEqualTo(2), r.Stderr);
        Assert.That(counted.Last(), Does.StartWith("drafting: 5/5 (100%)").And.EndWith("ETA 0s"));
        Assert.That(lines.Any(l => l.StartsWith("drafting: starting, ")), Is.True, "a line while nothing has finished yet:\n" + r.Stderr);
        Assert.That(lines.Any(l => Regex.IsMatch(l, @"^applying: 5/5 \(100%\), ")), Is.True, r.Stderr);
    }

    static int[] Ints(JsonElement e, params string[] names) => names.Select(n => e.GetProperty(n).GetInt32()).ToArray();

    static string TableOf(FakeRequest request)
    {
        var text = request.UserTexts()[0];
        return JsonNode.Parse(text[text.IndexOf('{')..])!["table"]!["name"]!.GetValue<string>();
    }
}
