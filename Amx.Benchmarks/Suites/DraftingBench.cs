using System.Globalization;
using System.Text.Json;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Warehouse;
using Npgsql;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// Whole <c>amx</c> processes: (a) <c>amx run</c> of 10,000 columns through a fake OpenAI endpoint at 200 ms per
/// request and concurrency 16, against the ideal requests × latency ÷ concurrency; (b) offline <c>amx run-apply</c>
/// of the 2,000 × 50 PostgreSQL warehouse into a shared PostgreSQL history store.
/// </summary>
public sealed class DraftingBench : IBenchSuite
{
    const string DraftWarehouse = "warehouse_bench_draft10k";   // 200 × 50: its own shape
    const string ApplyWarehouse = "warehouse_bench_runapply";   // 2,000 × 50: run-apply writes comments into it
    const string StoreDatabase = "amx_bench_drafting_store";

    public string Name => "drafting";
    public string Description => "amx run 10,000 columns via fake LLM (≤ 1.3× ideal); offline run-apply 100,000 columns into shared PG (≤ 15 s, ≤ 500 MB); a 1,600-column table (≤ 3× one full listing)";

    public async Task RunAsync(BenchContext ctx)
    {
        var part = ctx.Option("part", "all"); // throughput | run-apply | all
        if (part is "all" or "throughput") await ThroughputAsync(ctx);
        if (part is "all" or "run-apply") await RunApplyAsync(ctx);
        if (part is "all" or "wide") await WideAsync(ctx);
    }

