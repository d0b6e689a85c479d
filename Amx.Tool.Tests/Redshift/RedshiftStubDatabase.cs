using Npgsql;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// A database on the real PostgreSQL 15 test server made to look like Redshift where amx reads it: stub views
/// <c>svv_columns</c> and <c>svv_table_info</c> with exactly the columns Redshift documents (in schema
/// catalog_history, a Redshift system schema amx never drafts, on the search path as pg_catalog is on Redshift),
/// a zero-column view standing for a late-binding view (whose columns, as on Redshift, only svv_columns lists),
/// svv_columns rows of an external (Spectrum) table that pg_class does not know, and Redshift's literal rule:
/// a backslash in '' is an escape (standard_conforming_strings off).
/// </summary>
public sealed class RedshiftStubDatabase
{
    public const string PasswordVar = "AMX_TEST_REDSHIFT_PW";

    public required PostgresServer Server { get; init; }
    public required string Database { get; init; }

    /// <summary>The stub views with Redshift's documented columns, in documented order.</summary>
    public const string StubViews = """
        CREATE SCHEMA catalog_history;
        -- Columns pg_attribute does not have: a late-binding view's and an external table's (svv_columns still lists them).
        CREATE TABLE catalog_history.unbound_columns (table_schema text, table_name text, column_name text, ordinal_position int,
                                                     data_type text, character_maximum_length int);
        CREATE VIEW catalog_history.svv_columns AS
        SELECT c.table_catalog::text AS table_catalog, c.table_schema::text AS table_schema, c.table_name::text AS table_name,
               c.column_name::text AS column_name, c.ordinal_position::int AS ordinal_position, c.column_default::text AS column_default,
               c.is_nullable::text AS is_nullable, c.data_type::text AS data_type, c.character_maximum_length::int AS character_maximum_length,
               c.numeric_precision::int AS numeric_precision, c.numeric_precision_radix::int AS numeric_precision_radix,
               c.numeric_scale::int AS numeric_scale, c.datetime_precision::int AS datetime_precision, c.interval_type::text AS interval_type,
               c.interval_precision::text AS interval_precision, c.character_set_catalog::text AS character_set_catalog,
               c.character_set_schema::text AS character_set_schema, c.character_set_name::text AS character_set_name,
               c.collation_catalog::text AS collation_catalog, c.collation_schema::text AS collation_schema,
               c.collation_name::text AS collation_name, c.domain_name::text AS domain_name,
               col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position::int) AS remarks
        FROM information_schema.columns c
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
        UNION ALL
        SELECT current_database()::text, u.table_schema, u.table_name, u.column_name, u.ordinal_position, NULL, 'YES', u.data_type,
               u.character_maximum_length, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM catalog_history.unbound_columns u;
        -- Like Redshift's, it lists no empty tables.
        CREATE VIEW catalog_history.svv_table_info AS
        SELECT current_database()::text AS database, n.nspname::text AS schema, c.oid::int AS table_id, c.relname::text AS "table",
               'Y'::text AS encoded, 'AUTO(EVEN)'::text AS diststyle, NULL::text AS sortkey1, 0 AS max_varchar, NULL::text AS sortkey1_enc,
               0 AS sortkey_num, 0::bigint AS size, 0::numeric(10,4) AS pct_used, 0::bigint AS empty, 0::numeric(5,2) AS unsorted,
               0::numeric(5,2) AS stats_off, c.reltuples::numeric(38,0) AS tbl_rows, 0::numeric(19,2) AS skew_sortkey1,
               0::numeric(19,2) AS skew_rows, c.reltuples::numeric(38,0) AS estimated_visible_rows, NULL::text AS risk_event,
               NULL::text AS vacuum_sort_benefit, now()::timestamp AS create_time
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.reltuples > 0;
        """;

    /// <summary>A fresh stub database holding <paramref name="ddl"/> (run after the stubs, then ANALYZE).</summary>
    public static async Task<RedshiftStubDatabase> CreateAsync(string ddl)
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("redshift");
        await pg.ExecuteAsync($"""
            ALTER DATABASE "{db}" SET search_path = "$user", public, catalog_history;
            ALTER DATABASE "{db}" SET standard_conforming_strings = off;
            ALTER DATABASE "{db}" SET escape_string_warning = off;
            """);
        await pg.ExecuteAsync(StubViews + "\n" + ddl + "\nANALYZE;", db);
        return new RedshiftStubDatabase { Server = pg, Database = db };
    }

    public NpgsqlConnection Open(string? user = null, string? password = null)
    {
        var c = new NpgsqlConnection(Server.ConnectionString(Database, user, password));
        c.Open();
        return c;
    }

    public Task ExecAsync(string sql) => Server.ExecuteAsync(sql, Database);

    /// <summary>Every comment on relations and columns of the user schemas, read by PostgreSQL itself (key: schema.table[.column]).</summary>
    public Dictionary<string, string?> Comments()
    {
        using var conn = Open();
        using var cmd = new NpgsqlCommand("""
            SELECT n.nspname || '.' || c.relname || CASE WHEN a.attnum IS NULL THEN '' ELSE '.' || a.attname END,
                   d.description
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = coalesce(a.attnum, 0)
            WHERE c.relkind IN ('r','v') AND n.nspname NOT IN ('pg_catalog','information_schema','catalog_history')
            UNION ALL
            SELECT n.nspname || '.' || c.relname, d.description
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = 0
            WHERE c.relkind IN ('r','v') AND n.nspname NOT IN ('pg_catalog','information_schema','catalog_history')
            """, conn);
        var result = new Dictionary<string, string?>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
        return result;
    }

    /// <summary>The arguments of <c>amx add-db-profile NAME --backend redshift</c> for this database (TLS off: the test server has none).</summary>
    public string[] AddProfileArgs(string name) =>
        ["add-db-profile", name, "--backend", "redshift", "--host", Server.Host, "--port", Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--database", Database, "--user", Server.AdminUser, "--password-env", PasswordVar, "--option", "SslMode=Disable"];
}
