using System.Data.Common;
using DuckDB.NET.Data;

namespace Amx.Tool.Tests.DuckDb;

/// <summary>
/// A throwaway DuckDB warehouse file: mixed-case and quoted names in two schemas, a view, primary, unique and
/// foreign keys, and existing comments. Opened with DuckDB's own driver to set up and to read back.
/// </summary>
public sealed class DuckDbFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"amx-duck-{Guid.NewGuid():N}.duckdb");

    /// <summary>The DuckDB database name of the file (its stem), as the catalog names it.</summary>
    public string Database => System.IO.Path.GetFileNameWithoutExtension(Path);

    public const string Lines = "order \"lines\"";

    public static DuckDbFile Create()
    {
        var f = new DuckDbFile();
        f.Exec(""""
            CREATE SCHEMA "Sales";
            CREATE SCHEMA ops;
            CREATE TABLE "Sales"."Customer" ("Id" INTEGER PRIMARY KEY, "E-Mail" VARCHAR UNIQUE, name VARCHAR NOT NULL DEFAULT 'n/a', code VARCHAR);
            CREATE TABLE "Sales"."order ""lines""" (order_id INTEGER, line INTEGER, "Customer Id" INTEGER REFERENCES "Sales"."Customer"("Id"),
                                                  amount DECIMAL(10,2), PRIMARY KEY (order_id, line));
            CREATE TABLE ops.events (id BIGINT, kind VARCHAR, happened_at TIMESTAMP, tags VARCHAR[], UNIQUE (kind, happened_at));
            CREATE VIEW "Sales"."Big Customers" AS SELECT "Id", name FROM "Sales"."Customer" WHERE "Id" > 10;
            COMMENT ON TABLE "Sales"."Customer" IS 'People who buy';
            COMMENT ON COLUMN "Sales"."Customer".name IS 'Full name, it''s \ free text';
            COMMENT ON VIEW "Sales"."Big Customers" IS 'Customers above 10';
            INSERT INTO "Sales"."Customer" SELECT i, 'user' || i || '@example.com', 'Name ' || i, 'C' || (i % 3) FROM range(1, 301) t(i);
            INSERT INTO ops.events SELECT i, 'k' || (i % 4), TIMESTAMP '2024-01-01' + to_minutes(i), ['a'] FROM range(5000) t(i);
            """");
        return f;
    }

    public DuckDBConnection Open(bool readOnly = false)
    {
        var c = new DuckDBConnection($"Data Source={Path}{(readOnly ? ";ACCESS_MODE=READ_ONLY" : "")}");
        c.Open();
        return c;
    }

    public void Exec(string sql)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every comment of the file, read by DuckDB itself: "schema.table" or "schema.table.column" → comment.</summary>
    public Dictionary<string, string?> Comments()
    {
        using var c = Open(readOnly: true);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() WHERE database_name = current_database()
            UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
            UNION ALL SELECT schema_name || '.' || table_name || '.' || column_name, comment FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
            """;
        var result = new Dictionary<string, string?>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
        return result;
    }

    public void Dispose()
    {
        foreach (var f in new[] { Path, Path + ".wal" })
            if (File.Exists(f)) File.Delete(f);
    }
}