    /// <summary>A 1,600-column table (PostgreSQL's limit) through the fake endpoint: requests within the default
    /// budget, and the prompt text sent against one full listing of the table (docs/llm.md).</summary>
    async Task WideAsync(BenchContext ctx)
    {
        const string database = "warehouse_bench_wide";
        var admin = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
        await using (var c = new NpgsqlConnection(admin.ConnectionString))
        {
            await c.OpenAsync();
            await Sql.ExecAsync(c, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await Sql.ExecAsync(c, $"CREATE DATABASE {database}");
        }
        admin.Database = database;
        await using (var wh = new NpgsqlConnection(admin.ConnectionString))
        {
            await wh.OpenAsync();
            var columns = Enumerable.Range(1, 1597).Select(i => $"attr_{i:0000} integer");
            await Sql.ExecAsync(wh, $"CREATE SCHEMA wide; CREATE TABLE wide.survey (id int PRIMARY KEY, code text UNIQUE, region_id int, {string.Join(", ", columns)})");
        }
        var profile = new Amx.Data.Config.DbProfile { Name = "wh", Backend = Amx.Data.Config.Backend.PostgreSql, Host = admin.Host, Port = admin.Port,
            Database = database, User = admin.Username, Password = admin.Password };
        var provider = Amx.Data.Warehouse.WarehouseProviders.For(profile.Backend);
        Amx.Data.Warehouse.Model.TableMeta table;
        await using (var conn = await provider.OpenAsync(profile))
            table = (await provider.Metadata.ReadAsync(conn, Amx.Data.Warehouse.Scope.Parse("wide.survey"), new Amx.Data.Warehouse.MetadataOptions())).Tables.Single();
        var listing = Amx.Data.Llm.Chat.DraftPrompt.SystemPrompt(2, 1024).Length + Amx.Data.Llm.Chat.DraftPrompt.FullMessage(
            new Amx.Data.Llm.DraftRequest { Table = table, Targets = [Amx.Data.Llm.DraftTarget.ForTable(table)] }, 2).Length;

        var latency = TimeSpan.FromMilliseconds(int.Parse(ctx.Option("latency-ms", "200"), CultureInfo.InvariantCulture));
        await using var server = new FakeLlmServer(FakeProtocol.OpenAi) { Latency = latency };
        var home = NewHome();
        var env = Env(ctx);
        env["BENCH_LLM_KEY"] = "sk-bench";
        AddWarehouse(ctx, home, env, database);
        ctx.Amx(home, "bench", env, "add-llm-profile", "fake", "--provider", "openai", "--model", "bench-model",
            "--base-url", server.BaseUrl, "--api-key-env", "BENCH_LLM_KEY").Check("add-llm-profile");
        var run = ctx.Amx(home, "bench", env, "run", "wide.survey", "--concurrency", "16", "--llm-profile", "fake", "--output", "json").Check("amx run wide");
        using var summary = JsonDocument.Parse(run.Stdout);
        var runId = summary.RootElement.GetProperty("run_id").GetString()!;
        var show = ctx.Amx(home, "bench", env, "history", "show", runId, "--output", "json").Check("history show");
        using var shown = JsonDocument.Parse(show.Stdout);
        var meta = shown.RootElement.GetProperty("metadata");
        var total = meta.GetProperty("request_chars_total").GetInt64();
        ctx.Report($"amx run of a 1,600-column table, {meta.GetProperty("request_count").GetInt64()} requests", run.Elapsed.TotalSeconds, "s", null,
            $"largest request {meta.GetProperty("request_chars_max").GetInt64()} chars (budget {meta.GetProperty("request_budget_chars").GetInt64()}); one full listing {listing} chars");
        ctx.Report("wide table: prompt chars sent ÷ one full listing", total / (double)listing, "×", 3);
        Directory.Delete(home, recursive: true);
    }

    async Task ThroughputAsync(BenchContext ctx)
    {
        var latency = TimeSpan.FromMilliseconds(int.Parse(ctx.Option("latency-ms", "200"), CultureInfo.InvariantCulture));
        var concurrency = int.Parse(ctx.Option("concurrency", "16"), CultureInfo.InvariantCulture);
        await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, 200, 50, DraftWarehouse);
        await using var server = new FakeLlmServer(FakeProtocol.OpenAi) { Latency = latency };
        var home = NewHome();
        var env = Env(ctx);
        env["BENCH_LLM_KEY"] = "sk-bench";
        AddWarehouse(ctx, home, env, DraftWarehouse);
        ctx.Amx(home, "bench", env, "add-llm-profile", "fake", "--provider", "openai", "--model", "bench-model",
            "--base-url", server.BaseUrl, "--api-key-env", "BENCH_LLM_KEY").Check("add-llm-profile");

        var run = ctx.Amx(home, "bench", env, "run", SyntheticWarehouse.PgSchema, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
            "--llm-profile", "fake", "--output", "json").Check("amx run");
        using var summary = JsonDocument.Parse(run.Stdout);
        var ok = summary.RootElement.GetProperty("ok").GetInt32();
        var inProcess = summary.RootElement.GetProperty("seconds").GetDouble();
        var ideal = Math.Ceiling(server.RequestCount / (double)concurrency) * latency.TotalSeconds;
        ctx.Report($"amx run, {ok} targets, {server.RequestCount} requests at {latency.TotalMilliseconds:0} ms × {concurrency}", run.Elapsed.TotalSeconds, "s", null,
            $"ideal {ideal:0.00} s; peak {run.PeakMb:0} MB; server saw at most {server.MaxInFlight} requests at once");
        ctx.Report("whole process ÷ ideal", run.Elapsed.TotalSeconds / ideal, "×", 1.3);
        ctx.Report("drafting service ÷ ideal (no process start)", inProcess / ideal, "×", null);
        Directory.Delete(home, recursive: true);
    }

