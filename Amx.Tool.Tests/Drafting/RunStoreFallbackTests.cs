using System.Diagnostics;
using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Tests.Drafting;

/// <summary>The shared store goes away mid-run: the drafts are kept in the local file, and <c>migrate</c> pushes them.</summary>
[TestFixture]
public sealed class RunStoreFallbackTests
{
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync();

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    [Test]
    public async Task Store_gone_mid_run_keeps_drafts_locally_and_migrate_completes_the_shared_run()
    {
        var total = await world.AddSchemaAsync("big", tables: 6, columns: 5);
        var member = "draft_member_" + Guid.NewGuid().ToString("N")[..8];
        const string memberPw = "member-pw-1";
        var storeDb = await world.Pg.CreateDatabaseAsync("draft_store");
        await world.Pg.ExecuteAsync($"CREATE ROLE {member} LOGIN PASSWORD '{memberPw}'; ALTER DATABASE {storeDb} OWNER TO {member};");
        var amx = world.Cli("dana");
        DraftingWorld.EnableSharedStore(amx, world.Pg, storeDb, member, memberPw);
        var shared = await amx.OpenHistoryAsync();
        world.Llm.Latency = TimeSpan.FromMilliseconds(200);

        using var p = amx.Start("run", "big", "--concurrency", "1", "--batch-size", "2", "--output", "json");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        long committed = 0;
        while (committed < 6 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            committed = await world.Pg.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_results", storeDb);
        }
        // The store goes away for this member: no new logins, current sessions cut.
        await world.Pg.ExecuteAsync($"ALTER ROLE {member} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{member}';");
        Assert.That(p.WaitForExit(TimeSpan.FromMinutes(2)), Is.True);
        p.WaitForExit();
        var run = new AmxCli.Result(p.ExitCode, await stdout, await stderr);
        await world.Pg.ExecuteAsync($"ALTER ROLE {member} LOGIN;");
        // This test process's pooled member sessions were cut too (EF's pool and the store's plain-SQL data sources).
        Npgsql.NpgsqlConnection.ClearAllPools();
        Amx.Data.Connections.NpgsqlWithoutTypeLoading.ClearPools();

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stderr, Does.Contain("warning: the shared history store stayed unreachable"));
        Assert.That(run.Stderr, Does.Contain("amx history-store migrate"));
        var json = DraftingWorld.Json(run);
        var runId = json.GetProperty("run_id").GetString()!;
        Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(total), "the summary counts every drafted target");
        Assert.That(json.GetProperty("note").GetString(), Does.Contain("history-store migrate"));

        long inShared = await world.Pg.ScalarAsync<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{runId}'", storeDb);
        var local = await amx.OpenLocalHistoryAsync();
        var inLocal = (await local.GetResultsAsync(runId)).Count;
        Assert.That(inShared, Is.GreaterThanOrEqualTo(6).And.LessThan(total));
        Assert.That(inShared + inLocal, Is.GreaterThanOrEqualTo(total), "nothing lost: what the shared store lacks is in the local file");
        Assert.That((await DraftingWorld.RunRow(local, runId)).State, Is.EqualTo(RunStates.Drafted));

        // Before migrate, the shared store shows the run as interrupted.
        var list = amx.Run("history", "list", "--output", "json");
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        var listed = DraftingWorld.Json(list).EnumerateArray().Single(e => e.GetProperty("run_id").GetString() == runId);
        Assert.That(listed.GetProperty("state").GetString(), Is.EqualTo("failed"));
        // …but show, on the machine that holds the drafts, says where they are and how to push them (issue 14 item 5).
        var show = amx.Run("history", "show", runId);
        Assert.That(show.ExitCode, Is.Zero, show.ToString());
        Assert.That(show.Stdout, Does.Contain("drafted in the local history file, not yet in the shared store"));
        Assert.That(show.Stdout, Does.Contain(amx.Home).And.Contain("amx history-store migrate"));
        Assert.That(show.Stdout, Does.Not.Contain("resume with amx run --resume"));
        var showJson = DraftingWorld.Json(amx.Run("history", "show", runId, "--output", "json"));
        Assert.That(showJson.GetProperty("local_copy").GetProperty("state").GetString(), Is.EqualTo("drafted"));

        var migrate = amx.Run("history-store", "migrate", "--output", "json");
        Assert.That(migrate.ExitCode, Is.Zero, migrate.ToString());
        var m = DraftingWorld.Json(migrate);
        Assert.That(m.GetProperty("results_copied").GetInt32(), Is.EqualTo(total - inShared));
        Assert.That(m.GetProperty("runs_completed").GetInt32(), Is.EqualTo(1));

        var row = await DraftingWorld.RunRow(shared, runId);
        Assert.That((row.State, row.OkCount, row.FailCount), Is.EqualTo((RunStates.Drafted, total, 0)));
        Assert.That(DraftingWorld.Meta(row).ContainsKey("interrupted"), Is.False);
        var results = await shared.GetResultsAsync(runId);
        Assert.That(results.Select(r => r.TargetQname).Distinct().Count(), Is.EqualTo(total));
        Assert.That(results.Select(r => r.Description), Is.All.Not.Null);

        var again = amx.Run("history-store", "migrate", "--output", "json");
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(DraftingWorld.Json(again).GetProperty("results_copied").GetInt32(), Is.Zero, "idempotent");
        Assert.That(DraftingWorld.Json(again).GetProperty("runs_completed").GetInt32(), Is.Zero);
    }
}
