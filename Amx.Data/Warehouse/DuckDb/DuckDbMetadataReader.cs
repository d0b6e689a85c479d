using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>
/// Reads the catalog of the opened file (DuckDB's <c>current_database()</c>, named after the file) from DuckDB's own
/// table functions in three set-based queries: relations (<c>duckdb_tables()</c> + <c>duckdb_views()</c>), columns
/// (<c>duckdb_columns()</c>, view columns included) and keys (<c>duckdb_constraints()</c>). Comments come with each row.
/// Other attached databases and the temp catalog are not read (docs/duckdb.md).
/// </summary>
public sealed class DuckDbMetadataReader : IMetadataReader
{
    const string Filter = """
        database_name = current_database()
        AND ($schema IS NULL OR schema_name = $schema)
        """;

    internal const string RelationsSql = $"""
        SELECT schema_name, table_name, 'T', comment, estimated_size FROM duckdb_tables()
        WHERE {Filter} AND ($table IS NULL OR table_name = $table)
        UNION ALL
        SELECT schema_name, view_name, 'V', comment, NULL FROM duckdb_views()
        WHERE NOT internal AND {Filter} AND ($table IS NULL OR view_name = $table)
        ORDER BY 1, 2
        """;

    internal const string ColumnsSql = $"""
        SELECT schema_name, table_name, column_name, column_index, data_type, is_nullable, column_default, comment
        FROM duckdb_columns()
        WHERE NOT internal AND {Filter} AND ($table IS NULL OR table_name = $table)
        """;

    // DuckDB names the referenced table but not its schema: prefer the referencing table's schema, as DuckDB's binder does.
    internal const string KeysSql = $"""
        SELECT c.schema_name, c.table_name, c.constraint_type, c.constraint_column_names,
               coalesce((SELECT t.schema_name FROM duckdb_tables() t
                         WHERE t.database_name = c.database_name AND t.table_name = c.referenced_table
                         ORDER BY t.schema_name = c.schema_name DESC, t.schema_name LIMIT 1), c.schema_name),
               c.referenced_table, c.referenced_column_names
        FROM duckdb_constraints() c
        WHERE c.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
          AND c.database_name = current_database()
          AND ($schema IS NULL OR c.schema_name = $schema) AND ($table IS NULL OR c.table_name = $table)
        ORDER BY c.schema_name, c.table_name, c.constraint_index
        """;

    readonly DuckDbProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, RelationsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddTable(r.GetString(0), r.GetString(1), r.GetString(2) == "V" ? TargetKinds.View : TargetKinds.Table,
                    CatalogBuilder.Text(r, 3), CatalogBuilder.Long(r, 4));

        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
                    DataType = r.GetString(4), IsNullable = r.GetBoolean(5), Default = CatalogBuilder.Text(r, 6), Comment = CatalogBuilder.Text(r, 7),
                });

        await using (var r = await QueryAsync(connection, KeysSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                if (b.Find(r.GetString(0), r.GetString(1)) is not { } t) continue;
                var cols = Names(r.GetValue(3));
                switch (r.GetString(2))
                {
                    case "PRIMARY KEY": t.PrimaryKey.AddRange(cols); break;
                    case "UNIQUE": t.UniqueKeys.Add(cols); break;
                    case "FOREIGN KEY":
                        t.ForeignKeys.Add(new ForeignKeyMeta
                        {
                            Columns = cols, References = new QualifiedName(r.GetString(4), r.GetString(5)), ReferencedColumns = Names(r.GetValue(6)),
                        });
                        break;
                }
            }

        await DuckDbViewDefinitions.ReadAsync(connection, b, scope, ct);
        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    /// <summary>A DuckDB VARCHAR[] as the driver returns it (a list of strings).</summary>
    static List<string> Names(object value) =>
        value is System.Collections.IEnumerable items and not string ? items.Cast<object?>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList() : [];

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        CatalogBuilder.AddText(cmd, "schema", scope?.Schema);
        CatalogBuilder.AddText(cmd, "table", scope?.Table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