    async Task RunApplyAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("tables", "2000"), CultureInfo.InvariantCulture);
        var columns = int.Parse(ctx.Option("columns", "50"), CultureInfo.InvariantCulture);
        var warehouse = await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, tables, columns, ApplyWarehouse);
        await using (var wh = new NpgsqlConnection(warehouse))
        {
            // Every pass applies the same work: the comments an earlier pass wrote go back to the synthetic ones.
            await wh.OpenAsync();
            await Sql.ExecAsync(wh, $$"""
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT c.relname, a.attname FROM pg_description d
                           JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace
                           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
                           WHERE n.nspname = '{{SyntheticWarehouse.PgSchema}}' AND d.objsubid > 0 AND a.attname <> 'c01' LOOP
                    EXECUTE format('COMMENT ON COLUMN {{SyntheticWarehouse.PgSchema}}.%I.%I IS NULL', r.relname, r.attname);
                  END LOOP;
                END $$;
                """);
        }
        await using (var admin = new NpgsqlConnection(ctx.PostgresAdmin))
        {
            await admin.OpenAsync();
            await Sql.ExecAsync(admin, $"DROP DATABASE IF EXISTS {StoreDatabase} WITH (FORCE)");
            await Sql.ExecAsync(admin, $"CREATE DATABASE {StoreDatabase}");
        }
        var home = NewHome();
        var env = Env(ctx);
        AddWarehouse(ctx, home, env, ApplyWarehouse);
        var pg = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
        ctx.Amx(home, "bench", env, "add-db-profile", "store", "--backend", "postgresql", "--host", pg.Host!, "--port", pg.Port.ToString(CultureInfo.InvariantCulture),
            "--database", StoreDatabase, "--user", pg.Username!, "--password-env", "BENCH_PG_PW").Check("add-db-profile store");
        ctx.Amx(home, "bench", env, "add-llm-profile", "off", "--provider", "offline").Check("add-llm-profile");
        ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "store", "--schema", "amx", "--yes").Check("history-store enable");

        var run = ctx.Amx(home, "bench", env, "run-apply", SyntheticWarehouse.PgSchema, "--profiling-mode", "metadata", "--yes",
            "--db-profile", "wh", "--llm-profile", "off", "--output", "json");
        if (run.ExitCode is not (0 or 4)) throw new InvalidOperationException($"run-apply exited {run.ExitCode}: {run.Stderr}");
        using var summary = JsonDocument.Parse(run.Stdout);
        var s = summary.RootElement;
        var drafted = s.GetProperty("drafted").GetInt32();
        var runId = s.GetProperty("run_id").GetString()!;
        var (draftSeconds, runSeconds) = await RunTimesAsync(ctx, runId);
        ctx.Report($"offline run-apply, {tables}×{columns} ({drafted} drafted, {s.GetProperty("applied").GetInt32()} applied)",
            run.Elapsed.TotalSeconds, "s", 15, $"drafting service {runSeconds:0.00} s (of which drafting+writing {draftSeconds:0.00} s); exit {run.ExitCode}");
        ctx.Report("offline run-apply peak memory", run.PeakMb, "MB", 500);
        Directory.Delete(home, recursive: true);
    }

    /// <summary>draft_seconds and total_seconds the drafting service wrote into the run's metadata.</summary>
    static async Task<(double Draft, double Total)> RunTimesAsync(BenchContext ctx, string runId)
    {
        var b = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin) { Database = StoreDatabase };
        await using var conn = new NpgsqlConnection(b.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT metadata_json FROM amx.amx_history_runs WHERE run_id = $1", conn) { Parameters = { new() { Value = runId } } };
        using var meta = JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync())!);
        return (meta.RootElement.GetProperty("draft_seconds").GetDouble(), meta.RootElement.GetProperty("total_seconds").GetDouble());
    }

    static string NewHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-drafting-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        return home;
    }

    static Dictionary<string, string> Env(BenchContext ctx) =>
        new() { ["BENCH_PG_PW"] = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin).Password ?? "unused-with-trust-auth" };

    static void AddWarehouse(BenchContext ctx, string home, Dictionary<string, string> env, string database)
    {
        var pg = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
        ctx.Amx(home, "bench", env, "add-db-profile", "wh", "--backend", "postgresql", "--host", pg.Host!, "--port", pg.Port.ToString(CultureInfo.InvariantCulture),
            "--database", database, "--user", pg.Username!, "--password-env", "BENCH_PG_PW").Check("add-db-profile wh");
    }
}
