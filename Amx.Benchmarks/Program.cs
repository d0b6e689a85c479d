using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using MySqlConnector;
using Npgsql;

// Times a metadata read of a synthetic warehouse (default 2,000 tables × 50 columns) on PostgreSQL and MariaDB.
// The warehouse is created on first run in database/schema "warehouse_bench" and reused afterwards.
// Usage: dotnet run -c Release --project Amx.Benchmarks -- [--pg CONNSTR] [--mariadb CONNSTR] [--tables N] [--columns N] [--only pg|mariadb]
// Connection strings also come from AMX_BENCH_PG / AMX_BENCH_MARIADB; the defaults are the dev servers.

var options = ParseArgs(args);
var tables = int.Parse(options.GetValueOrDefault("tables", "2000"));
var columns = int.Parse(options.GetValueOrDefault("columns", "50"));
var only = options.GetValueOrDefault("only");
var pg = options.GetValueOrDefault("pg") ?? Environment.GetEnvironmentVariable("AMX_BENCH_PG")
         ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
var maria = options.GetValueOrDefault("mariadb") ?? Environment.GetEnvironmentVariable("AMX_BENCH_MARIADB")
            ?? "Server=127.0.0.1;Port=53306;User ID=root;Password=root";
const string Name = "warehouse_bench";

var failed = false;
if (only is null or "pg")
{
    var admin = new NpgsqlConnectionStringBuilder(pg);
    await using (var c = new NpgsqlConnection(admin.ConnectionString))
    {
        await c.OpenAsync();
        if (await ScalarAsync(c, $"SELECT count(*) FROM pg_database WHERE datname = '{Name}'") == 0)
            await ExecAsync(c, $"CREATE DATABASE {Name}");
    }
    admin.Database = Name;
    await using var conn = new NpgsqlConnection(admin.ConnectionString);
    await conn.OpenAsync();
    if (await ScalarAsync(conn, $"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bench' AND c.relkind = 'r'") != tables
        || await ScalarAsync(conn, "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bench' AND c.relkind = 'r' AND a.attnum > 0") != (long)tables * columns)
    {
        Console.Error.WriteLine($"PostgreSQL: creating {tables} tables × {columns} columns in {Name}.bench …");
        await ExecAsync(conn, "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench");
        await CreateAsync(conn, tables, columns, (t, cols) =>
            $"CREATE TABLE bench.t{t:D4} ({cols}); COMMENT ON TABLE bench.t{t:D4} IS 'table {t}'; COMMENT ON COLUMN bench.t{t:D4}.c01 IS 'first column';",
            c => c == 0 ? "id bigint PRIMARY KEY" : $"c{c:D2} {(c % 3 == 0 ? "text" : c % 3 == 1 ? "integer" : "numeric(12,2)")} {(c % 2 == 0 ? "NOT NULL DEFAULT 0" : "")}");
        await ExecAsync(conn, "ANALYZE");
    }
    failed |= !await TimeAsync("PostgreSQL", WarehouseProviders.For(Backend.PostgreSql), conn, "bench", tables, columns, targetSeconds: 1.0);
}

if (only is null or "mariadb")
{
    var b = new MySqlConnectionStringBuilder(maria) { AllowUserVariables = true };
    await using (var c = new MySqlConnection(b.ConnectionString))
    {
        await c.OpenAsync();
        await ExecAsync(c, $"CREATE DATABASE IF NOT EXISTS {Name} CHARACTER SET utf8mb4");
    }
    b.Database = Name;
    await using var conn = new MySqlConnection(b.ConnectionString);
    await conn.OpenAsync();
    if (await ScalarAsync(conn, $"SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{Name}'") != tables
        || await ScalarAsync(conn, $"SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{Name}'") != (long)tables * columns)
    {
        Console.Error.WriteLine($"MariaDB: creating {tables} tables × {columns} columns in {Name} …");
        await ExecAsync(conn, $"DROP DATABASE {Name}; CREATE DATABASE {Name} CHARACTER SET utf8mb4; USE {Name}");
        await CreateAsync(conn, tables, columns, (t, cols) => $"CREATE TABLE t{t:D4} ({cols}) COMMENT 'table {t}';",
            c => c == 0 ? "id bigint PRIMARY KEY" : $"c{c:D2} {(c % 3 == 0 ? "text" : c % 3 == 1 ? "int" : "decimal(12,2)")}{(c % 2 == 0 ? " NOT NULL DEFAULT 0" : "")}{(c == 1 ? " COMMENT 'first column'" : "")}");
    }
    failed |= !await TimeAsync("MariaDB", WarehouseProviders.For(Backend.MariaDb), conn, Name, tables, columns, targetSeconds: 2.0);
}
return failed ? 1 : 0;

static async Task<bool> TimeAsync(string label, IWarehouseProvider provider, DbConnection conn, string schema, int tables, int columns, double targetSeconds)
{
    var scope = Scope.Parse(schema);
    var warm = await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default); // first read warms caches and JIT
    var got = (Tables: warm.Tables.Count, Columns: warm.Tables.Sum(t => t.Columns.Count));
    if (got != (tables, columns))
        if (got.Tables != tables || got.Columns != (long)tables * columns)
            Console.Error.WriteLine($"{label}: expected {tables} tables / {tables * columns} columns, read {got.Tables} / {got.Columns}");
    var times = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        var sw = Stopwatch.StartNew();
        await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default);
        times.Add(sw.Elapsed.TotalSeconds);
    }
    var sww = Stopwatch.StartNew();
    var whole = await provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
    var wholeTime = sww.Elapsed.TotalSeconds;
    times.Sort();
    var median = times[times.Count / 2];
    var ok = median <= targetSeconds;
    Console.WriteLine($"{label}: {got.Tables} tables × {got.Columns / Math.Max(1, got.Tables)} columns ({got.Columns} columns) " +
                      $"read in median {median:F3} s (min {times[0]:F3} s, max {times[^1]:F3} s, first {times.Count} runs warm); " +
                      $"whole warehouse ({whole.Tables.Count} tables) {wholeTime:F3} s; target ≤ {targetSeconds:F1} s: {(ok ? "OK" : "MISSED")}");
    return ok;
}

static async Task CreateAsync(DbConnection conn, int tables, int columns, Func<int, string, string> ddl, Func<int, string> column)
{
    var sb = new StringBuilder();
    for (var t = 0; t < tables; t++)
    {
        sb.Append(ddl(t, string.Join(", ", Enumerable.Range(0, columns).Select(column)))).Append('\n');
        if (t % 50 == 49 || t == tables - 1)
        {
            await ExecAsync(conn, sb.ToString());
            sb.Clear();
        }
    }
}

static async Task ExecAsync(DbConnection conn, string sql)
{
    await using var cmd = conn.CreateCommand();
    cmd.CommandText = sql;
    cmd.CommandTimeout = 600;
    await cmd.ExecuteNonQueryAsync();
}

static async Task<long> ScalarAsync(DbConnection conn, string sql)
{
    await using var cmd = conn.CreateCommand();
    cmd.CommandText = sql;
    return Convert.ToInt64(await cmd.ExecuteScalarAsync());
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var d = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2) d[args[i].TrimStart('-')] = args[i + 1];
    return d;
}
