using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>
/// Reads BigQuery metadata set-based from INFORMATION_SCHEMA: of one dataset (the scope's schema, else the
/// profile's <c>--dataset</c>) or of the whole project in its region (<c>`region-LOCATION`</c>, default US).
/// Tables/views with their descriptions (TABLES ⟕ TABLE_OPTIONS, whose <c>option_value</c> is a GoogleSQL literal),
/// columns with their descriptions (COLUMNS ⟕ COLUMN_FIELD_PATHS on the top-level field path), view SQL, and the
/// unenforced primary and foreign keys (TABLE_CONSTRAINTS, KEY_COLUMN_USAGE, CONSTRAINT_COLUMN_USAGE).
/// Profiling (sampled/full) first reads the tables' row counts from the region's TABLE_STORAGE (sample sizes, skipping
/// full scans of tables past the row limit), then profiles with <see cref="BigQueryProfiler"/> (docs/cloud-warehouses.md).
/// </summary>
public sealed class BigQueryMetadataReader : IMetadataReader
{
    const string Q = "{Q}";

    internal const string RelationsSql = $"""
        SELECT t.table_schema, t.table_name, t.table_type, o.option_value
        FROM {Q}.INFORMATION_SCHEMA.TABLES t
        LEFT JOIN {Q}.INFORMATION_SCHEMA.TABLE_OPTIONS o ON o.table_schema = t.table_schema AND o.table_name = t.table_name AND o.option_name = 'description'
        WHERE t.table_schema = COALESCE(@schema, t.table_schema) AND t.table_name = COALESCE(@table, t.table_name) ORDER BY 1, 2
        """;

    internal const string ColumnsSql = $"""
        SELECT c.table_schema, c.table_name, c.column_name, c.ordinal_position, c.data_type, c.is_nullable, c.column_default, p.description
        FROM {Q}.INFORMATION_SCHEMA.COLUMNS c
        LEFT JOIN {Q}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS p ON p.table_schema = c.table_schema AND p.table_name = c.table_name AND p.field_path = c.column_name
        WHERE c.table_schema = COALESCE(@schema, c.table_schema) AND c.table_name = COALESCE(@table, c.table_name)
        """;

    internal const string ViewsSql = $"""
        SELECT table_schema, table_name, view_definition FROM {Q}.INFORMATION_SCHEMA.VIEWS
        WHERE table_schema = COALESCE(@schema, table_schema) AND table_name = COALESCE(@table, table_name)
        """;

    internal const string KeysSql = $"""
        SELECT k.table_schema, k.table_name, c.constraint_type, k.constraint_name, k.column_name, k.ordinal_position, k.position_in_unique_constraint
        FROM {Q}.INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
        JOIN {Q}.INFORMATION_SCHEMA.TABLE_CONSTRAINTS c ON c.constraint_name = k.constraint_name AND c.table_schema = k.table_schema AND c.table_name = k.table_name
        WHERE k.table_schema = COALESCE(@schema, k.table_schema) AND k.table_name = COALESCE(@table, k.table_name) ORDER BY 1, 2, 4, 6
        """;

    internal const string ReferencesSql = $"""
        SELECT constraint_schema, constraint_name, table_schema, table_name, column_name FROM {Q}.INFORMATION_SCHEMA.CONSTRAINT_COLUMN_USAGE
        WHERE constraint_schema = COALESCE(@schema, constraint_schema)
        """;

    /// <summary>
    /// Row counts for profiling. TABLE_STORAGE takes a region qualifier only (not a dataset one); it lists tables and
    /// materialized views, so views and external tables keep no count.
    /// </summary>
    internal const string StorageSql = $"""
        SELECT table_schema, table_name, total_rows FROM {Q}.INFORMATION_SCHEMA.TABLE_STORAGE
        WHERE table_schema = COALESCE(@schema, table_schema) AND table_name = COALESCE(@table, table_name)
        """;

    readonly BigQueryProfiler _profiler = new();

    /// <summary><c>`project`.`region-location`</c>: the qualifier of views that take no dataset qualifier.</summary>
    static string RegionQualifier(CloudSettings s)
    {
        var d = BigQueryDialect.Instance;
        return $"{d.QuoteIdentifier(s.Database!)}.{d.QuoteIdentifier("region-" + (s.Location ?? "US").ToLowerInvariant())}";
    }

    /// <summary>The INFORMATION_SCHEMA qualifier: <c>`project`.`dataset`</c>, or <c>`project`.`region-us`</c> for the whole project.</summary>
    public static string Qualifier(CloudSettings s, string? dataset)
    {
        var d = BigQueryDialect.Instance;
        var project = d.QuoteIdentifier(s.Database ?? throw new HttpSqlException("the BigQuery profile names no project (--project)", "settings"));
        var ds = dataset ?? s.Schema;
        return ds is not null ? $"{project}.{d.QuoteIdentifier(ds)}" : RegionQualifier(s);
    }

    internal static CloudSettings SettingsOf(DbConnection connection) =>
        (connection as HttpSqlConnection)?.Settings ?? throw new ArgumentException("a BigQuery connection is needed", nameof(connection));

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var settings = SettingsOf(connection);
        var q = Qualifier(settings, scope?.Schema);
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, RelationsSql, q, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddTable(r.GetString(0), r.GetString(1), KindOf(r.GetString(2)), Description(CatalogBuilder.Text(r, 3)), null);

