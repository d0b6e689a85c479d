using System.Diagnostics;
using System.Text.Json;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.HistoryRead;

/// <summary><c>amx history list</c> against a shared PostgreSQL store (docs/history-store.md, issue 7 item 1).</summary>
public class HistoryListTests
{
    // Per test, not per class: "5 minutes ago" must hold however long the earlier tests of a loaded machine took.
    DateTime Now;

    [SetUp]
    public void SetClock() => Now = DateTime.UtcNow;

    async Task<SeededStore> FourRunsAsync()
    {
        var s = await SeededStore.CreateAsync();
        await s.InsertRunAsync("run_a", "alice@acme.com", Now.AddDays(-3).AddMinutes(-5), "sales", "drafted", 10, 0, """{"tables":3}""");
        await s.InsertRunAsync("run_b", "bob@acme.com", Now.AddHours(-2).AddMinutes(-5), "catalog", "reviewed", 47, 0);
        await s.InsertRunAsync("run_c", "alice@acme.com", Now.AddMinutes(-5), "sales.customer", "applied", 18, 1, """{"tables":1}""",
            appliedBy: "alice@acme.com", appliedAt: Now.AddMinutes(-1));
        await s.InsertRunAsync("run_d", "bob@acme.com", Now.AddDays(-1).AddMinutes(-5), "salesforce", "failed", 0, 4);
        return s;
    }

