using System.Data.Common;
using System.Text;
using MySqlConnector;
using Npgsql;

namespace Amx.Benchmarks.Infrastructure;

/// <summary>
/// The synthetic warehouse the suites share: <c>tables × columns</c> (default 2,000 × 50), some with comments, in
/// database <c>warehouse_bench</c> (PostgreSQL: schema <c>bench</c>; MariaDB: the database itself). Built on first
/// use and reused while its shape matches.
/// </summary>
public static class SyntheticWarehouse
{
    public const string Database = "warehouse_bench";
    public const string PgSchema = "bench";

    /// <summary>Returns a connection string to the PostgreSQL warehouse database (another <paramref name="database"/> for a
    /// suite that changes its warehouse, e.g. by applying comments, or needs another shape).</summary>
    public static async Task<string> EnsurePostgresAsync(string adminConnectionString, int tables, int columns, string database = Database)
    {
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        await using (var c = new NpgsqlConnection(admin.ConnectionString))
        {
            await c.OpenAsync();
            if (await Sql.ScalarAsync(c, $"SELECT count(*) FROM pg_database WHERE datname = '{database}'") == 0)
                await Sql.ExecAsync(c, $"CREATE DATABASE {database}");
        }
        admin.Database = database;
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        if (await Sql.ScalarAsync(conn, $"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{PgSchema}' AND c.relkind = 'r'") != tables
            || await Sql.ScalarAsync(conn, $"SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{PgSchema}' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped") != (long)tables * columns)
        {
            Console.Error.WriteLine($"  PostgreSQL: creating {tables} tables × {columns} columns in {database}.{PgSchema} …");
            await Sql.ExecAsync(conn, $"DROP SCHEMA IF EXISTS {PgSchema} CASCADE; CREATE SCHEMA {PgSchema}");
            await CreateAsync(conn, tables, columns, (t, cols) =>
                $"CREATE TABLE {PgSchema}.t{t:D4} ({cols}); COMMENT ON TABLE {PgSchema}.t{t:D4} IS 'table {t}'; COMMENT ON COLUMN {PgSchema}.t{t:D4}.c01 IS 'first column';",
                c => c == 0 ? "id bigint PRIMARY KEY" : $"c{c:D2} {(c % 3 == 0 ? "text" : c % 3 == 1 ? "integer" : "numeric(12,2)")} {(c % 2 == 0 ? "NOT NULL DEFAULT 0" : "")}");
            await Sql.ExecAsync(conn, "ANALYZE");
        }
        return admin.ConnectionString;
    }

    /// <summary>Returns a connection string to the MariaDB warehouse database.</summary>
    public static async Task<string> EnsureMariaDbAsync(string adminConnectionString, int tables, int columns)
    {
        var b = new MySqlConnectionStringBuilder(adminConnectionString) { AllowUserVariables = true };
        await using (var c = new MySqlConnection(b.ConnectionString))
        {
            await c.OpenAsync();
            await Sql.ExecAsync(c, $"CREATE DATABASE IF NOT EXISTS {Database} CHARACTER SET utf8mb4");
        }
        b.Database = Database;
        await using var conn = new MySqlConnection(b.ConnectionString);
        await conn.OpenAsync();
        if (await Sql.ScalarAsync(conn, $"SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{Database}'") != tables
            || await Sql.ScalarAsync(conn, $"SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{Database}'") != (long)tables * columns)
        {
            Console.Error.WriteLine($"  MariaDB: creating {tables} tables × {columns} columns in {Database} …");
            await Sql.ExecAsync(conn, $"DROP DATABASE {Database}; CREATE DATABASE {Database} CHARACTER SET utf8mb4; USE {Database}");
            await CreateAsync(conn, tables, columns, (t, cols) => $"CREATE TABLE t{t:D4} ({cols}) COMMENT 'table {t}';",
                c => c == 0 ? "id bigint PRIMARY KEY" : $"c{c:D2} {(c % 3 == 0 ? "text" : c % 3 == 1 ? "int" : "decimal(12,2)")}{(c % 2 == 0 ? " NOT NULL DEFAULT 0" : "")}{(c == 1 ? " COMMENT 'first column'" : "")}");
        }
        return b.ConnectionString;
    }

    static async Task CreateAsync(DbConnection conn, int tables, int columns, Func<int, string, string> ddl, Func<int, string> column)
    {
        var sb = new StringBuilder();
        for (var t = 0; t < tables; t++)
        {
            sb.Append(ddl(t, string.Join(", ", Enumerable.Range(0, columns).Select(column)))).Append('\n');
            if (t % 50 == 49 || t == tables - 1)
            {
                await Sql.ExecAsync(conn, sb.ToString());
                sb.Clear();
            }
        }
    }
}

public static class Sql
{
    public static async Task ExecAsync(DbConnection conn, string sql)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 1200;
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(DbConnection conn, string sql)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 1200;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
