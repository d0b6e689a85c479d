using System.Data.Common;
using System.Diagnostics;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.MySql;
using MySqlConnector;
using Npgsql;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// <c>amx apply</c> of 10,000 column comments (200 tables × 50 columns of the synthetic warehouse) through the real
/// CLI, whole process: compare-and-set, per-target locks and the history updates included. Each round applies a
/// fresh accepted run (inserted straight into the shared store) whose drafts were based on the live comments.
/// On MariaDB the same 10,000 writes then run once more in process through the comment writer, timing its phases
/// (definition snapshot, proof on a temporary copy, ALTER, check after): the proof's share of the time.
/// <c>--apply-backends mariadb</c> runs one side only.
/// </summary>
public sealed class ApplyBench : IBenchSuite
{
    const string HistorySchema = "amx_bench_apply";
    const string PasswordVar = "AMX_BENCH_PW";

    public string Name => "apply";
    public string Description => "apply of 10,000 column comments through the CLI (PostgreSQL ≤ 1 s beside psql's floor, MariaDB ≤ 10 s; --apply-tables 2000: PostgreSQL 100,000 ≤ 10 s, MariaDB measured)";

    public async Task RunAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("apply-tables", "200"));
        var rounds = int.Parse(ctx.Option("rounds", "3"));
        var backends = ctx.Option("apply-backends", "postgresql,mariadb").Split(',', StringSplitOptions.TrimEntries);
        if (backends.Contains("postgresql"))
        {
            var pg = new NpgsqlConnectionStringBuilder(await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, 2000, 50));
            await MeasureAsync(ctx, new PgSide(pg), tables, rounds, tables * 50 >= 100_000 ? 10.0 : 1.0);
        }
        if (backends.Contains("mariadb"))
        {
            var my = new MySqlConnectionStringBuilder(await SyntheticWarehouse.EnsureMariaDbAsync(ctx.MariaDbAdmin, 2000, 50));
            // MariaDB's target is for 10,000 comments; larger applies are measured, not judged (it rewrites each table's definition).
            await MeasureAsync(ctx, new MariaSide(my), tables, rounds, tables * 50 >= 100_000 ? null : 10.0);
            await ProofShareAsync(ctx, my, tables);
        }
    }

    /// <summary>
    /// The MariaDB comment writer in process on the same 10,000 columns (new text, so every one is written): wall and
    /// CPU time, and how much of it each phase of <see cref="MySqlCommentWriter"/> took, the proof above all.
    /// </summary>
    static async Task ProofShareAsync(BenchContext ctx, MySqlConnectionStringBuilder cs, int tables)
    {
        var phases = new Dictionary<string, double>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MySqlCommentWriter.PhasesName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => phases[a.OperationName] = phases.GetValueOrDefault(a.OperationName) + a.Duration.TotalSeconds,
        };
        ActivitySource.AddActivityListener(listener);

        var provider = WarehouseProviders.For(Backend.MariaDb);
        await using var conn = provider.CreateConnection(cs.ConnectionString);
        await conn.OpenAsync();
        var writes = new List<CommentWrite>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{SyntheticWarehouse.Database}' " +
                              $"AND TABLE_NAME < 't{tables:D4}' ORDER BY TABLE_NAME, ORDINAL_POSITION";
            await using var r = await cmd.ExecuteReaderAsync();
            var stamp = DateTime.UtcNow.ToString("O");
            while (await r.ReadAsync())
                writes.Add(new CommentWrite(new CommentTarget(new QualifiedName(SyntheticWarehouse.Database, r.GetString(0), r.GetString(1)), TargetKinds.Column),
                    $"In process at {stamp}: column {r.GetString(1)} of {r.GetString(0)}, it's \"quoted\" \\"));
        }
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var server0 = BenchContext.ServerCpuSeconds("mariadbd", cs.Port);
        var sw = Stopwatch.StartNew();
        var failures = await provider.Comments.WriteManyAsync(conn, writes, CommentWriteOptions.Default);
        var wall = sw.Elapsed.TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        var serverCpu = BenchContext.ServerCpuSeconds("mariadbd", cs.Port) - server0;
        if (failures.Count > 0)
            throw new InvalidOperationException($"{failures.Count} of {writes.Count} not written in process; first: {failures.Values.First().Message}");
        var proof = phases.GetValueOrDefault("proof");
        string Share(string phase) => $"{phase} {phases.GetValueOrDefault(phase):F2} s ({100 * phases.GetValueOrDefault(phase) / wall:F0} %)";
        ctx.Report($"MariaDB comment writes of {writes.Count:N0} columns in process (proof on)", wall, "s", 10.0,
            $"benchmark process CPU {cpu:F2} s, server CPU {serverCpu:F2} s; {Share("snapshot")}, {Share("proof")}, {Share("alter")}, {Share("check")}; " +
            $"{tables} tables; load average {BenchContext.LoadAverage()}");
        ctx.Report("MariaDB proof's share of the comment writes", 100 * proof / wall, "%", null,
            $"proof {proof:F2} s of {wall:F2} s: a temporary copy per table, one combined ALTER on it, its definition compared before and after");
    }

    static async Task MeasureAsync(BenchContext ctx, Side side, int tables, int rounds, double? target)
    {
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-apply-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        var env = new Dictionary<string, string> { [PasswordVar] = side.Password };
        try
        {
            ctx.Amx(home, "bench", env, side.AddProfileArgs).Check("add-db-profile");
            ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "bench", "--schema", HistorySchema, "--yes").Check("history-store enable");
            // Each invocation starts from an empty history: round n sees n earlier applies of the same targets, as a
            // quarterly job would, not every apply any earlier benchmark made (apply reads the targets' earlier applies).
            await side.ClearHistoryAsync();
            var times = new List<double>();
            var floors = new List<double>();
            var cpu = new List<double>();
            var serverCpu = new List<double>();
            double peak = 0;
            var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd_HH-mm");
            for (var round = 0; round < rounds; round++)
            {
                var runId = await side.InsertRunAsync(stamp, round, tables);
                // The synthetic warehouse carries hand-written comments (c01): replaced too, so every round writes all 10,000.
                var server0 = side.ServerCpuSeconds();
                var run = ctx.Amx(home, "bench", env, "apply", runId, "--replace-outside-comments", "--yes").Check($"{side.Label} apply");
                serverCpu.Add(side.ServerCpuSeconds() - server0);
                var applied = await side.CountAppliedAsync(runId);
                if (applied != tables * 50)
                    throw new InvalidOperationException($"{side.Label}: {applied} of {tables * 50} applied\n{run.Stdout}\n{run.Stderr}");
                times.Add(run.Elapsed.TotalSeconds);
                if (side.Floor(home, stamp, round, tables) is { } floor) floors.Add(floor.Elapsed.TotalSeconds);
                cpu.Add(run.CpuSeconds);
                peak = Math.Max(peak, run.PeakMb);
                Console.Error.WriteLine($"  {side.Label} round {round + 1}: {run.Elapsed.TotalSeconds:F2} s wall, {run.CpuSeconds:F2} s amx CPU, " +
                                        $"{serverCpu[^1]:F2} s server CPU, load average {BenchContext.LoadAverage()}");
            }
            times.Sort();
            floors.Sort();
            cpu.Sort();
            serverCpu.Sort();
            ctx.Report($"{side.Label} apply of {tables * 50:N0} column comments (CLI)", times[times.Count / 2], "s", target,
                $"median of {rounds}; min {BenchContext.Format(times[0])} s, max {BenchContext.Format(times[^1])} s; amx CPU median {cpu[cpu.Count / 2]:F2} s, " +
                $"server CPU (the warehouse and the shared history store) median {serverCpu[serverCpu.Count / 2]:F2} s; peak {peak:F0} MB; load average {BenchContext.LoadAverage()}" +
                (floors.Count == 0 ? "" : $"; floor (the same {tables * 50:N0} COMMENT ON in one transaction through psql, one round trip) median " +
                                          $"{floors[floors.Count / 2]:F2} s, ratio {times[times.Count / 2] / floors[floors.Count / 2]:F2}×"));
        }
        finally
        {
            try { Directory.Delete(home, true); } catch (IOException) { }
        }
    }

    abstract class Side
    {
        public abstract string Label { get; }
        public abstract string Password { get; }
        public abstract string[] AddProfileArgs { get; }
        /// <summary>The CPU time the local server has used so far (NaN when it is not a local process).</summary>
        public abstract double ServerCpuSeconds();
        protected abstract DbConnection Open();
        /// <summary>Inserts an accepted run of the first <paramref name="tables"/> tables' columns, drafted against the live comments.</summary>
        public abstract Task<string> InsertRunAsync(string stamp, int round, int tables);
        /// <summary>The same comments written the cheapest way the server allows (null: no floor for this backend).</summary>
        public virtual AmxRun? Floor(string home, string stamp, int round, int tables) => null;

        public async Task ClearHistoryAsync()
        {
            await using var conn = Open();
            await conn.OpenAsync();
            await Sql.ExecAsync(conn, $"DELETE FROM {HistorySchema}.amx_history_results; DELETE FROM {HistorySchema}.amx_history_runs");
        }

        protected async Task<string> FreshRunIdAsync(DbConnection conn, string runs, string stamp)
        {
            var n = await Sql.ScalarAsync(conn, $"SELECT count(*) FROM {runs}");
            return $"run_{stamp}-{(n + 1) % 1000:000}";
        }

        public async Task<long> CountAppliedAsync(string runId)
        {
            await using var conn = Open();
            await conn.OpenAsync();
            return await Sql.ScalarAsync(conn, $"SELECT count(*) FROM {HistorySchema}.amx_history_results WHERE run_id = '{runId}' AND applied = TRUE");
        }

        protected static string RunInsert(string runs, string runId, string backend, int count) =>
            $"INSERT INTO {runs} (run_id, who, started_at, finished_at, scope, db_profile, db_backend, state, ok_count, fail_count) " +
            $"VALUES ('{runId}', 'bench', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'bench', 'bench', '{backend}', 'reviewed', {count}, 0)";
    }

    sealed class PgSide(NpgsqlConnectionStringBuilder cs) : Side
    {
        public override string Label => "PostgreSQL";
        public override string Password => cs.Password ?? "bench";
        public override string[] AddProfileArgs =>
            ["add-db-profile", "bench", "--backend", "postgresql", "--host", cs.Host!, "--port", cs.Port.ToString(), "--database", cs.Database!,
             "--user", cs.Username!, "--password-env", PasswordVar];
        protected override DbConnection Open() => new NpgsqlConnection(cs.ConnectionString);
        // PostgreSQL forks a backend per connection: no one process to read.
        public override double ServerCpuSeconds() => double.NaN;

        /// <summary>psql sends the file's statements as one string in one transaction: one round trip, no savepoints.</summary>
        public override AmxRun? Floor(string home, string stamp, int round, int tables)
        {
            var env = new Dictionary<string, string>
            {
                ["PSQL"] = File.Exists("/usr/lib/postgresql/15/bin/psql") ? "/usr/lib/postgresql/15/bin/psql" : "psql",
                ["PGHOST"] = cs.Host!, ["PGPORT"] = cs.Port.ToString(), ["PGUSER"] = cs.Username!, ["PGPASSWORD"] = cs.Password ?? "",
                ["PGDATABASE"] = cs.Database!, ["PGCLIENTENCODING"] = "UTF8",
            };
            var file = Path.Combine(home, "floor.sql");
            var select = "SELECT 'BEGIN;' UNION ALL (SELECT format('COMMENT ON COLUMN %I.%I.%I IS %L;', n.nspname, c.relname, a.attname, " +
                         $"'Floor {stamp} {round}: ' || a.attname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
                         "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped " +
                         $"WHERE n.nspname = '{SyntheticWarehouse.PgSchema}' AND c.relkind = 'r' AND c.relname < 't{tables:D4}' ORDER BY 1) UNION ALL SELECT 'COMMIT;'";
            BenchContext.Shell($"\"$PSQL\" -X -At -c \"{select.Replace("\"", "\\\"")}\" | tr '\\n' ' ' > {file}", env).Check("floor script");
            return BenchContext.Shell($"\"$PSQL\" -X -q -f {file} > /dev/null", env).Check("floor");
        }

        public override async Task<string> InsertRunAsync(string stamp, int round, int tables)
        {
            await using var conn = Open();
            await conn.OpenAsync();
            var runs = $"{HistorySchema}.amx_history_runs";
            var runId = await FreshRunIdAsync(conn, runs, stamp);
            await Sql.ExecAsync(conn, RunInsert(runs, runId, "postgresql", tables * 50) + ";" + $"""
                INSERT INTO {HistorySchema}.amx_history_results (run_id, target_qname, target_kind, description, confidence, previous_comment, decision, reviewed_by, reviewed_at, applied)
                SELECT '{runId}', n.nspname || '.' || c.relname || '.' || a.attname, 'COLUMN',
                       'Round {round} of {runId}: column ' || a.attname || ' of ' || c.relname || ', it''s "quoted"', 'high', d.description, 'accepted', 'bench', now(), false
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                WHERE n.nspname = '{SyntheticWarehouse.PgSchema}' AND c.relkind = 'r' AND c.relname < 't{tables:D4}'
                """);
            return runId;
        }
    }

    sealed class MariaSide(MySqlConnectionStringBuilder cs) : Side
    {
        public override string Label => "MariaDB";
        public override string Password => cs.Password;
        public override string[] AddProfileArgs =>
            ["add-db-profile", "bench", "--backend", "mariadb", "--host", cs.Server, "--port", cs.Port.ToString(), "--database", cs.Database,
             "--user", cs.UserID, "--password-env", PasswordVar];
        protected override DbConnection Open() => new MySqlConnection(cs.ConnectionString);
        public override double ServerCpuSeconds() => BenchContext.ServerCpuSeconds("mariadbd", cs.Port);

        public override async Task<string> InsertRunAsync(string stamp, int round, int tables)
        {
            await using var conn = Open();
            await conn.OpenAsync();
            var runs = $"{HistorySchema}.amx_history_runs";
            var runId = await FreshRunIdAsync(conn, runs, stamp);
            await Sql.ExecAsync(conn, RunInsert(runs, runId, "mariadb", tables * 50) + ";" + $"""
                INSERT INTO {HistorySchema}.amx_history_results (run_id, target_qname, target_kind, description, confidence, previous_comment, decision, reviewed_by, reviewed_at, applied)
                SELECT '{runId}', CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, '.', COLUMN_NAME), 'COLUMN',
                       CONCAT('Round {round} of {runId}: column ', COLUMN_NAME, ' of ', TABLE_NAME, ', it''s "quoted"'), 'high', NULLIF(COLUMN_COMMENT, ''),
                       'accepted', 'bench', UTC_TIMESTAMP(), FALSE
                FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{SyntheticWarehouse.Database}' AND TABLE_NAME < 't{tables:D4}'
                """);
            return runId;
        }
    }
}
