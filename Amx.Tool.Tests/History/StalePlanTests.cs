using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Providers;
using Npgsql;
using static Amx.Tool.Tests.History.HistoryTestSupport;

namespace Amx.Tool.Tests.History;

/// <summary>
/// A run drafted a moment ago is unknown to PostgreSQL's statistics: the planner takes its run_id for a rare value.
/// With an index on run_id alone beside the primary key, it read every row of the run through that index for each row
/// (or chunk) it updated — apply of 100,000 spent 70–130 ms per chunk in its outcome UPDATE, and a review's per-row
/// updates were as bad. These tests build exactly that state (statistics taken before the run's rows existed,
/// autovacuum off) and read the plans of the statements the store runs.
/// </summary>
[TestFixture]
public sealed class StalePlanTests
{
    const int Known = 3_000, Fresh = 20_000;

    [Test]
    public async Task Updates_of_a_run_the_statistics_do_not_know_probe_the_primary_key()
    {
        await using var conn = await StoreWithoutAutovacuumAsync("stale");
        await FillAsync(conn, "run_known", Known);
        await ExecAsync(conn, "ANALYZE amx.amx_history_results");
        await FillAsync(conn, "run_fresh", Fresh);

        var names = Enumerable.Range(7_000, 1_000).Select(Name).ToArray();
        var provider = HistoryProvider.For(Backend.PostgreSql);

        // Apply's outcome for a chunk of 1,000 (the statement MarkResultsAsync runs).
        var chunk = await PlanAsync(conn, ApplySql.MarkResultsByArray(provider, "amx", applied: true),
            ("applied", true), ("status", "applied"), ("at", DateTime.UtcNow), ("by", "lead"), ("run", "run_fresh"), ("names", names));
        // One target's conflict or failure (ApplySql.MarkOutcome) and the per-row UPDATE EF sends for review's decisions.
        var outcome = await PlanAsync(conn, ApplySql.MarkOutcome(provider, "amx"),
            ("status", "conflict"), ("error", "changed"), ("run", "run_fresh"), ("t0", names[0]));
        var review = await PlanAsync(conn,
            "UPDATE amx.amx_history_results SET decision = @decision, reviewed_by = @by WHERE run_id = @run AND target_qname = @target",
            ("decision", "accepted"), ("by", "lead"), ("run", "run_fresh"), ("target", names[0]));

        foreach (var (what, plan) in new[] { ("chunk outcome", chunk), ("one outcome", outcome), ("review decision", review) })
        {
            Assert.That(plan.Scans, Is.EqualTo(new[] { "Index Scan pk_amx_history_results" }), $"{what}: {plan.Text}");
            Assert.That(plan.Text, Does.Contain("target_qname"), $"{what}: the key's second column bounds the scan: {plan.Text}");
        }
        Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'amx' AND indexname = 'ix_amx_history_results_run_id'"),
            Is.EqualTo(0L), "the redundant run_id index is gone");
    }

    /// <summary>
    /// Apply looks up each chunk's earlier applies (whose text explains a live comment) by target name. Joined to the
    /// names, the planner chose a sequential scan of every result in the store: 17–25 ms per 500 targets at 100,000
    /// results in the benchmark, a third of an apply's server time, and growing with the store. The statement amx sends
    /// probes the target index once per name whatever the statistics say.
    /// </summary>
    [Test]
    public async Task Earlier_applies_of_a_chunk_are_found_by_one_index_probe_per_target()
    {
        await using var conn = await StoreWithoutAutovacuumAsync("applied");
        await FillAsync(conn, "run_applied", Fresh, description: "'Round 1: ' || repeat('x', 400) || i");
        await ExecAsync(conn, "UPDATE amx.amx_history_results SET applied = true, applied_at = now(), applied_by = 'lead'");

        var names = Enumerable.Range(9_000, 500).Select(Name).ToArray();
        var texts = Enumerable.Range(9_000, 500).Select(i => "Round 1: " + new string('x', 400) + i).ToArray();
        var provider = HistoryProvider.For(Backend.PostgreSql);
        foreach (var anyEmpty in new[] { false, true })
        {
            var plan = await PlanAsync(conn, ApplySql.AppliedToByArray(provider, "amx", anyEmpty), ("names", names), ("texts", texts));
            // Per name, through the target index (a plain or, without statistics, a bitmap index scan); never the whole table.
            Assert.That(plan.Scans, Has.Length.EqualTo(1).And.All.AnyOf("Index Scan ix_amx_history_results_target", "Bitmap Heap Scan"), plan.Text);
            Assert.That(plan.Text, Does.Contain("\"Index Name\": \"ix_amx_history_results_target\"").And.Not.Contain("Seq Scan"), plan.Text);
        }

        // And it finds what it should: each of the 500 targets' applied row, nothing else.
        await using var cmd = new NpgsqlCommand(ApplySql.AppliedToByArray(provider, "amx", anyEmpty: false), conn);
        cmd.Parameters.AddWithValue("names", names);
        cmd.Parameters.AddWithValue("texts", texts[..250]);
        var found = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) found.Add(r.GetString(0));
        Assert.That(found, Is.EquivalentTo(names[..250]), "a target whose live text no apply wrote is not explained");
    }

    /// <summary>
    /// Grouped by a schema computed from the unique target name the planner expected a group per result and, past
    /// work_mem, sorted the whole run on disk: run-apply's per-schema tally took 78 ms of a 100,000-result run once the
    /// statistics knew the run, and a million results sort for seconds. The one tally a run reads hashes its few groups.
    /// </summary>
    [Test]
    public async Task The_tally_of_a_run_hashes_its_groups_instead_of_sorting_the_run()
    {
        await using var conn = await StoreWithoutAutovacuumAsync("tally");
        const int results = 100_000;
        await FillAsync(conn, "run_tally", results);
        // As autovacuum leaves a store after a run this size.
        await ExecAsync(conn, "ANALYZE amx.amx_history_results");
        var provider = HistoryProvider.For(Backend.PostgreSql);
        (string, object)[] bound = [("yes", true), ("conflict", "conflict"), ("failed", "failed"), ("run", "run_tally")];

        var plan = await PlanAsync(conn, RunSql.Tally(provider, "amx"), bound);
        Assert.That(plan.Text, Does.Contain("\"Strategy\": \"Hashed\""), plan.Text);
        Assert.That(plan.Sorted, Is.Empty, "no sort of the run's rows: " + plan.Text);

        // And the counts are right: one schema, every result drafted and accepted, none applied.
        await using var cmd = new NpgsqlCommand(RunSql.Tally(provider, "amx"), conn);
        foreach (var (name, value) in bound) cmd.Parameters.AddWithValue(name, value);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.That(await r.ReadAsync(), Is.True);
        Assert.That(Enumerable.Range(0, 9).Select(i => r.GetValue(i).ToString()),
            Is.EqualTo(new[] { "sales", "", "accepted", $"{results}", "0", "0", "0", "0", $"{results}" }));
        Assert.That(await r.ReadAsync(), Is.False, "one row per schema, confidence and decision");
    }

    /// <summary>
    /// Apply reads its candidates on PostgreSQL as one streamed query while it works through them: a store role with a
    /// <c>statement_timeout</c> shorter than the apply cancels that query midway. The chunks handed out stay done and
    /// keyset queries deliver the rest — every candidate once, in order.
    /// </summary>
    [Test]
    public async Task Apply_candidates_survive_a_statement_timeout_shorter_than_the_apply()
    {
        var (pg, db, lead) = await EnabledPgStoreAsync("timeout");
        using var amx = lead;
        await using (var conn = new NpgsqlConnection(pg.ConnectionString(db)))
        {
            await conn.OpenAsync();
            await FillAsync(conn, "run_long", Fresh, description: "repeat('x', 500)");
        }
        await pg.ExecuteAsync($"ALTER DATABASE \"{db}\" SET statement_timeout = '300ms'", db);

        // The hazard is real here: a plain stream read at apply's pace is cancelled.
        await using (var conn = new NpgsqlConnection(pg.ConnectionString(db)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT target_qname, description FROM amx.amx_history_results WHERE run_id = 'run_long' ORDER BY target_qname", conn);
            var cancelled = Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var r = await cmd.ExecuteReaderAsync();
                for (var n = 0; await r.ReadAsync(); n++)
                    if (n % 1000 == 999) await Task.Delay(100);
            });
            Assert.That(cancelled!.SqlState, Is.EqualTo(PostgresErrorCodes.QueryCanceled));
        }

        var store = await OpenAsync(amx, pg.AdminPassword);
        var seen = new List<string>();
        var chunks = 0;
        await foreach (var chunk in store.ApplyCandidateChunksAsync("run_long", revert: false, size: 1000))
        {
            seen.AddRange(chunk.Select(r => r.TargetQname));
            chunks++;
            await Task.Delay(100);
        }
        Assert.That(seen, Has.Count.EqualTo(Fresh));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, Fresh).Select(Name).ToList()), "name order, nothing skipped");
        Assert.That(chunks, Is.EqualTo(Fresh / 1000));
    }

    /// <summary>An enabled store's database, autovacuum off on the results table: its statistics stay as the test leaves them.</summary>
    static async Task<NpgsqlConnection> StoreWithoutAutovacuumAsync(string name)
    {
        var (pg, db, lead) = await EnabledPgStoreAsync(name);
        lead.Dispose();
        var conn = new NpgsqlConnection(pg.ConnectionString(db));
        await conn.OpenAsync();
        await ExecAsync(conn, "ALTER TABLE amx.amx_history_results SET (autovacuum_enabled = false)");
        return conn;
    }

    static string Name(int i) => $"sales.t{i / 50:D4}.c{i % 50:D2}";

    static async Task FillAsync(NpgsqlConnection conn, string run, int count, string description = "'text ' || i")
    {
        await ExecAsync(conn, $"INSERT INTO amx.amx_history_runs (run_id, who, started_at, scope, state, ok_count, fail_count, run_kind) " +
                              $"VALUES ('{run}', 'lead', now(), 'sales', 'drafted', {count}, 0, 'draft')");
        await ExecAsync(conn, "INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, decision, applied) " +
                              $"SELECT '{run}', format('sales.t%s.c%s', lpad((i / 50)::text, 4, '0'), lpad((i % 50)::text, 2, '0')), 'column', " +
                              $"{description}, 'accepted', false FROM generate_series(0, {count - 1}) AS i");
    }

    /// <summary>The plan's text, its scans of the results table, and the estimated rows of each Sort node.</summary>
    sealed record Plan(string Text, string[] Scans, double[] Sorted);

    /// <summary>EXPLAIN of the statement with its parameters bound (a custom plan, as the store's one-shot statements get).</summary>
    static async Task<Plan> PlanAsync(NpgsqlConnection conn, string sql, params (string Name, object Value)[] values)
    {
        await using var cmd = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, conn);
        foreach (var (name, value) in values) cmd.Parameters.AddWithValue(name, value);
        var json = (string)(await cmd.ExecuteScalarAsync())!;
        var scans = new List<string>();
        var sorted = new List<double>();
        void Walk(JsonElement node)
        {
            var type = node.GetProperty("Node Type").GetString()!;
            // A sort of a handful of groups is harmless; one of a thousand rows or more sorts the run itself.
            if (type == "Sort" && node.GetProperty("Plan Rows").GetDouble() >= 1000) sorted.Add(node.GetProperty("Plan Rows").GetDouble());
            if (type.Contains("Scan", StringComparison.Ordinal) && node.TryGetProperty("Relation Name", out var rel) && rel.GetString() == "amx_history_results")
                scans.Add(node.TryGetProperty("Index Name", out var ix) ? $"{type} {ix.GetString()}" : type);
            if (node.TryGetProperty("Plans", out var children))
                foreach (var child in children.EnumerateArray()) Walk(child);
        }
        using var doc = JsonDocument.Parse(json);
        Walk(doc.RootElement[0].GetProperty("Plan"));
        return new Plan(json, scans.ToArray(), sorted.ToArray());
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task<long> ScalarAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
