using System.Data.Common;
using System.Text.Json;
using static Amx.Tool.Tests.Apply.ApplyTestKit;

namespace Amx.Tool.Tests.Apply;

/// <summary>
/// The team's safety guards under real concurrency (docs/safety-guards.md): many processes applying the same target, two
/// processes applying the same run, and an apply killed with SIGKILL half-way — on PostgreSQL and MariaDB.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class ApplyConcurrencyTests(string backend)
{
    WarehouseWorld _wh = null!;
    AmxCli _amx = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _wh = await WarehouseWorld.CreateAsync(backend);
        _amx = _wh.NewCli("alice");
    }

    [OneTimeTearDown]
    public void TearDown() => _amx?.Dispose();

    [Test]
    public async Task Eight_runs_of_one_column_applied_at_once_one_wins_seven_conflict_every_round()
    {
        // Each round forces the worst interleaving instead of hoping for it: the test holds the column's target lock
        // (the one every apply takes before it reads the live comment) until all eight processes wait on it, then
        // lets them go. Four forced rounds prove what twenty unforced ones hoped to hit (docs/testing.md).
        const int rounds = 4;
        await _wh.CreateTableAsync("race", ["status_code"]);
        var template = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(_amx.Run("run", $"{_wh.Schema}.race.status_code")));
        var qname = $"{_wh.Schema}.race.status_code";
        Assert.That(await _wh.QueryAsync($"SELECT target_qname FROM {_wh.Results} WHERE run_id = '{template}'"), Has.Count.EqualTo(1),
            "a column scope drafts just that column");
        var users = Enumerable.Range(1, 8).Select(i => _wh.Teammate(_amx, $"user{i}")).ToList();
        try
        {
            for (var rep = 0; rep < rounds; rep++)
            {
                // Eight runs drafted against "no comment", each with its own text (copies of one drafted run).
                await _wh.SetColumnCommentAsync("race", "status_code", null);
                var runs = Enumerable.Range(0, 8).Select(i => $"run_2099-01-{rep + 1:00}_00-00-{i + 1:000}").ToList();
                await using (var conn = _wh.Open())
                {
                    await conn.OpenAsync();
                    for (var i = 0; i < 8; i++)
                    {
                        await Exec(conn, $"""
                            INSERT INTO {_wh.Runs} (run_id, who, host, client_version, started_at, finished_at, scope, db_profile, db_backend,
                                llm_provider, llm_model, state, ok_count, fail_count, metadata_json)
                            SELECT '{runs[i]}', 'user{i + 1}', host, client_version, started_at, finished_at, scope, db_profile, db_backend,
                                llm_provider, llm_model, 'reviewed', ok_count, fail_count, metadata_json FROM {_wh.Runs} WHERE run_id = '{template}'
                            """);
                        await Exec(conn, $"""
                            INSERT INTO {_wh.Results} (run_id, target_qname, target_kind, description, alternatives, confidence, previous_comment,
                                decision, reviewed_by, reviewed_at, applied)
                            SELECT '{runs[i]}', target_qname, target_kind, 'Status code, as user{i + 1} wrote it in round {rep}', alternatives, confidence, NULL,
                                'accepted', 'user{i + 1}', CURRENT_TIMESTAMP, FALSE FROM {_wh.Results} WHERE run_id = '{template}'
                            """);
                    }
                }

                Running[] racers;
                await using (var barrier = await TargetBarrier.HoldAsync(_wh, qname))
                {
                    racers = users.Select((u, i) => ApplyTestKit.Start(u, "apply", runs[i], "--yes")).ToArray();
                    await barrier.WaitForWaitersAsync(8, async () => string.Join("\n", await Task.WhenAll(racers.Where(r => r.Process.HasExited).Select(r => r.WaitAsync()))));
                }
                var outcomes = await Task.WhenAll(racers.Select(r => r.WaitAsync()));

                var report = $"round {rep}:\n" + string.Join("\n", outcomes.Select(o => o.ToString()));
                var winners = outcomes.Where(o => o.ExitCode == 0).ToList();
                Assert.That(winners, Has.Count.EqualTo(1), report);
                Assert.That(outcomes.Count(o => o.ExitCode == 3), Is.EqualTo(7), report);
                var winner = winners[0].User;
                var winnerText = $"Status code, as {winner} wrote it in round {rep}";
                foreach (var loser in outcomes.Where(o => o.ExitCode == 3))
                    Assert.That(loser.Stderr, Does.Match($"error: 1 conflict.*{winner} applied \"{winnerText}\" at .* UTC \\(run {runs[users.FindIndex(u => u.User == winner)]}\\)"),
                        "a conflict names who applied what, and when\n" + report);

                Assert.That((await _wh.LiveCommentsAsync("race"))[qname], Is.EqualTo(winnerText), report);
                var rows = await _wh.QueryAsync(
                    $"SELECT run_id, applied, apply_status, applied_by, description, error FROM {_wh.Results} WHERE run_id IN ({string.Join(", ", runs.Select(r => $"'{r}'"))})");
                Assert.That(rows, Has.Count.EqualTo(8), "no history row lost or duplicated\n" + report);
                Assert.That(rows.Select(r => (string)r[0]!).Distinct().Count(), Is.EqualTo(8));
                var applied = rows.Where(r => Convert.ToBoolean(r[1])).ToList();
                Assert.That(applied, Has.Count.EqualTo(1), report);
                Assert.That(applied[0][2], Is.EqualTo("applied"));
                Assert.That(applied[0][3], Is.EqualTo(winner));
                Assert.That(applied[0][4], Is.EqualTo(winnerText));
                Assert.That(rows.Where(r => !Convert.ToBoolean(r[1])).Select(r => r[2]), Is.All.EqualTo("conflict"), report);
                Assert.That(rows.Where(r => !Convert.ToBoolean(r[1])).Select(r => (string)r[5]!), Is.All.Contain(winner), report);
                var states = await _wh.QueryAsync($"SELECT run_id, state FROM {_wh.Runs} WHERE run_id IN ({string.Join(", ", runs.Select(r => $"'{r}'"))})");
                Assert.That(states.Count(s => (string)s[1]! == "applied"), Is.EqualTo(1), report);
            }
            Assert.That(Convert.ToInt64((await _wh.QueryAsync($"SELECT count(*) FROM {_wh.Results} WHERE target_qname = '{qname}'"))[0][0]),
                Is.EqualTo(1 + rounds * 8), "every run's row is there once");
        }
        finally
        {
            foreach (var u in users) GC.KeepAlive(u); // teammates share alice's home: nothing to delete
        }
    }

    [Test]
    public async Task The_same_run_applied_by_two_processes_at_once_one_applies_the_other_is_refused()
    {
        await _wh.CreateTableAsync("twice_a", Enumerable.Range(0, 30).Select(i => $"c{i:00}"));
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(_amx.Run("run", $"{_wh.Schema}.twice_a")));
        WarehouseWorld.Ok(_amx.Run("review", runId, "--accept", "all"));
        var total = Convert.ToInt32((await _wh.QueryAsync($"SELECT count(*) FROM {_wh.Results} WHERE run_id = '{runId}'"))[0][0]);

        // Hold the run's history rows so whichever process gets the run first stays in the middle of its apply.
        await using var holder = _wh.Open();
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
        await Exec(holder, $"SELECT run_id FROM {_wh.Results} WHERE run_id = '{runId}' FOR UPDATE", tx);

        var bob = _wh.Teammate(_amx, "bob");
        var carol = _wh.Teammate(_amx, "carol");
        var first = ApplyTestKit.Start(bob, "apply", runId, "--yes", "--output", "json");
        var second = ApplyTestKit.Start(carol, "apply", runId, "--yes", "--output", "json");
        // One of them is blocked on our lock holding the run; the other must be refused right away.
        var refused = await Task.WhenAny(first.WaitAsync(), second.WaitAsync());
        var loser = await refused;
        Assert.That(loser.ExitCode, Is.EqualTo(3), loser.ToString());
        Assert.That(loser.Stderr, Does.Contain("is being applied by another amx process"), loser.ToString());
        await tx.RollbackAsync();
        var winner = await (loser.User == "bob" ? second : first).WaitAsync();
        Assert.That(winner.ExitCode, Is.EqualTo(0), winner.ToString());
        using (var json = JsonDocument.Parse(winner.Stdout))
        {
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(total), winner.ToString());
            Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("applied"));
        }

        // Nothing applied twice: every row applied once, by the winner; applying again finds nothing left.
        var rows = await _wh.QueryAsync($"SELECT applied, applied_by, description, target_qname FROM {_wh.Results} WHERE run_id = '{runId}'");
        Assert.That(rows, Has.Count.EqualTo(total));
        Assert.That(rows.Select(r => Convert.ToBoolean(r[0])), Is.All.True);
        Assert.That(rows.Select(r => r[1]), Is.All.EqualTo(winner.User));
        var live = await _wh.LiveCommentsAsync("twice_a");
        foreach (var r in rows) Assert.That(live[(string)r[3]!], Is.EqualTo(r[2]), (string)r[3]!);
        var again = WarehouseWorld.Ok(_amx.Run("apply", runId, "--yes", "--output", "json"));
        using (var json = JsonDocument.Parse(again.Stdout))
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(0), again.ToString());
        Assert.That(again.Stderr, Does.Contain("Nothing to apply"));
    }

    [Test]
    public async Task Apply_killed_half_way_then_applied_again_applies_nothing_twice_and_history_matches_live_comments()
    {
        // A warehouse of its own: the run drafts the whole schema.
        var wh = await WarehouseWorld.CreateAsync(backend);
        using var amx = wh.NewCli("alice");
        // 11 tables × 50 columns + 11 tables = 561 targets: two chunks of the apply (500 + 61).
        var tables = Enumerable.Range(0, 11).Select(i => $"k{i:00}").ToList();
        foreach (var t in tables) await wh.CreateTableAsync(t, Enumerable.Range(0, 49).Select(i => $"col{i:00}"));
        await wh.SetColumnCommentAsync("k03", "col07", "an old comment");
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(amx.Run("run", wh.Schema)));
        WarehouseWorld.Ok(amx.Run("review", runId, "--accept", "all"));
        var total = Convert.ToInt32((await wh.QueryAsync($"SELECT count(*) FROM {wh.Results} WHERE run_id = '{runId}'"))[0][0]);
        Assert.That(total, Is.EqualTo(11 * 51), "11 tables of 50 columns");
        var lastTable = $"{wh.Schema}.k10";

        // Hold the history rows of the last table: the first chunk commits, the second writes its comments and
        // then waits for us in the middle of recording them. That is where the process gets killed.
        var descriptions = (await wh.QueryAsync($"SELECT target_qname, description FROM {wh.Results} WHERE run_id = '{runId}'"))
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        await using var holder = wh.Open();
        await holder.OpenAsync();
        var tx = await holder.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
        // Primary-key lookups lock just these rows (a range scan would lock the whole run on InnoDB).
        var held = descriptions.Keys.Where(k => k == lastTable || k.StartsWith(lastTable + ".", StringComparison.Ordinal)).ToList();
        await Exec(holder, $"SELECT run_id FROM {wh.Results} WHERE run_id = '{runId}' AND target_qname IN ({string.Join(", ", held.Select(WarehouseWorld.Lit))}) FOR UPDATE", tx);

        var doomed = ApplyTestKit.Start(wh.Teammate(amx, "bob"), "apply", runId, "--replace-outside-comments", "--yes", "--verbose", "--chunk-size", "500");
        await ApplyTestKit.WaitUntilAsync(async () =>
            Convert.ToInt32((await wh.QueryAsync($"SELECT count(*) FROM {wh.Results} WHERE run_id = '{runId}' AND applied = TRUE"))[0][0]) >= 500,
            $"the first chunk is recorded ({backend})", onTimeout: async () => doomed.Process.HasExited ? (await doomed.WaitAsync()).ToString() : "still running");
        await ApplyTestKit.WaitUntilAsync(async () =>
        {
            var live = await wh.LiveCommentsAsync("k10");
            return live.All(kv => descriptions[kv.Key] == kv.Value);
        }, "the second chunk's comments are written");
        doomed.Process.Kill(); // SIGKILL
        await doomed.Process.WaitForExitAsync();
        await tx.RollbackAsync();
        await tx.DisposeAsync();

        var recorded = await wh.QueryAsync($"SELECT target_qname, applied_at FROM {wh.Results} WHERE run_id = '{runId}' AND applied = TRUE");
        Assert.That(recorded, Has.Count.EqualTo(500), "the killed apply recorded its first chunk only");
        var run = await wh.QueryAsync($"SELECT state FROM {wh.Runs} WHERE run_id = '{runId}'");
        Assert.That(run[0][0], Is.Not.EqualTo("applied"));

        var again = WarehouseWorld.Ok(wh.Teammate(amx, "carol").Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        using (var json = JsonDocument.Parse(again.Stdout))
        {
            // The 61 comments written before the kill are recognised, not written again.
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(0), again.ToString());
            Assert.That(json.RootElement.GetProperty("already_applied").GetInt32(), Is.EqualTo(total - 500), again.ToString());
            Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("applied"));
        }
        var after = await wh.QueryAsync($"SELECT target_qname, applied, applied_at, applied_by, description FROM {wh.Results} WHERE run_id = '{runId}'");
        Assert.That(after, Has.Count.EqualTo(total));
        Assert.That(after.Select(r => Convert.ToBoolean(r[1])), Is.All.True);
        var firstAt = recorded.ToDictionary(r => (string)r[0]!, r => r[1]);
        foreach (var r in after.Where(r => firstAt.ContainsKey((string)r[0]!)))
        {
            Assert.That(r[2], Is.EqualTo(firstAt[(string)r[0]!]), "a recorded result is not applied again");
            Assert.That(r[3], Is.EqualTo("bob"));
        }
        var liveAll = await wh.LiveCommentsAsync();
        foreach (var r in after)
            Assert.That(liveAll[(string)r[0]!], Is.EqualTo(r[4]), $"history matches the live comment of {r[0]}");
        var again2 = WarehouseWorld.Ok(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        using (var json = JsonDocument.Parse(again2.Stdout))
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(0));
    }

    static async Task Exec(DbConnection conn, string sql, DbTransaction? tx = null)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) { }
    }
}
