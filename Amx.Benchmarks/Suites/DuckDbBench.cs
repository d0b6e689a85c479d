using System.Diagnostics;
using System.Text;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// DuckDB warehouses (docs/duckdb.md): the metadata read of a 2,000 tables × 50 columns file in process (median of 5
/// warm reads), and <c>amx apply</c> of 10,000 column comments through the real CLI with the local SQLite history
/// store. Each apply round is a fresh accepted run, inserted straight into the store, drafted against the live comments.
/// </summary>
public sealed class DuckDbBench : IBenchSuite
{
    const string Schema = "bench";

    public string Name => "duckdb";
    public string Description => "DuckDB: metadata read of 2,000 tables × 50 columns (≤ 1 s); apply of 10,000 column comments (measured)";

    public async Task RunAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("tables", "2000"));
        var columns = int.Parse(ctx.Option("columns", "50"));
        var applyTables = int.Parse(ctx.Option("apply-tables", "200"));
        var rounds = int.Parse(ctx.Option("rounds", "3"));
        var dir = Path.Combine(Path.GetTempPath(), "amx-bench-duckdb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "warehouse.duckdb");
            var build = Stopwatch.StartNew();
            Create(path, tables, columns);
            Console.Error.WriteLine($"  built {tables}×{columns} DuckDB file in {build.Elapsed.TotalSeconds:F1} s");
            await MetadataAsync(ctx, path, tables, columns);
            await ApplyAsync(ctx, dir, path, applyTables, columns, rounds);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    static void Create(string path, int tables, int columns)
    {
        using var conn = new DuckDBConnection($"Data Source={path}");
        conn.Open();
        var types = new[] { "INTEGER", "VARCHAR", "DECIMAL(12,2)", "TIMESTAMP", "BOOLEAN" };
        var sql = new StringBuilder($"CREATE SCHEMA {Schema};\n");
        for (var t = 0; t < tables; t++)
        {
            sql.Append($"CREATE TABLE {Schema}.t{t:D4} (c00 INTEGER PRIMARY KEY");
            for (var c = 1; c < columns; c++) sql.Append($", c{c:D2} {types[c % types.Length]}");
            sql.Append(");\n");
        }
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql.ToString();
        cmd.ExecuteNonQuery();
    }

    static async Task MetadataAsync(BenchContext ctx, string path, int tables, int columns)
    {
        var provider = WarehouseProviders.For(Backend.DuckDb);
        await using var conn = provider.CreateConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        await conn.OpenAsync();
        var scope = Scope.Parse(Schema);
        var warm = await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default);
        var read = warm.Tables.Sum(t => t.Columns.Count);
        if (warm.Tables.Count != tables || read != (long)tables * columns || warm.Tables.Any(t => t.PrimaryKey.Count != 1))
            throw new InvalidOperationException($"expected {tables} tables / {tables * columns} columns with keys, read {warm.Tables.Count} / {read}");
        var times = new List<double>();
        var cpu = new List<double>();
        var self = Process.GetCurrentProcess();
        for (var i = 0; i < 5; i++)
        {
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default);
            times.Add(sw.Elapsed.TotalSeconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        times.Sort();
        cpu.Sort();
        ctx.Report($"DuckDB metadata read, {tables}×{columns}", times[2], "s", 1.0,
            $"min {times[0]:F3} s, max {times[^1]:F3} s; CPU time (all DuckDB threads) median {cpu[2]:F3} s; load average {BenchContext.LoadAverage()}");
    }

    static async Task ApplyAsync(BenchContext ctx, string dir, string path, int tables, int columns, int rounds)
    {
        var home = Path.Combine(dir, "home");
        Directory.CreateDirectory(home);
        ctx.Amx(home, "bench", null, "add-db-profile", "bench", "--backend", "duckdb", "--path", path).Check("add-db-profile");
        ctx.Amx(home, "bench", null, "history", "list").Check("history list (creates the local store)");
        var store = $"Data Source={Path.Combine(home, "history.db")}";
        var times = new List<double>();
        var cpu = new List<double>();
        double peak = 0;
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd_HH-mm");
        for (var round = 0; round < rounds; round++)
        {
            var runId = $"run_{stamp}-{round + 1:000}";
            var live = LiveComments(path, tables);
            await InsertRunAsync(store, runId, round, live);
            var run = ctx.Amx(home, "bench", null, "apply", runId, "--yes").Check("DuckDB apply");
            var applied = await AppliedAsync(store, runId);
            if (applied != tables * columns)
                throw new InvalidOperationException($"{applied} of {tables * columns} applied\n{run.Stdout}\n{run.Stderr}");
            times.Add(run.Elapsed.TotalSeconds);
            cpu.Add(run.CpuSeconds);
            peak = Math.Max(peak, run.PeakMb);
            Console.Error.WriteLine($"  round {round + 1}: {run.Elapsed.TotalSeconds:F1} s wall, {run.CpuSeconds:F1} s CPU, load average {BenchContext.LoadAverage()}");
        }
        times.Sort();
        cpu.Sort();
        ctx.Report($"DuckDB apply of {tables * columns:N0} column comments (CLI)", times[times.Count / 2], "s", null,
            $"median of {rounds}; min {BenchContext.Format(times[0])} s, max {BenchContext.Format(times[^1])} s; CPU time (amx process) median {cpu[cpu.Count / 2]:F1} s; " +
            $"peak {peak:F0} MB; load average {BenchContext.LoadAverage()}");
    }

    /// <summary>The live column comments of the first tables, as the drafts' previous_comment.</summary>
    static List<(string Qname, string? Comment)> LiveComments(string path, int tables)
    {
        using var conn = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT schema_name || '.' || table_name || '.' || column_name, comment FROM duckdb_columns() " +
                          $"WHERE schema_name = '{Schema}' AND table_name < 't{tables:D4}' ORDER BY 1";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string?)>();
        while (r.Read()) list.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
        return list;
    }

    static async Task InsertRunAsync(string store, string runId, int round, List<(string Qname, string? Comment)> targets)
    {
        await using var conn = new SqliteConnection(store);
        await conn.OpenAsync();
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync();
        await using (var run = conn.CreateCommand())
        {
            run.CommandText = "INSERT INTO amx_history_runs (run_id, who, started_at, finished_at, scope, db_profile, db_backend, state, ok_count, fail_count) " +
                              "VALUES ($id, 'bench', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'bench', 'bench', 'duckdb', 'reviewed', $n, 0)";
            run.Parameters.AddWithValue("$id", runId);
            run.Parameters.AddWithValue("$n", targets.Count);
            await run.ExecuteNonQueryAsync();
        }
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "INSERT INTO amx_history_results (run_id, target_qname, target_kind, description, confidence, previous_comment, decision, reviewed_by, reviewed_at, applied) " +
                          "VALUES ($id, $q, 'COLUMN', $d, 'high', $p, 'accepted', 'bench', CURRENT_TIMESTAMP, 0)";
        var q = cmd.Parameters.Add("$q", SqliteType.Text);
        var d = cmd.Parameters.Add("$d", SqliteType.Text);
        var p = cmd.Parameters.Add("$p", SqliteType.Text);
        cmd.Parameters.AddWithValue("$id", runId);
        foreach (var (qname, comment) in targets)
        {
            q.Value = qname;
            d.Value = $"Round {round} of {runId}: column {qname}, it's \"quoted\" \\ 😀";
            p.Value = (object?)comment ?? DBNull.Value;
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    static async Task<long> AppliedAsync(string store, string runId)
    {
        await using var conn = new SqliteConnection(store);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM amx_history_results WHERE run_id = $id AND applied = 1";
        cmd.Parameters.AddWithValue("$id", runId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
