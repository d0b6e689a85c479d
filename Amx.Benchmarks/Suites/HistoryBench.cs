using System.Diagnostics;
using Amx.Benchmarks.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// The read side of a big shared store: 10,000 runs and 1,000,000 results in PostgreSQL (database
/// <c>amx_history_bench</c>, schema <c>amx</c>), bulk-loaded with binary COPY on first use and reused while the counts
/// match: the whole-process wall time of <c>history list</c>, the median of 3 runs after a warm-up. Show --hash-only and
/// compare run on a second database with just two big runs (<see cref="PairAsync"/>).
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
    public string Description => "history list over 10k runs / 1M results (≤ 0.2 s; --history-list no skips it); two runs of --history-results N (100k): show --hash-only (≤ 2× psql COPY | sha256sum) and compare (≤ 10 s at 1M) beside their floors";

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

            if (ctx.Option("history-list", "yes") != "no")
            {
                await EnsureLoadedAsync(new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = Database }.ConnectionString);
                Measure(ctx, home, env, "history list (10k runs)", 0.2, out var list, "history", "list");
                if (!list.Stdout.Contains(RunA)) throw new InvalidOperationException("history list does not show the newest run:\n" + list.Stdout);
            }
            await PairAsync(ctx, admin, env);
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Two runs of N results each (<c>--history-results</c>, default 100,000) in their own database, inserted with
    /// generate_series and reused while the counts match: <c>history show --hash-only</c> beside <c>psql COPY | sha256sum</c>,
    /// and <c>history compare</c> (json and table, stdout dropped) beside one psql COPY of the same FULL JOIN, each with
    /// wall, CPU, peak memory and the ratio to its floor.
    /// </summary>
    static async Task PairAsync(BenchContext ctx, NpgsqlConnectionStringBuilder admin, Dictionary<string, string> env)
    {
        var n = int.Parse(ctx.Option("history-results", "100000"), System.Globalization.CultureInfo.InvariantCulture);
        var repeat = int.Parse(ctx.Option("history-repeat", "3"), System.Globalization.CultureInfo.InvariantCulture);
        var db = PairDatabase;
        var pair = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = "postgres" };
        await using (var c = new NpgsqlConnection(pair.ConnectionString))
        {
            await c.OpenAsync();
            if (await Sql.ScalarAsync(c, $"SELECT count(*) FROM pg_database WHERE datname = '{db}'") == 0)
                await Sql.ExecAsync(c, $"CREATE DATABASE {db}");
        }
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-history-pair-" + Environment.ProcessId);
        Directory.CreateDirectory(home);
        try
        {
            File.WriteAllText(Path.Combine(home, "config.yml"), $"""
                schema_version: 1
                db_profiles:
                  bench:
                    backend: postgresql
                    host: {admin.Host}
                    port: {admin.Port}
                    database: {db}
                    user: {admin.Username}
                    password_env: {PwVar}
                active_db_profile: bench
                """);
            ctx.Amx(home, "bench", env, "history-store", "enable", "--profile", "bench", "--schema", "amx", "--yes").Check("history-store enable");
            pair.Database = db;
            await EnsurePairAsync(pair.ConnectionString, n);

            var label = n >= 1_000_000 && n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : $"{n / 1000}k";
            var psql = new Dictionary<string, string>
            {
                ["PSQL"] = File.Exists("/usr/lib/postgresql/15/bin/psql") ? "/usr/lib/postgresql/15/bin/psql" : "psql",
                ["PGHOST"] = admin.Host!, ["PGPORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PGUSER"] = admin.Username!, ["PGPASSWORD"] = admin.Password ?? "", ["PGDATABASE"] = db, ["PGCLIENTENCODING"] = "UTF8",
            };
            string Copy(string sql) => $"\"$PSQL\" -X -q -c \"COPY ({sql.Replace("\"", "\\\"")}) TO STDOUT\"";

            // The hash: the DBA's own check is the floor (docs/history-store.md).
            var hashFloor = Floor(repeat, Copy($"SELECT target_qname, target_kind, confidence, description FROM amx.amx_history_results WHERE run_id = '{PairA}' " +
                                               "ORDER BY target_qname COLLATE \"C\"") + " | sha256sum", psql);
            var hash = Timed(ctx, repeat, $"history show --hash-only ({label} results)", 2 * hashFloor.Elapsed.TotalSeconds, hashFloor, discard: false,
                home, env, "history", "show", PairA, "--hash-only");
            if (hash.Stdout.Trim() != hashFloor.Stdout.Split(' ')[0])
                throw new InvalidOperationException($"--hash-only {hash.Stdout.Trim()} is not psql COPY | sha256sum {hashFloor.Stdout.Split(' ')[0]}");

            // Whole listings, streamed: show's json and csv, review's export; the floor copies the run's rows out in byte order.
            var rowsFloor = Floor(repeat, Copy($"SELECT * FROM amx.amx_history_results WHERE run_id = '{PairA}' ORDER BY target_qname COLLATE \"C\"") + " > /dev/null", psql);
            Timed(ctx, repeat, $"history show --output json ({label} results), stdout dropped", null, rowsFloor, discard: true, home, env,
                "history", "show", PairA, "--output", "json");
            Timed(ctx, repeat, $"history show --output csv ({label} results), stdout dropped", null, rowsFloor, discard: true, home, env,
                "history", "show", PairA, "--output", "csv");
            Timed(ctx, repeat, $"review --export FILE.csv ({label} results)", null, rowsFloor, discard: true, home, env,
                "review", PairA, "--export", Path.Combine(home, "review.csv"));

            // Compare: the server's FULL JOIN of the two runs, in byte order, copied out, is the floor.
            var join = "SELECT coalesce(a.target_qname, b.target_qname) AS t, a.description, b.description, " +
                       "CASE WHEN a.description IS NULL AND b.description IS NULL THEN 'same' WHEN b.description IS NULL THEN 'a added' " +
                       "WHEN a.description IS NULL THEN 'b added' WHEN a.description = b.description THEN 'same' ELSE 'diff' END " +
                       $"FROM (SELECT target_qname, description FROM amx.amx_history_results WHERE run_id = '{PairA}') a " +
                       $"FULL JOIN (SELECT target_qname, description FROM amx.amx_history_results WHERE run_id = '{PairB}') b ON a.target_qname = b.target_qname " +
                       "ORDER BY coalesce(a.target_qname, b.target_qname) COLLATE \"C\"";
            var compareFloor = Floor(repeat, Copy(join) + " > /dev/null", psql);
            var target = Math.Max(3.0, 10.0 * n / 1_000_000);
            var json = Timed(ctx, repeat, $"history compare --output json ({label} × 2)", target, compareFloor, discard: true, home, env,
                "history", "compare", PairA, PairB, "--output", "json");
            Timed(ctx, repeat, $"history compare, table ({label} × 2)", target, compareFloor, discard: true, home, env, "history", "compare", PairA, PairB);
            Console.Error.WriteLine($"    compare json: {json.StdoutBytes / 1024 / 1024} MiB");
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    const string PairDatabase = "amx_history_bench_pair", PairA = "run_pair_a", PairB = "run_pair_b";

    /// <summary>The floor's median run of <paramref name="repeat"/> after a warm-up.</summary>
    static AmxRun Floor(int repeat, string script, Dictionary<string, string> env)
    {
        BenchContext.Shell(script, env).Check("floor");
        var runs = Enumerable.Range(0, repeat).Select(_ => BenchContext.Shell(script, env).Check("floor")).OrderBy(r => r.Elapsed).ToList();
        return runs[runs.Count / 2];
    }

    /// <summary>amx's median run beside its floor: wall, CPU, peak memory, ratio, and the load average.</summary>
    static AmxRun Timed(BenchContext ctx, int repeat, string name, double? target, AmxRun floor, bool discard, string home, Dictionary<string, string> env, params string[] args)
    {
        AmxRun One() => (discard ? ctx.AmxDiscarding(home, "bench", env, args) : ctx.Amx(home, "bench", env, args)).Check(name);
        One();
        var runs = Enumerable.Range(0, repeat).Select(_ => One()).OrderBy(r => r.Elapsed).ToList();
        var m = runs[runs.Count / 2];
        ctx.Report(name, m.Elapsed.TotalSeconds, "s", target,
            $"CPU {m.CpuSeconds:F2} s, peak {m.PeakMb:F0} MB; floor {floor.Elapsed.TotalSeconds:F3} s (CPU {floor.CpuSeconds:F2} s), " +
            $"ratio {m.Elapsed.TotalSeconds / floor.Elapsed.TotalSeconds:F2}× wall, {m.CpuSeconds / floor.CpuSeconds:F2}× CPU; " +
            $"min {runs[0].Elapsed.TotalSeconds:F3} max {runs[^1].Elapsed.TotalSeconds:F3} s; load {BenchContext.LoadAverage()}");
        return m;
    }

    static async Task EnsurePairAsync(string cs, int n)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        if (await Sql.ScalarAsync(conn, $"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{PairA}'") == n
            && await Sql.ScalarAsync(conn, $"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{PairB}'") == n)
            return;
        Console.Error.WriteLine($"  inserting two runs of {n:N0} results into {PairDatabase} …");
        var sw = Stopwatch.StartNew();
        // A: every target. B: 70 % the same text, 20 % another, 10 % missing, and as many of its own; every 97th NULL.
        await Sql.ExecAsync(conn, $"""
            TRUNCATE amx.amx_history_results, amx.amx_history_runs;
            INSERT INTO amx.amx_history_runs (run_id, who, host, client_version, started_at, finished_at, scope, db_profile, db_backend, llm_provider, llm_model, state, ok_count, fail_count)
            VALUES ('{PairA}', 'alice@acme.com', 'bench-host', '0.1.0', now() - interval '2 hours', now() - interval '1 hour', 'bench', 'bench', 'postgresql', 'openai', 'gpt-4o-mini', 'drafted', {n}, 0),
                   ('{PairB}', 'bob@acme.com', 'bench-host', '0.1.0', now() - interval '1 hour', now(), 'bench', 'bench', 'postgresql', 'openai', 'gpt-4o-mini', 'drafted', {n}, 0);
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, applied)
            SELECT '{PairA}', 'bench.t' || lpad((g / 50)::text, 6, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN',
                   CASE WHEN g % 97 = 0 THEN NULL ELSE 'Column ' || g % 50 || ' of table ' || g / 50 || ': the value recorded for each row, as loaded nightly.' END,
                   CASE WHEN g % 5 = 0 THEN 'medium' ELSE 'high' END, 'pending', false
            FROM generate_series(0, {n - 1}) g;
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, applied)
            SELECT '{PairB}', 'bench.t' || lpad((g / 50)::text, 6, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN',
                   CASE WHEN g % 97 = 0 THEN NULL WHEN g % 10 < 7 THEN 'Column ' || g % 50 || ' of table ' || g / 50 || ': the value recorded for each row, as loaded nightly.'
                        ELSE 'Column ' || g % 50 || ' of table ' || g / 50 || ': another value recorded for each row.' END, 'high', 'pending', false
            FROM generate_series(0, {n - 1}) g WHERE g % 10 <> 9;
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, applied)
            SELECT '{PairB}', 'bench.x' || lpad((g / 50)::text, 6, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN', 'An extra column ' || g, 'low', 'pending', false
            FROM generate_series(0, {n / 10 - 1}) g;
            ANALYZE amx.amx_history_results;
            """);
        Console.Error.WriteLine($"  inserted in {sw.Elapsed.TotalSeconds:F0} s");
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
