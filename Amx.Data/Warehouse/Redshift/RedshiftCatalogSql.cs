using System.Data.Common;
using System.Text;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// The catalog SQL amx sends to Redshift, written for what Redshift has: PostgreSQL 8.0 syntax on the leader node
/// (no arrays as parameters, no unnest, no WITH ORDINALITY, no FILTER), and no query that mixes leader-node catalog
/// tables (pg_*) with compute-node system views (svv_*, stv_*), which Redshift refuses. Hence one query per kind.
/// </summary>
public static class RedshiftCatalogSql
{
    // User schemas only; the scope's schema/table when given (bind parameters, never spliced text).
    const string SchemaFilter = """
        n.nspname NOT IN ('pg_catalog','information_schema','pg_toast','pg_internal','pg_automv','pg_auto_copy','pg_mv','pg_s3','catalog_history')
        AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%'
        AND (@schema IS NULL OR n.nspname = @schema)
        AND (@table IS NULL OR c.relname = @table)
        """;

    /// <summary>
    /// Local tables and views with their comments and view text. A late-binding view (<c>WITH NO SCHEMA BINDING</c>)
    /// has no pg_attribute rows; the last column says so. External (Spectrum) tables are not in pg_class at all.
    /// </summary>
    public const string Relations = $"""
        SELECT n.nspname::varchar, c.relname::varchar, c.relkind::varchar, d.description::varchar,
               CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid)::varchar END,
               CASE WHEN c.relkind = 'v' AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)
                    THEN 1 ELSE 0 END
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
        WHERE c.relkind IN ('r','v') AND {SchemaFilter}
        ORDER BY 1, 2
        """;

    /// <summary>Row estimates from svv_table_info (compute nodes, so a query of its own; it lists no empty tables).</summary>
    public const string RowEstimates = """
        SELECT "schema"::varchar, "table"::varchar, coalesce(estimated_visible_rows, tbl_rows)::bigint
        FROM svv_table_info
        WHERE (@schema IS NULL OR "schema" = @schema)
          AND (@table IS NULL OR "table" = @table)
        """;

    /// <summary>
    /// Columns from svv_columns: local tables, views and late-binding views alike (pg_attribute has no columns for the
    /// latter), with the comment in <c>remarks</c>. Columns of external tables come too; amx drops them, as it drops
    /// their tables, because Redshift cannot comment them.
    /// </summary>
    public const string Columns = """
        SELECT table_schema::varchar, table_name::varchar, column_name::varchar, ordinal_position::int, data_type::varchar,
               character_maximum_length::int, numeric_precision::int, numeric_scale::int, is_nullable::varchar,
               column_default::varchar, remarks::varchar
        FROM svv_columns
        WHERE table_schema NOT IN ('pg_catalog','information_schema','pg_internal','pg_automv','pg_auto_copy','pg_mv','pg_s3','catalog_history')
          AND (@schema IS NULL OR table_schema = @schema)
          AND (@table IS NULL OR table_name = @table)
        """;

    /// <summary>
    /// Primary, unique and foreign keys (informational on Redshift, but they say what a column means), one row per
    /// key column in key order: generate_series walks conkey/confkey in place of unnest … WITH ORDINALITY.
    /// </summary>
    public const string Keys = $"""
        SELECT n.nspname::varchar, c.relname::varchar, con.contype::varchar, con.conname::varchar, k.i,
               a.attname::varchar, fn.nspname::varchar, fc.relname::varchar, fa.attname::varchar
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN generate_series(1, 32) AS k(i) ON k.i <= array_upper(con.conkey, 1)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[k.i]
        LEFT JOIN pg_class fc ON fc.oid = con.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        LEFT JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[k.i]
        WHERE con.contype IN ('p','u','f') AND {SchemaFilter}
        ORDER BY 1, 2, 4, 5
        """;

    /// <summary>
    /// <c>(n.nspname = @s0 AND c.relname = @t0) OR …</c> for a list of tables, with the parameters added to
    /// <paramref name="cmd"/>: Redshift takes no array parameters, so no <c>= ANY(@array)</c> or unnest.
    /// </summary>
    public static string TableFilter(DbCommand cmd, IReadOnlyList<(string Schema, string Table)> tables)
    {
        var sb = new StringBuilder("(");
        for (var i = 0; i < tables.Count; i++)
        {
            if (i > 0) sb.Append(" OR ");
            sb.Append($"(n.nspname = @s{i} AND c.relname = @t{i})");
            CatalogBuilder.AddText(cmd, $"s{i}", tables[i].Schema);
            CatalogBuilder.AddText(cmd, $"t{i}", tables[i].Table);
        }
        return sb.Append(')').ToString();
    }

    /// <summary>Tables per <see cref="TableFilter"/> query: well below the protocol's 32,767 parameters.</summary>
    public const int TablesPerQuery = 500;
}
