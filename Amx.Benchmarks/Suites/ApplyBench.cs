using System.Data.Common;
using Amx.Benchmarks.Infrastructure;
using MySqlConnector;
using Npgsql;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// <c>amx apply</c> of 10,000 column comments (200 tables × 50 columns of the synthetic warehouse) through the real
/// CLI, whole process: compare-and-set, per-target locks and the history updates included. Each round applies a
/// fresh accepted run (inserted straight into the shared store) whose drafts were based on the live comments.
/// </summary>
public sealed class ApplyBench : IBenchSuite
{
    const string HistorySchema = "amx_bench_apply";
    const string PasswordVar = "AMX_BENCH_PW";

    public string Name => "apply";
    public string Description => "apply of 10,000 column comments through the CLI (PostgreSQL ≤ 2 s, MariaDB ≤ 10 s)";

    public async Task RunAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("apply-tables", "200"));
        var rounds = int.Parse(ctx.Option("rounds", "3"));
        var pg = new NpgsqlConnectionStringBuilder(await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, 2000, 50));
        await MeasureAsync(ctx, new PgSide(pg), tables, rounds, 2.0);
        var my = new MySqlConnectionStringBuilder(await SyntheticWarehouse.EnsureMariaDbAsync(ctx.MariaDbAdmin, 2000, 50));
        await MeasureAsync(ctx, new MariaSide(my), tables, rounds, 10.0);
    }

    static async Task MeasureAsync(BenchContext ctx, Side side, int tables, int rounds, double target)
    {
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-apply-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        var env = new Dictionary<string, string> { [PasswordVar] = side.Password };
        try
        {
            ctx.Amx(home, "bench", env, side.AddProfileArgs).Check("add-db-profile");
            ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "bench", "--schema", HistorySchema, "--yes").Check("history-store enable");
            var times = new List<double>();
            double peak = 0;
            var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd_HH-mm");
            for (var round = 0; round < rounds; round++)
            {
                var runId = await side.InsertRunAsync(stamp, round, tables);
                var run = ctx.Amx(home, "bench", env, "apply", runId, "--yes").Check($"{side.Label} apply");
                var applied = await side.CountAppliedAsync(runId);
                if (applied != tables * 50)
                    throw new InvalidOperationException($"{side.Label}: {applied} of {tables * 50} applied\n{run.Stdout}\n{run.Stderr}");
                times.Add(run.Elapsed.TotalSeconds);
                peak = Math.Max(peak, run.PeakMb);
            }
            times.Sort();
            ctx.Report($"{side.Label} apply of {tables * 50:N0} column comments (CLI)", times[times.Count / 2], "s", target,
                $"median of {rounds}; min {BenchContext.Format(times[0])} s, max {BenchContext.Format(times[^1])} s; peak {peak:F0} MB");
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
        protected abstract DbConnection Open();
        /// <summary>Inserts an accepted run of the first <paramref name="tables"/> tables' columns, drafted against the live comments.</summary>
        public abstract Task<string> InsertRunAsync(string stamp, int round, int tables);

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
