using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>
/// Reads the catalog of the opened file (DuckDB's <c>current_database()</c>, named after the file) from DuckDB's own
/// table functions in three set-based queries: relations (<c>duckdb_tables()</c> + <c>duckdb_views()</c>), columns
/// (<c>duckdb_columns()</c>, view columns included) and keys (<c>duckdb_constraints()</c>). Comments come with each row.
/// Each catalog function builds every row of the whole catalog on each call (no filter pushdown), so the read calls
/// each once and asks nothing per table (100,000 columns: docs/duckdb.md, benchmark).
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

    // Plain scan: a correlated lookup of each referenced table's schema here cost more than the rest of the read
    // (duckdb_tables() is rebuilt per call); the schema is resolved from the relations already read instead.
    internal const string KeysSql = $"""
        SELECT schema_name, table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names
        FROM duckdb_constraints()
        WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
          AND {Filter} AND ($table IS NULL OR table_name = $table)
        ORDER BY schema_name, table_name, constraint_index
        """;

    // Only for foreign keys whose referenced table is outside the relations read (a schema or table scope).
    const string TableSchemasSql = """
        SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
        """;

    readonly DuckDbProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        // Every base table read, amx's own included: where a foreign key's referenced table lives.
        var tableSchemas = new TableSchemas();
        await using (var r = await QueryAsync(connection, RelationsSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var (schema, name, isView) = (r.GetString(0), r.GetString(1), r.GetString(2) == "V");
                if (!isView) tableSchemas.Add(schema, name);
                b.AddTable(schema, name, isView ? TargetKinds.View : TargetKinds.Table, CatalogBuilder.Text(r, 3), CatalogBuilder.Long(r, 4));
            }

        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
                    DataType = r.GetString(4), IsNullable = r.GetBoolean(5), Default = CatalogBuilder.Text(r, 6), Comment = CatalogBuilder.Text(r, 7),
                });

        var keys = new List<(TableMeta Table, string Type, List<string> Columns, string? Referenced, List<string>? ReferencedColumns)>();

        await using (var r = await QueryAsync(connection, KeysSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                if (b.Find(r.GetString(0), r.GetString(1)) is not { } t) continue;
                var type = r.GetString(2);
                keys.Add(type == "FOREIGN KEY"
                    ? (t, type, Names(r.GetValue(3)), r.GetString(4), Names(r.GetValue(5)))
                    : (t, type, Names(r.GetValue(3)), null, null));
            }
        if (keys.Any(k => k.Referenced is { } name && !tableSchemas.Has(k.Table.Name.Schema, name)))
            await tableSchemas.ReadAllAsync(connection, ct);
        foreach (var (t, type, cols, referenced, referencedColumns) in keys)
            switch (type)
            {
                case "PRIMARY KEY": t.PrimaryKey.AddRange(cols); break;
                case "UNIQUE": t.UniqueKeys.Add(cols); break;
                case "FOREIGN KEY":
                    t.ForeignKeys.Add(new ForeignKeyMeta
                    {
                        Columns = cols, References = new QualifiedName(tableSchemas.Resolve(t.Name.Schema, referenced!), referenced!), ReferencedColumns = referencedColumns!,
                    });
                    break;
            }

        await DuckDbViewDefinitions.ReadAsync(connection, b, scope, ct);
        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    /// <summary>
    /// DuckDB names a foreign key's referenced table but not its schema: as DuckDB's binder does, the referencing
    /// table's schema when it has a table of that name, else the first schema (in order) that has one.
    /// </summary>
    sealed class TableSchemas
    {
        readonly Dictionary<string, SortedSet<string>> _byName = new(StringComparer.Ordinal);
        bool _complete;

        public void Add(string schema, string table)
        {
            if (!_byName.TryGetValue(table, out var schemas)) _byName[table] = schemas = new SortedSet<string>(StringComparer.Ordinal);
            schemas.Add(schema);
        }

        public bool Has(string schema, string table) => _byName.TryGetValue(table, out var s) && s.Contains(schema);

        public async Task ReadAllAsync(DbConnection connection, CancellationToken ct)
        {
            if (_complete) return;
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = TableSchemasSql;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) Add(r.GetString(0), r.GetString(1));
            _complete = true;
        }

        public string Resolve(string referencingSchema, string table) =>
            !_byName.TryGetValue(table, out var schemas) || schemas.Count == 0 ? referencingSchema
            : schemas.Contains(referencingSchema) ? referencingSchema
            : schemas.Min!;
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
