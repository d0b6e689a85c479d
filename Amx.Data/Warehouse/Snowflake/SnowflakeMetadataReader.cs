using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// Reads the profile's database from its INFORMATION_SCHEMA in three set-based statements (tables and views with
/// comments and row counts, columns with comments, view definitions), each read partition by partition, then the
/// keys with one <c>SHOW … KEYS</c> per kind for the whole scope (INFORMATION_SCHEMA.TABLE_CONSTRAINTS has no
/// columns), then profiles with <see cref="SnowflakeProfiler"/> (docs/cloud-warehouses.md).
/// </summary>
public sealed class SnowflakeMetadataReader : IMetadataReader
{
    // COALESCE(?, col): a NULL binding means "any" (the whole database, or a whole schema).
    internal const string Filter = "TABLE_SCHEMA <> 'INFORMATION_SCHEMA' AND TABLE_SCHEMA = COALESCE(?, TABLE_SCHEMA) AND TABLE_NAME = COALESCE(?, TABLE_NAME)";

    internal const string RelationsSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, COMMENT, ROW_COUNT FROM INFORMATION_SCHEMA.TABLES
        WHERE {Filter} ORDER BY 1, 2
        """;

    internal const string ColumnsSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COMMENT
        FROM INFORMATION_SCHEMA.COLUMNS WHERE {Filter}
        """;

    internal const string ViewsSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM INFORMATION_SCHEMA.VIEWS WHERE {Filter}
        """;

    readonly SnowflakeProfiler _profiler = new();

    /// <summary>
    /// SHOW PRIMARY|UNIQUE|IMPORTED KEYS over the scope: the current database, one schema or one table. SHOW takes no
    /// bindings, so the scope's names go in as quoted identifiers.
    /// </summary>
    internal static string ShowKeysSql(string kind, Scope? scope)
    {
        var d = SnowflakeDialect.Instance;
        var where = scope is null ? "DATABASE"
            : scope.Table is null ? $"SCHEMA {d.QuoteIdentifier(scope.Schema)}"
            : $"TABLE {d.QuoteTable(new QualifiedName(scope.Schema, scope.Table))}";
        return $"SHOW {kind} KEYS IN {where}";
    }

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, RelationsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddTable(r.GetString(0), r.GetString(1), KindOf(r.GetString(2)), Comment(r, 3), CatalogBuilder.Long(r, 4));

        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
                    DataType = r.GetString(4), IsNullable = r.GetString(5) == "YES", Default = CatalogBuilder.Text(r, 6), Comment = Comment(r, 7),
                });

        await using (var r = await QueryAsync(connection, ViewsSql, scope, ct))
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { Kind: TargetKinds.View } view)
                    view.ViewDefinition = CatalogBuilder.Text(r, 2);

        // Keys exist on tables only; SHOW … IN TABLE fails for a table that is not there.
        if (b.Catalog.Tables.Any(t => t.Kind == TargetKinds.Table)) await ReadKeysAsync(connection, b, scope, ct);
        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    static async Task ReadKeysAsync(DbConnection connection, CatalogBuilder b, Scope? scope, CancellationToken ct)
    {
        foreach (var kind in new[] { "PRIMARY", "UNIQUE" })
        {
            var keys = new Dictionary<(TableMeta, string), SortedList<int, string>>();
            await using (var r = await ShowAsync(connection, ShowKeysSql(kind, scope), ct))
            {
                var (schema, table, column, seq, name) = (r.GetOrdinal("schema_name"), r.GetOrdinal("table_name"), r.GetOrdinal("column_name"), r.GetOrdinal("key_sequence"), r.GetOrdinal("constraint_name"));
                while (await r.ReadAsync(ct))
                    if (b.Find(r.GetString(schema), r.GetString(table)) is { } t)
                        Columns(keys, (t, r.GetString(name)))[r.GetInt32(seq)] = r.GetString(column);
            }
            foreach (var ((t, _), cols) in keys.OrderBy(k => k.Key.Item2, StringComparer.Ordinal))
                if (kind == "PRIMARY") t.PrimaryKey.AddRange(cols.Values);
                else t.UniqueKeys.Add([.. cols.Values]);
        }

        var fks = new Dictionary<(TableMeta, string), (QualifiedName References, SortedList<int, (string Column, string Referenced)> Columns)>();
        await using (var r = await ShowAsync(connection, ShowKeysSql("IMPORTED", scope), ct))
        {
            int O(string n) => r.GetOrdinal(n);
            var (pkDb, pkSchema, pkTable, pkColumn) = (O("pk_database_name"), O("pk_schema_name"), O("pk_table_name"), O("pk_column_name"));
            var (fkDb, fkSchema, fkTable, fkColumn, seq, name) = (O("fk_database_name"), O("fk_schema_name"), O("fk_table_name"), O("fk_column_name"), O("key_sequence"), O("fk_name"));
            while (await r.ReadAsync(ct))
            {
                // A key into another database has no name amx can hold (names are schema.table within the database).
                if (r.GetString(pkDb) != r.GetString(fkDb) || b.Find(r.GetString(fkSchema), r.GetString(fkTable)) is not { } t) continue;
                var key = (t, r.GetString(name));
                if (!fks.TryGetValue(key, out var fk)) fks[key] = fk = (new QualifiedName(r.GetString(pkSchema), r.GetString(pkTable)), new());
                fk.Columns[r.GetInt32(seq)] = (r.GetString(fkColumn), r.GetString(pkColumn));
            }
        }
        foreach (var ((t, _), fk) in fks.OrderBy(k => k.Key.Item2, StringComparer.Ordinal))
            t.ForeignKeys.Add(new ForeignKeyMeta
            {
                Columns = fk.Columns.Values.Select(c => c.Column).ToList(), References = fk.References,
                ReferencedColumns = fk.Columns.Values.Select(c => c.Referenced).ToList(),
            });
    }

    static SortedList<int, string> Columns(Dictionary<(TableMeta, string), SortedList<int, string>> keys, (TableMeta, string) key)
    {
        if (!keys.TryGetValue(key, out var cols)) keys[key] = cols = new SortedList<int, string>();
        return cols;
    }

    static async Task<DbDataReader> ShowAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteReaderAsync(ct);
    }

    /// <summary>An empty comment is how Snowflake shows a removed one (amx removes with IS '').</summary>
    internal static string? Comment(DbDataReader r, int i) => CatalogBuilder.Text(r, i) is { Length: > 0 } s ? s : null;

    internal static string KindOf(string tableType) => tableType switch
    {
        "VIEW" => TargetKinds.View,
        "MATERIALIZED VIEW" => TargetKinds.MaterializedView,
        _ => TargetKinds.Table,
    };

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        CatalogBuilder.AddText(cmd, "1", scope?.Schema);
        CatalogBuilder.AddText(cmd, "2", scope?.Table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
