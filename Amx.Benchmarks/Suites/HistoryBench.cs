using System.Diagnostics;
using Amx.Benchmarks.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// The read side of a big shared store: 10,000 runs and 1,000,000 results in PostgreSQL (database
/// <c>amx_history_bench</c>, schema <c>amx</c>), bulk-loaded with binary COPY on first use and reused while the counts
/// match. Whole-process wall times of <c>history list</c>, <c>history show RUN --hash</c> (100,000 results) and
/// <c>history compare</c> of two 100,000-result runs; the median of 3 runs after a warm-up.
/// </summary>
public sealed class HistoryBench : IBenchSuite
{
    const string Database = "amx_history_bench";
    const int Runs = 10_000;
    const int Results = 1_000_000;
    const int BigRun = 100_000;
    const string PwVar = "AMX_BENCH_HISTORY_PW";
    static readonly DateTime Newest = new(2026, 5, 3, 15, 44, 0, DateTimeKind.Utc);

    public string Name => "history";
    public string Description => "history list (≤ 0.5 s), show --hash of 100k results (≤ 1.5 s), compare of two 100k runs (≤ 3 s) over 10k runs / 1M results";

    /// <summary>The two big runs: the newest two, so they also lead <c>history list</c>.</summary>
    static readonly string RunA = RunId(0), RunB = RunId(1);