    [Test]
    public async Task Table_is_newest_first_with_relative_when_and_scope_table_counts()
    {
        using var s = await FourRunsAsync();
        var r = Ok(s.Amx.Run("history", "list"));
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Match(@"^run_id\s+who\s+when\s+scope\s+ok\s+fail\s+state\s*$"));
        Assert.That(lines.Skip(1).Select(l => l.Split(' ')[0]), Is.EqualTo(new[] { "run_c", "run_b", "run_d", "run_a" }));
        Assert.That(lines[1], Does.Match(@"^run_c\s+alice@acme\.com\s+5 minutes ago\s+sales\.customer \(1 t\)\s+18\s+1\s+applied\s*$"));
        Assert.That(lines[2], Does.Match(@"^run_b\s+bob@acme\.com\s+2 hours ago\s+catalog\s+47\s+0\s+reviewed\s*$"));
        Assert.That(lines[3], Does.Contain("1 day ago"));
        Assert.That(lines[4], Does.Match(@"3 days ago\s+sales \(3 t\)\s+10\s+0"));
    }

    [Test]
    public async Task Json_has_the_documented_fields_with_absolute_utc_times_and_the_filters_work()
    {
        using var s = await FourRunsAsync();
        var runs = Json(s.Amx.Run("history", "list", "--output", "json")).EnumerateArray().ToList();
        Assert.That(runs.Select(r => r.GetProperty("run_id").GetString()), Is.EqualTo(new[] { "run_c", "run_b", "run_d", "run_a" }));
        var c = runs[0];
        foreach (var field in new[] { "run_id", "who", "started_at", "scope", "state", "ok", "fail" })
            Assert.That(c.TryGetProperty(field, out _), Is.True, field);
        Assert.That(c.GetProperty("started_at").GetString(), Is.EqualTo(Now.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")));
        Assert.That(c.GetProperty("scope").GetString(), Is.EqualTo("sales.customer"));
        Assert.That(c.GetProperty("state").GetString(), Is.EqualTo("applied"));
        Assert.That(c.GetProperty("ok").GetInt32(), Is.EqualTo(18));
        Assert.That(c.GetProperty("fail").GetInt32(), Is.EqualTo(1));
        Assert.That(c.GetProperty("who").GetString(), Is.EqualTo("alice@acme.com"));

        Assert.That(Ids(s, "-n", "2"), Is.EqualTo(new[] { "run_c", "run_b" }));
        Assert.That(Ids(s, "--who", "bob@acme.com"), Is.EqualTo(new[] { "run_b", "run_d" }));
        Assert.That(Ids(s, "--scope", "sales"), Is.EqualTo(new[] { "run_c", "run_a" }), "sales and what is inside it, not salesforce");
        Assert.That(Ids(s, "--scope", "sales.customer"), Is.EqualTo(new[] { "run_c" }));
        Assert.That(Ids(s, "--state", "applied"), Is.EqualTo(new[] { "run_c" }));
        Assert.That(Ids(s, "--state", "FAILED"), Is.EqualTo(new[] { "run_d" }));
        Assert.That(Ids(s, "--who", "carol"), Is.Empty);

        var bad = s.Amx.Run("history", "list", "-n", "0");
        Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
        var badState = s.Amx.Run("history", "list", "--state", "finished");
        Assert.That(badState.ExitCode, Is.EqualTo(2), badState.ToString());
        Assert.That(badState.Stderr, Does.Contain("running, drafted, reviewed, applied, failed"));
    }

    [Test]
    public async Task A_running_run_whose_process_is_gone_shows_as_failed_interrupted_and_a_live_one_stays_running()
    {
        using var s = await SeededStore.CreateAsync();
        var host = Environment.MachineName;
        var dead = DeadPid();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var fresh = DateTime.UtcNow.ToString("O");
            // Same host, process gone.
            await s.InsertRunAsync("run_dead", "alice@acme.com", Now.AddMinutes(-3), "sales", "running", 2, 0,
                $$"""{"pid":{{dead}},"pid_host":"{{host}}","heartbeat_at":"{{fresh}}","tables":2}""");
            // Same host, process alive; the run started long before this process (a resumed run).
            await s.InsertRunAsync("run_resumed", "alice@acme.com", Now.AddHours(-1), "sales", "running", 2, 0,
                $$"""{"pid":{{sleeper.Id}},"pid_host":"{{host}}","heartbeat_at":"{{fresh}}"}""");
            // Another host: alive while its heartbeat is fresh, dead when it is stale.
            await s.InsertRunAsync("run_remote_live", "bob@acme.com", Now.AddMinutes(-20), "sales", "running", 0, 0,
                $$"""{"pid":1,"pid_host":"elsewhere","heartbeat_at":"{{fresh}}"}""");
            await s.InsertRunAsync("run_remote_stale", "bob@acme.com", Now.AddMinutes(-30), "sales", "running", 0, 0,
                $$"""{"pid":1,"pid_host":"elsewhere","heartbeat_at":"{{DateTime.UtcNow.AddMinutes(-10):O}}"}""");

            var runs = Json(s.Amx.Run("history", "list", "--output", "json")).EnumerateArray()
                .ToDictionary(r => r.GetProperty("run_id").GetString()!, r => r);
            Assert.That(runs["run_dead"].GetProperty("state").GetString(), Is.EqualTo("failed"));
            Assert.That(runs["run_dead"].GetProperty("interrupted").GetBoolean(), Is.True);
            Assert.That(runs["run_remote_stale"].GetProperty("state").GetString(), Is.EqualTo("failed"));
            Assert.That(runs["run_resumed"].GetProperty("state").GetString(), Is.EqualTo("running"), "a live resumed run is not interrupted");
            Assert.That(runs["run_remote_live"].GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(await s.ScalarAsync<string>("SELECT state FROM amx.amx_history_runs WHERE run_id = 'run_dead'"), Is.EqualTo("failed"),
                "the store itself is corrected, so every machine sees it");

            var table = Ok(s.Amx.Run("history", "list")).Stdout;
            Assert.That(table, Does.Match(@"run_dead\s+alice@acme\.com\s+3 minutes ago\s+sales \(2 t\)\s+2\s+0\s+failed \(interrupted\)"));
            var show = Ok(s.Amx.Run("history", "show", "run_dead")).Stdout;
            Assert.That(show, Does.Contain("failed (interrupted)").And.Contain("amx run --resume run_dead"));
        }
        finally { sleeper.Kill(); }
    }

    [Test]
    public async Task Kill_9_of_amx_run_leaves_a_run_that_history_list_shows_as_failed_interrupted()
    {
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi) { Latency = TimeSpan.FromSeconds(60) };
        using var s = await SeededStore.CreateAsync(warehouseSql: "CREATE SCHEMA sales; CREATE TABLE sales.customer (c_id int PRIMARY KEY, c_email text);");
        s.Amx.Env["FAKE_KEY"] = "k";
        Ok(s.Amx.Run("add-llm-profile", "slow", "--provider", "openai", "--model", "m", "--api-key-env", "FAKE_KEY", "--base-url", llm.BaseUrl));
        using var run = s.Amx.Start("run", "sales", "--llm-profile", "slow", "--db-profile", "wh");
        var sw = Stopwatch.StartNew();
        while (await s.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_runs WHERE state = 'running'") == 0)
        {
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "amx run never started its run");
            Assert.That(run.HasExited, Is.False, () => run.StandardError.ReadToEnd());
            await Task.Delay(100);
        }
        run.Kill(); // SIGKILL: no cleanup of any kind
        await run.WaitForExitAsync();

        var runs = Json(s.Amx.Run("history", "list", "--output", "json")).EnumerateArray().ToList();
        Assert.That(runs, Has.Count.EqualTo(1));
        Assert.That(runs[0].GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(runs[0].GetProperty("interrupted").GetBoolean(), Is.True);
        Assert.That(runs[0].GetProperty("who").GetString(), Is.EqualTo("alice@acme.com"));
    }

    static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    static string?[] Ids(SeededStore s, params string[] args) =>
        Json(s.Amx.Run(["history", "list", "--output", "json", .. args])).EnumerateArray().Select(r => r.GetProperty("run_id").GetString()).ToArray();

    internal static AmxCli.Result Ok(AmxCli.Result r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return r;
    }

    internal static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement;
}
