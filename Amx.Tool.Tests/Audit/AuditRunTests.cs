using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amx.Tool.Tests.Drafting;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Audit;

/// <summary>
/// Issue 14 through the real tool against a shared store on PostgreSQL: resume keeps its llm profile, empty scopes,
/// review files of another run, a hung LLM endpoint, teammate notes. Rows are checked with PostgreSQL's own client.
/// </summary>
[TestFixture]
public sealed class AuditRunTests
{
    DraftingWorld world = null!;
    string storeDb = null!;

    [SetUp]
    public async Task Create()
    {
        world = await DraftingWorld.CreateAsync();
        storeDb = await world.Pg.CreateDatabaseAsync("audit_store");
    }

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    AmxCli SharedCli(string user)
    {
        var amx = world.Cli(user);
        DraftingWorld.EnableSharedStore(amx, world.Pg, storeDb);
        return amx;
    }

    Task<T?> Sql<T>(string sql) => world.Pg.ScalarAsync<T>(sql, storeDb);

    static string RunIdOf(AmxCli.Result r) => DraftingWorld.Json(r).GetProperty("run_id").GetString()!;

    [Test]
    public async Task Resume_continues_with_the_runs_own_llm_profile_refuses_when_it_is_gone_and_records_a_deliberate_switch()
    {
        var amx = SharedCli("alice");
        // orders fails (a 400 is neither retried nor run-wide): the run ends drafted with failures, resumable.
        world.Llm.Responder = req => DraftingWorld.TableOf(req) == "sales.orders"
            ? FakeReply.Error(400, "refused for this test")
            : FakeLlmServer.ValidAnswer(req);
        var first = amx.Run("run", "sales", "--output", "json");
        Assert.That(first.ExitCode, Is.EqualTo(4), first.ToString());
        var runId = RunIdOf(first);

        // Another profile becomes active; the resume must still draft with 'fake'.
        DraftingWorld.Check(amx, "add-llm-profile", "offline", "--provider", "offline", "--activate");
        var before = world.Llm.Requests.Count;
        var again = amx.Run("run", "--resume", runId, "--output", "json");
        Assert.That(again.ExitCode, Is.EqualTo(4), again.ToString());
        Assert.That(world.Llm.Requests.Count, Is.GreaterThan(before), "the failed targets went to the run's own endpoint");
        Assert.That(await Sql<string>($"SELECT llm_provider || ' ' || llm_model FROM amx.amx_history_runs WHERE run_id = '{runId}'"),
            Is.EqualTo("openai fake-model"));
        Assert.That(await Sql<string>($"SELECT metadata_json::json->>'llm_profile' FROM amx.amx_history_runs WHERE run_id = '{runId}'"), Is.EqualTo("fake"));

        // The run's profile is gone: refused, nothing changed.
        DraftingWorld.Check(amx, "llm-profiles", "remove", "fake");
        var gone = amx.Run("run", "--resume", runId);
        Assert.That(gone.ExitCode, Is.EqualTo(2), gone.ToString());
        Assert.That(gone.Stderr, Does.StartWith("error: run " + runId + " was drafted with llm profile 'fake' (openai fake-model)"));
        Assert.That(gone.Stderr, Does.Contain("hint: ").And.Contain("--llm-profile NAME"));
        Assert.That(await Sql<string>($"SELECT state FROM amx.amx_history_runs WHERE run_id = '{runId}'"), Is.EqualTo("drafted"));

        // A deliberate switch: the run keeps its record; the new results name the profile that drafted them.
        var switched = amx.Run("run", "--resume", runId, "--llm-profile", "offline", "--output", "json");
        Assert.That(switched.ExitCode, Is.Zero, switched.ToString());
        Assert.That(switched.Stderr, Does.Contain("switching run " + runId + " from llm profile 'fake' to 'offline'"));
        Assert.Multiple(async () =>
        {
            Assert.That(await Sql<string>($"SELECT llm_provider || ' ' || llm_model || ' ' || state FROM amx.amx_history_runs WHERE run_id = '{runId}'"),
                Is.EqualTo("openai fake-model drafted"));
            Assert.That(await Sql<string>($"SELECT metadata_json::json->>'llm_switches' FROM amx.amx_history_runs WHERE run_id = '{runId}'"),
                Is.EqualTo("[\"offline\"]"));
            Assert.That(await Sql<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{runId}' AND " +
                    "metadata_json::json->>'llm_profile' = 'offline' AND metadata_json::json->>'switched_from' = 'fake'"),
                Is.EqualTo(4), "the four orders targets were drafted offline and say so");
            Assert.That(await Sql<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{runId}' AND metadata_json IS NULL AND description IS NOT NULL"),
                Is.EqualTo(5), "the customer targets drafted by 'fake' carry no switch marker");
        });
        var show = amx.Run("history", "show", runId);
        Assert.That(show.Stdout, Does.Contain("resumed with another llm profile: offline"));
    }

    [Test]
    public async Task An_empty_scope_is_refused_and_records_nothing()
    {
        var amx = SharedCli("alice");
        foreach (var args in new[] { new[] { "run", "" }, ["run", "   "], ["run-apply", "", "--yes"] })
        {
            var r = amx.Run(args);
            Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
            Assert.That(r.Stderr, Does.StartWith("error: the scope is empty"));
            Assert.That(r.Stderr, Does.Contain("hint: "));
        }
        Assert.That(await Sql<long>("SELECT count(*) FROM amx.amx_history_runs"), Is.Zero, "no run was started");
        Assert.That(world.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task A_review_file_only_decides_the_run_it_came_from_and_flags_win_over_the_file()
    {
        var amx = SharedCli("alice");
        var a = RunIdOf(DraftingWorld.Check(amx, "run", "sales", "--output", "json"));
        var b = RunIdOf(DraftingWorld.Check(amx, "run", "sales", "--output", "json"));

        foreach (var ext in new[] { "yml", "csv" })
        {
            var file = Path.Combine(amx.Home, "a." + ext);
            DraftingWorld.Check(amx, "review", a, "--export", file);
            File.WriteAllText(file, File.ReadAllText(file).Replace("pending", "rejected"));
            var wrong = amx.Run("review", b, "--from-file", file);
            Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());
            Assert.That(wrong.Stderr, Does.StartWith($"error: review file {file} was exported from run {a}, not {b}"));
        }
        Assert.That(await Sql<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{b}' AND decision <> 'pending'"), Is.Zero);

        // A file that does not say its run is refused too.
        var bare = Path.Combine(amx.Home, "bare.csv");
        File.WriteAllText(bare, "target,decision,text\nsales.orders,rejected,\n");
        var noRun = amx.Run("review", a, "--from-file", bare);
        Assert.That(noRun.ExitCode, Is.EqualTo(2), noRun.ToString());
        Assert.That(noRun.Stderr, Does.Contain("does not say which run"));

        // The file accepts everything; --reject names one target and wins for it.
        var yml = Path.Combine(amx.Home, "a2.yml");
        DraftingWorld.Check(amx, "review", a, "--export", yml);
        File.WriteAllText(yml, File.ReadAllText(yml).Replace("decision: pending", "decision: accepted"));
        DraftingWorld.Check(amx, "review", a, "--from-file", yml, "--reject", "sales.orders");
        Assert.That(await Sql<string>($"SELECT decision FROM amx.amx_history_results WHERE run_id = '{a}' AND target_qname = 'sales.orders'"), Is.EqualTo("rejected"));
        Assert.That(await Sql<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{a}' AND decision = 'accepted'"),
            Is.EqualTo(DraftingWorld.SalesTargets - 1));

        var both = amx.Run("review", a, "--export", yml, "--accept", "all");
        Assert.That(both.ExitCode, Is.EqualTo(2), both.ToString());
        Assert.That(both.Stderr, Does.Contain("cannot be combined"));
    }

    [Test]
    public async Task A_hung_llm_endpoint_fails_the_run_quickly_with_the_cause()
    {
        // Accepts connections and never says a word.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try { while (true) held.Add(await listener.AcceptTcpClientAsync(stop.Token)); }
            catch (OperationCanceledException) { }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var amx = SharedCli("alice");
        DraftingWorld.Check(amx, "add-llm-profile", "hung", "--provider", "openai", "--model", "m", "--base-url", $"http://127.0.0.1:{port}/v1",
            "--api-key-env", DraftingWorld.KeyVar);

        var clock = Stopwatch.StartNew();
        var r = amx.Run("run", "sales", "--llm-profile", "hung", "--timeout", "1", "--total-timeout", "10", "--connect-timeout", "2");
        clock.Stop();
        await stop.CancelAsync();
        await accepting;
        foreach (var c in held) c.Dispose();

        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "gives up within the limits it was given");
        var errorLine = r.Stderr.Split('\n').Single(l => l.StartsWith("error: "));
        Assert.That(errorLine, Does.Contain("did not answer").And.Contain("no answer within 1 s (2 attempts)"));
        Assert.That(r.Stderr, Does.Contain("hint: "));
        Assert.That(r.Stdout, Does.Not.Contain("Review:"), "nothing to review");
        Assert.That(await Sql<string>("SELECT state FROM amx.amx_history_runs"), Is.EqualTo("failed"));
        Assert.That(await Sql<string>("SELECT metadata_json::json->>'error' FROM amx.amx_history_runs"), Does.Contain("did not answer"));
        Assert.That(await Sql<long>("SELECT count(*) FROM amx.amx_history_results WHERE description IS NOT NULL"), Is.Zero);
    }

    [Test]
    public async Task Teammates_earlier_runs_are_summarised_in_one_note()
    {
        var bob = SharedCli("bob");
        var carol = SharedCli("carol");
        for (var i = 0; i < 3; i++) DraftingWorld.Check(bob, "run", "sales");
        var latest = RunIdOf(DraftingWorld.Check(carol, "run", "sales.orders", "--output", "json"));
        Assert.That(await Sql<long>("SELECT count(*) FROM amx.amx_history_runs"), Is.EqualTo(4));

        var alice = SharedCli("alice");
        var r = DraftingWorld.Check(alice, "run", "sales");
        var notes = r.Stderr.Split('\n').Where(l => l.StartsWith("note:")).ToList();
        Assert.That(notes, Has.Count.EqualTo(1), r.Stderr);
        Assert.That(notes[0], Does.Contain("4 runs (bob 3, carol 1)").And.Contain("latest " + latest));
        Assert.That(notes[0].Split("--missing-only").Length - 1, Is.EqualTo(1));

        var quiet = DraftingWorld.Check(alice, "run", "sales", "--missing-only");
        Assert.That(quiet.Stderr.Split('\n').Count(l => l.StartsWith("note:")), Is.EqualTo(1));
        Assert.That(quiet.Stderr, Does.Not.Contain("--missing-only skips"), "no hint to use the flag already given");
    }
}
