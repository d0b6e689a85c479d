using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>
/// Reads the profile's Unity Catalog catalog from its <c>information_schema</c> in three set-based statements
/// (tables/views with comments, columns with comments, view definitions), chunk by chunk, then the keys
/// (informational in Unity Catalog: primary and foreign keys only) from <c>key_column_usage</c> and
/// <c>referential_constraints</c>, then profiles with <see cref="DatabricksProfiler"/>. Row counts are not read
/// (docs/cloud-warehouses.md).
/// </summary>
public sealed class DatabricksMetadataReader : IMetadataReader
{
    internal const string Filter = "table_schema <> 'information_schema' AND table_schema = COALESCE(:schema, table_schema) AND table_name = COALESCE(:table, table_name)";

    internal const string RelationsSql = $"SELECT table_schema, table_name, table_type, comment FROM information_schema.tables WHERE {Filter} ORDER BY 1, 2";
    internal const string ColumnsSql = $"SELECT table_schema, table_name, column_name, ordinal_position, data_type, is_nullable, column_default, comment FROM information_schema.columns WHERE {Filter}";
    internal const string ViewsSql = $"SELECT table_schema, table_name, view_definition FROM information_schema.views WHERE {Filter}";
    // key_column_usage holds the columns of primary and foreign keys only; position_in_unique_constraint is set for
    // foreign keys (the position in the referenced key) and NULL for primary keys, so it tells the two apart.
    internal const string KeyColumnsSql = $"SELECT table_schema, table_name, constraint_schema, constraint_name, column_name, ordinal_position, position_in_unique_constraint FROM information_schema.key_column_usage WHERE {Filter}";
    internal const string ReferentialSql = "SELECT constraint_schema, constraint_name, unique_constraint_catalog, unique_constraint_schema, unique_constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = COALESCE(:schema, constraint_schema)";

    readonly DatabricksProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, RelationsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddTable(r.GetString(0), r.GetString(1), KindOf(r.GetString(2)), CatalogBuilder.Text(r, 3), null);
        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
                    DataType = r.GetString(4), IsNullable = r.GetString(5) == "YES", Default = CatalogBuilder.Text(r, 6), Comment = CatalogBuilder.Text(r, 7),
                });
        await using (var r = await QueryAsync(connection, ViewsSql, scope, ct))
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { Kind: TargetKinds.View } view)
                    view.ViewDefinition = CatalogBuilder.Text(r, 2);
        if (b.Catalog.Tables.Any(t => t.Kind == TargetKinds.Table)) await ReadKeysAsync(connection, b, scope, ct);
        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    sealed record KeyColumn(string Schema, string Table, string Column, int Ordinal, int? PositionInReferenced);

    static async Task ReadKeysAsync(DbConnection connection, CatalogBuilder b, Scope? scope, CancellationToken ct)
    {
        var inScope = await ReadKeyColumnsAsync(connection, scope, ct);
        var hasForeign = inScope.Values.Any(cols => cols.Any(c => c.PositionInReferenced is not null));
        var referenced = new Dictionary<(string, string), (string Catalog, string Schema, string Name)>();
        if (hasForeign)
        {
            await using var r = await QueryAsync(connection, ReferentialSql, scope?.Schema, null, ct, withTable: false);
            while (await r.ReadAsync(ct))
                referenced[(r.GetString(0), r.GetString(1))] = (r.GetString(2), r.GetString(3), r.GetString(4));
        }
        // A referenced key outside the scope (another schema or table): read the key columns of the whole catalog once.
        var all = inScope;
        if (scope is not null && inScope.Keys.Any(k => referenced.TryGetValue(k, out var u) && !inScope.ContainsKey((u.Schema, u.Name))))
            all = await ReadKeyColumnsAsync(connection, null, ct);
        var catalogName = (connection as Http.HttpSqlConnection)?.Settings.Database;

        foreach (var (key, cols) in inScope.OrderBy(k => k.Key.Item2, StringComparer.Ordinal))
        {
            var ordered = cols.OrderBy(c => c.Ordinal).ToList();
            if (b.Find(ordered[0].Schema, ordered[0].Table) is not { } t) continue;
            if (ordered.All(c => c.PositionInReferenced is null))
            {
                t.PrimaryKey.AddRange(ordered.Select(c => c.Column));
                continue;
            }
            // Keys into another catalog have no name amx can hold; a referenced key amx cannot see is left out.
            if (!referenced.TryGetValue(key, out var u) || (catalogName is not null && u.Catalog != catalogName)
                || !all.TryGetValue((u.Schema, u.Name), out var target)) continue;
            var targetCols = target.OrderBy(c => c.Ordinal).ToList();
            if (ordered.Any(c => c.PositionInReferenced is not { } p || p < 1 || p > targetCols.Count)) continue;
            t.ForeignKeys.Add(new ForeignKeyMeta
            {
                Columns = ordered.Select(c => c.Column).ToList(),
                References = new QualifiedName(targetCols[0].Schema, targetCols[0].Table),
                ReferencedColumns = ordered.Select(c => targetCols[c.PositionInReferenced!.Value - 1].Column).ToList(),
            });
        }
    }

    /// <summary>Key columns by constraint (constraint_schema, constraint_name).</summary>
    static async Task<Dictionary<(string, string), List<KeyColumn>>> ReadKeyColumnsAsync(DbConnection connection, Scope? scope, CancellationToken ct)
    {
        var keys = new Dictionary<(string, string), List<KeyColumn>>();
        await using var r = await QueryAsync(connection, KeyColumnsSql, scope?.Schema, scope?.Table, ct);
        while (await r.ReadAsync(ct))
        {
            var key = (r.GetString(2), r.GetString(3));
            if (!keys.TryGetValue(key, out var cols)) keys[key] = cols = [];
            cols.Add(new KeyColumn(r.GetString(0), r.GetString(1), r.GetString(4), Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture)));
        }
        return keys;
    }

    internal static string KindOf(string tableType) => tableType switch
    {
        "VIEW" => TargetKinds.View,
        "MATERIALIZED_VIEW" => TargetKinds.MaterializedView,
        _ => TargetKinds.Table,
    };

    static Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct) =>
        QueryAsync(connection, sql, scope?.Schema, scope?.Table, ct);

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, string? schema, string? table, CancellationToken ct, bool withTable = true)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        CatalogBuilder.AddText(cmd, "schema", schema);
        if (withTable) CatalogBuilder.AddText(cmd, "table", table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
