using System.Globalization;
using Amx.Benchmarks.Infrastructure;
using Npgsql;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// Issue 19's table: the offline whole-warehouse <c>amx run-apply --accept none</c> into a shared PostgreSQL store at
/// 5k, 100k and 1M columns (100 · 2,000 · 20,000 tables × 50 columns, each warehouse built once and reused), each
/// beside its floor measured in the same run: <c>psql</c> reads the column catalog, then <c>COPY</c>s the run's own
/// result rows into a table shaped like the results table. Prints wall, CPU, peak memory, the ratio to the floor and
/// the memory curve (peak at each size ÷ peak at 100k).
/// </summary>
public sealed class ScaleBench : IBenchSuite
{
    const string StoreDatabase = "amx_bench_scale_store";
    const string PwVar = "BENCH_PG_PW";

    public string Name => "scale";
    public string Description => "offline run-apply --accept none of 5k / 100k / 1M columns into shared PG beside psql catalog read + COPY (≤ 3×), peak ≤ 300 MB at 1M and ≤ 1.2× the 100k peak (--scale-tables 100,2000,20000)";

    public async Task RunAsync(BenchContext ctx)
    {
        var sizes = ctx.Option("scale-tables", "100,2000,20000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var repeat = int.Parse(ctx.Option("repeat", "1"), CultureInfo.InvariantCulture);
        var admin = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
        var psql = new Dictionary<string, string>
        {
            ["PSQL"] = File.Exists("/usr/lib/postgresql/15/bin/psql") ? "/usr/lib/postgresql/15/bin/psql" : "psql",
            ["PGHOST"] = admin.Host!, ["PGPORT"] = admin.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = admin.Username!, ["PGPASSWORD"] = admin.Password ?? "", ["PGCLIENTENCODING"] = "UTF8",
        };
        var peaks = new Dictionary<int, double>();
        foreach (var tables in sizes)
        {
            var database = $"warehouse_bench_scale_{tables}";
            await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, tables, 50, database);
            var columns = tables * 50;
            var label = columns >= 1_000_000 ? $"{columns / 1_000_000.0:0.##}M" : $"{columns / 1000.0:0.#}k";
            var runs = new List<(AmxRun Run, AmxRun Floor, AmxRun Review)>();
            for (var i = 0; i < repeat; i++) runs.Add(await OnceAsync(ctx, database, psql));
            var (run, floor, review) = runs.OrderBy(r => r.Run.Elapsed).ElementAt(runs.Count / 2);
            var ratio = run.Elapsed.TotalSeconds / floor.Elapsed.TotalSeconds;
            peaks[columns] = run.PeakMb;
            ctx.Report($"run-apply --accept none, {label} columns ({tables}×50)", run.Elapsed.TotalSeconds, "s", 3 * floor.Elapsed.TotalSeconds,
                $"CPU {run.CpuSeconds:F2} s, peak {run.PeakMb:F0} MB; floor (psql catalog read + COPY of the {columns + tables:N0} result rows) " +
                $"{floor.Elapsed.TotalSeconds:F2} s; ratio {ratio:F2}×; {(repeat > 1 ? $"median of {repeat}; " : "")}load {BenchContext.LoadAverage()}");
            ctx.Report($"run-apply peak memory, {label} columns", run.PeakMb, "MB", columns >= 1_000_000 ? 300 : (double?)null);
            ctx.Report($"review --accept all of that run, {label} results", review.Elapsed.TotalSeconds, "s", null,
                $"CPU {review.CpuSeconds:F2} s, peak {review.PeakMb:F0} MB (loads only named results; a level is one UPDATE); load {BenchContext.LoadAverage()}");
        }
        if (peaks.TryGetValue(100_000, out var at100k))
            foreach (var (columns, peak) in peaks.Where(p => p.Key > 100_000))
                ctx.Report($"peak memory at {columns:N0} ÷ at 100,000 columns", peak / at100k, "×", 1.2);
    }

    /// <summary>One run-apply into a fresh store database, then the floor over the same catalog and the same result rows.</summary>
    static async Task<(AmxRun Run, AmxRun Floor, AmxRun Review)> OnceAsync(BenchContext ctx, string warehouse, Dictionary<string, string> psql)
    {
        await using (var admin = new NpgsqlConnection(ctx.PostgresAdmin))
        {
            await admin.OpenAsync();
            await Sql.ExecAsync(admin, $"DROP DATABASE IF EXISTS {StoreDatabase} WITH (FORCE)");
            await Sql.ExecAsync(admin, $"CREATE DATABASE {StoreDatabase}");
        }
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-scale-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        try
        {
            var pg = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
            var env = new Dictionary<string, string> { [PwVar] = pg.Password ?? "unused-with-trust-auth" };
            string[] Profile(string name, string db) =>
                ["add-db-profile", name, "--backend", "postgresql", "--host", pg.Host!, "--port", pg.Port.ToString(CultureInfo.InvariantCulture),
                 "--database", db, "--user", pg.Username!, "--password-env", PwVar];
            ctx.Amx(home, "bench", env, Profile("wh", warehouse)).Check("add-db-profile wh");
            ctx.Amx(home, "bench", env, Profile("store", StoreDatabase)).Check("add-db-profile store");
            ctx.Amx(home, "bench", env, "add-llm-profile", "off", "--provider", "offline").Check("add-llm-profile");
            ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "store", "--schema", "amx", "--yes").Check("history-store enable");

            var run = ctx.Amx(home, "bench", env, "run-apply", SyntheticWarehouse.PgSchema, "--accept", "none", "--profiling-mode", "metadata", "--yes",
                "--db-profile", "wh", "--llm-profile", "off", "--output", "json").Check("run-apply");
            // --accept none left every draft pending: accepting them all is the review of a whole warehouse.
            var runId = System.Text.Json.JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run_id").GetString()!;
            var review = ctx.Amx(home, "bench", env, "review", runId, "--accept", "all").Check("review");

            // The floor: the catalog read as psql does it, and the run's own rows COPYed into a table of the same shape.
            var rows = Path.Combine(home, "rows.tsv");
            var store = new Dictionary<string, string>(psql) { ["PGDATABASE"] = StoreDatabase };
            BenchContext.Shell($"\"$PSQL\" -X -q -c \"COPY amx.amx_history_results TO STDOUT\" > {rows} && " +
                               "\"$PSQL\" -X -q -c \"CREATE TABLE floor_results (LIKE amx.amx_history_results INCLUDING ALL)\"", store).Check("floor setup");
            const string catalog = "SELECT n.nspname, c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, d.description " +
                                   "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
                                   "LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum " +
                                   "WHERE n.nspname = 'bench' AND c.relkind IN ('r','p','v','m') AND a.attnum > 0 AND NOT a.attisdropped";
            var floor = BenchContext.Shell(
                $"\"$PSQL\" -X -q -d {warehouse} -c \"COPY ({catalog}) TO STDOUT\" > /dev/null && " +
                $"\"$PSQL\" -X -q -c \"\\copy floor_results FROM '{rows}'\"", store).Check("floor");
            return (run, floor, review);
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }
}