        await using (var r = await QueryAsync(connection, ColumnsSql, q, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
                    DataType = r.GetString(4), IsNullable = r.GetString(5) == "YES",
                    // COLUMNS shows "NULL" for a column without a default.
                    Default = CatalogBuilder.Text(r, 6) is { } def && def != "NULL" ? def : null,
                    Comment = CatalogBuilder.Text(r, 7) is { Length: > 0 } c ? c : null,
                });

        await using (var r = await QueryAsync(connection, ViewsSql, q, scope, ct))
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { Kind: TargetKinds.View or TargetKinds.MaterializedView } view)
                    view.ViewDefinition = CatalogBuilder.Text(r, 2);

        await ReadKeysAsync(connection, q, scope, b, ct);
        if (options.Profiling != ProfilingMode.Metadata && b.Catalog.Tables.Any(t => t.Kind == TargetKinds.Table))
            await ReadRowCountsAsync(connection, RegionQualifier(settings), scope?.Schema ?? settings.Schema, scope?.Table, b, ct);
        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    /// <summary>
    /// Row counts of the tables read: of the scope's (or --dataset's) dataset, else of the whole region. TABLE_STORAGE
    /// needs project-level permissions a dataset-scoped account may lack; then the counts stay unknown (the profiler
    /// samples 1 % and counts before a full scan) rather than failing the read.
    /// </summary>
    static async Task ReadRowCountsAsync(DbConnection connection, string regionQualifier, string? dataset, string? table, CatalogBuilder b, CancellationToken ct)
    {
        try
        {
            await using var r = await QueryAsync(connection, StorageSql, regionQualifier, dataset, table, ct);
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { Kind: TargetKinds.Table } t)
                    t.RowEstimate = CatalogBuilder.Long(r, 2);
        }
        catch (HttpSqlException e) when (e.VendorCode is "accessDenied" or "notFound") { }
    }

    /// <summary>Primary keys, then foreign keys (whose referenced columns follow the referenced primary key's order).</summary>
    static async Task ReadKeysAsync(DbConnection connection, string q, Scope? scope, CatalogBuilder b, CancellationToken ct)
    {
        var foreign = new List<(TableMeta Table, string Constraint, List<(string Column, int? Position)> Columns)>();
        await using (var r = await QueryAsync(connection, KeysSql, q, scope, ct))
            while (await r.ReadAsync(ct))
            {
                if (b.Find(r.GetString(0), r.GetString(1)) is not { } t) continue;
                var name = r.GetString(3);
                var position = r.IsDBNull(6) ? (int?)null : Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture);
                switch (r.GetString(2))
                {
                    case "PRIMARY KEY": t.PrimaryKey.Add(r.GetString(4)); break;
                    case "FOREIGN KEY":
                        if (foreign.Count == 0 || foreign[^1].Table != t || foreign[^1].Constraint != name) foreign.Add((t, name, []));
                        foreign[^1].Columns.Add((r.GetString(4), position));
                        break;
                }
            }
        if (foreign.Count == 0) return;
        var references = new Dictionary<(string, string), (string Schema, string Table, List<string> Columns)>();
        await using (var r = await QueryAsync(connection, ReferencesSql, q, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var key = (r.GetString(0), r.GetString(1));
                if (!references.TryGetValue(key, out var target)) references[key] = target = (r.GetString(2), r.GetString(3), []);
                target.Columns.Add(r.GetString(4));
            }
        foreach (var (t, constraint, columns) in foreign)
        {
            if (!references.TryGetValue((t.Name.Schema, constraint), out var target)) continue;
            var pk = b.Find(target.Schema, target.Table)?.PrimaryKey;
            var referenced = pk is { Count: > 0 } && columns.All(c => c.Position is { } p && p >= 1 && p <= pk.Count)
                ? columns.Select(c => pk[c.Position!.Value - 1]).ToList()
                : target.Columns;
            t.ForeignKeys.Add(new ForeignKeyMeta
            {
                Columns = columns.Select(c => c.Column).ToList(),
                References = new QualifiedName(target.Schema, target.Table),
                ReferencedColumns = referenced,
            });
        }
    }

    /// <summary>TABLE_OPTIONS shows a description as a GoogleSQL string literal.</summary>
    internal static string? Description(string? optionValue)
    {
        if (optionValue is null) return null;
        var text = BigQueryDialect.ParseLiteral(optionValue);
        return text.Length > 0 ? text : null;
    }

    internal static string KindOf(string tableType) => tableType switch
    {
        "VIEW" => TargetKinds.View,
        "MATERIALIZED VIEW" => TargetKinds.MaterializedView,
        _ => TargetKinds.Table,
    };

    static Task<DbDataReader> QueryAsync(DbConnection connection, string sql, string qualifier, Scope? scope, CancellationToken ct) =>
        QueryAsync(connection, sql, qualifier, scope?.Schema, scope?.Table, ct);

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, string qualifier, string? schema, string? table, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql.Replace(Q, qualifier, StringComparison.Ordinal);
        CatalogBuilder.AddText(cmd, "schema", schema);
        // Only the parameters the statement names.
        if (sql.Contains("@table", StringComparison.Ordinal)) CatalogBuilder.AddText(cmd, "table", table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