    public async Task RunAsync(BenchContext ctx)
    {
        var admin = new NpgsqlConnectionStringBuilder(ctx.PostgresAdmin);
        await using (var c = new NpgsqlConnection(admin.ConnectionString))
        {
            await c.OpenAsync();
            if (await Sql.ScalarAsync(c, $"SELECT count(*) FROM pg_database WHERE datname = '{Database}'") == 0)
                await Sql.ExecAsync(c, $"CREATE DATABASE {Database}");
        }
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-history-" + Environment.ProcessId);
        Directory.CreateDirectory(home);
        try
        {
            var env = new Dictionary<string, string> { [PwVar] = admin.Password ?? "" };
            File.WriteAllText(Path.Combine(home, "config.yml"), $"""
                schema_version: 1
                db_profiles:
                  bench:
                    backend: postgresql
                    host: {admin.Host}
                    port: {admin.Port}
                    database: {Database}
                    user: {admin.Username}
                    password_env: {PwVar}
                active_db_profile: bench
                """);
            ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "bench", "--schema", "amx", "--yes").Check("history-store enable");
            admin.Database = Database;
            await EnsureLoadedAsync(admin.ConnectionString);

            Measure(ctx, home, env, "history list (10k runs)", 0.5, out var list, "history", "list");
            if (!list.Stdout.Contains(RunA)) throw new InvalidOperationException("history list does not show the newest run:\n" + list.Stdout);
            Measure(ctx, home, env, "history show --hash (100k results)", 1.5, out var show, "history", "show", RunA, "--hash");
            var hash = show.Stdout.TrimEnd('\n')[^64..];
            if (!System.Text.RegularExpressions.Regex.IsMatch(hash, "^[0-9a-f]{64}$")) throw new InvalidOperationException("no hash on the last line");
            Measure(ctx, home, env, "history compare (2 × 100k results)", 3.0, out var compare, "history", "compare", RunA, RunB);
            Console.Error.WriteLine("    compare: " + compare.Stdout.TrimEnd('\n').Split('\n')[^1]);
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    static void Measure(BenchContext ctx, string home, Dictionary<string, string> env, string name, double target, out AmxRun last, params string[] args)
    {
        ctx.Amx(home, "bench", env, args).Check(name); // warm-up: page cache, dotnet's own caches
        var runs = Enumerable.Range(0, 3).Select(_ => ctx.Amx(home, "bench", env, args).Check(name)).OrderBy(r => r.Elapsed).ToList();
        last = runs[1];
        ctx.Report(name, runs[1].Elapsed.TotalSeconds, "s", target,
            $"min {runs[0].Elapsed.TotalSeconds:F3} s, max {runs[2].Elapsed.TotalSeconds:F3} s, peak {runs[1].PeakMb:F0} MB, stdout {runs[1].Stdout.Length / 1024} KiB");
    }

    static string RunId(int i)
    {
        // Newest first; real-looking ids: run_<UTC minute>-NNN.
        var started = Newest.AddMinutes(-10 * i);
        return $"run_{started:yyyy-MM-dd_HH-mm}-{1 + i % 3:D3}";
    }

    static async Task EnsureLoadedAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        if (await Sql.ScalarAsync(conn, "SELECT count(*) FROM amx.amx_history_runs") == Runs
            && await Sql.ScalarAsync(conn, "SELECT count(*) FROM amx.amx_history_results") == Results)
            return;
        Console.Error.WriteLine($"  loading {Runs:N0} runs and {Results:N0} results into {Database} …");
        var sw = Stopwatch.StartNew();
        await Sql.ExecAsync(conn, "TRUNCATE amx.amx_history_results, amx.amx_history_runs");
        var people = Enumerable.Range(0, 20).Select(i => $"user{i:D2}@acme.com").ToArray();
        // 800,000 results over the 9,998 other runs: 80 each, the first few one more.
        int SmallRunSize(int i) => (Results - 2 * BigRun) / (Runs - 2) + (i - 2 < (Results - 2 * BigRun) % (Runs - 2) ? 1 : 0);

        await using (var w = await conn.BeginBinaryImportAsync(
                         "COPY amx.amx_history_runs (run_id, who, host, client_version, started_at, finished_at, scope, db_profile, db_backend, " +
                         "llm_provider, llm_model, state, ok_count, fail_count, metadata_json) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Runs; i++)
            {
                var started = Newest.AddMinutes(-10 * i);
                var big = i < 2;
                await w.StartRowAsync();
                await w.WriteAsync(RunId(i), NpgsqlDbType.Varchar);
                await w.WriteAsync(people[i % people.Length], NpgsqlDbType.Varchar);
                await w.WriteAsync("bench-host", NpgsqlDbType.Varchar);
                await w.WriteAsync("0.1.0", NpgsqlDbType.Varchar);
                await w.WriteAsync(started, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(started.AddMinutes(3), NpgsqlDbType.TimestampTz);
                await w.WriteAsync(big ? "bench" : $"bench.t{i % 2000:D4}", NpgsqlDbType.Varchar);
                await w.WriteAsync("bench", NpgsqlDbType.Varchar);
                await w.WriteAsync("postgresql", NpgsqlDbType.Varchar);
                await w.WriteAsync("openai", NpgsqlDbType.Varchar);
                await w.WriteAsync("gpt-4o-mini", NpgsqlDbType.Varchar);
                await w.WriteAsync(i % 50 == 7 ? "failed" : i % 3 == 0 ? "applied" : "drafted", NpgsqlDbType.Varchar);
                await w.WriteAsync(big ? BigRun : SmallRunSize(i), NpgsqlDbType.Integer);
                await w.WriteAsync(0, NpgsqlDbType.Integer);
                await w.WriteAsync($$"""{"tables":{{(big ? 2000 : 1)}},"profiling_mode":"metadata"}""", NpgsqlDbType.Text);
            }
            await w.CompleteAsync();
        }

        await using (var w = await conn.BeginBinaryImportAsync(
                         "COPY amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, applied) FROM STDIN (FORMAT BINARY)"))
        {
            async Task Row(string run, string qname, string? description, string confidence)
            {
                await w.StartRowAsync();
                await w.WriteAsync(run, NpgsqlDbType.Varchar);
                await w.WriteAsync(qname, NpgsqlDbType.Varchar);
                await w.WriteAsync("COLUMN", NpgsqlDbType.Varchar);
                if (description is null) await w.WriteNullAsync(); else await w.WriteAsync(description, NpgsqlDbType.Text);
                await w.WriteAsync(confidence, NpgsqlDbType.Varchar);
                await w.WriteAsync("pending", NpgsqlDbType.Varchar);
                await w.WriteAsync(false, NpgsqlDbType.Boolean);
            }
            static string Target(int k) => $"bench.t{k / 50:D4}.c{k % 50:D2}";
            static string Text(int k, string flavour) => $"Column {k % 50} of table {k / 50}: {flavour} value recorded for each row, as loaded nightly.";

            // Run A: every one of the 100,000 targets. Run B: 70 % the same text, 20 % another, 10 % missing, plus some of its own.
            for (var k = 0; k < BigRun; k++) await Row(RunA, Target(k), k % 97 == 0 ? null : Text(k, "the"), k % 5 == 0 ? "medium" : "high");
            var inB = 0;
            for (var k = 0; k < BigRun && inB < BigRun; k++)
            {
                if (k % 10 == 9) continue;
                await Row(RunB, Target(k), k % 10 < 7 ? (k % 97 == 0 ? null : Text(k, "the")) : Text(k, "another"), "high");
                inB++;
            }
            for (var k = 0; inB < BigRun; k++, inB++) await Row(RunB, $"bench.extra{k / 50:D4}.c{k % 50:D2}", Text(k, "an extra"), "low");

            for (var i = 2; i < Runs; i++)
                for (var j = 0; j < SmallRunSize(i); j++)
                {
                    var k = (i * 50 + j) % BigRun;
                    await Row(RunId(i), Target(k), Text(k, i % 2 == 0 ? "the" : "a drafted"), j % 3 == 0 ? "medium" : "high");
                }
            await w.CompleteAsync();
        }
        await Sql.ExecAsync(conn, "ANALYZE amx.amx_history_runs; ANALYZE amx.amx_history_results");
        Console.Error.WriteLine($"  loaded in {sw.Elapsed.TotalSeconds:F0} s");
    }
}
