using System.Data.Common;
using System.Globalization;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>
/// Reads the profile's Unity Catalog catalog from its <c>information_schema</c> in three set-based statements
/// (tables/views with comments, columns with comments, view definitions), chunk by chunk. Keys (informational in
/// Unity Catalog) and row counts are not read; profiling is metadata only (docs/cloud-warehouses.md).
/// </summary>
public sealed class DatabricksMetadataReader : IMetadataReader
{
    internal const string Filter = "table_schema <> 'information_schema' AND table_schema = COALESCE(:schema, table_schema) AND table_name = COALESCE(:table, table_name)";

    internal const string RelationsSql = $"SELECT table_schema, table_name, table_type, comment FROM information_schema.tables WHERE {Filter} ORDER BY 1, 2";
    internal const string ColumnsSql = $"SELECT table_schema, table_name, column_name, ordinal_position, data_type, is_nullable, column_default, comment FROM information_schema.columns WHERE {Filter}";
    internal const string ViewsSql = $"SELECT table_schema, table_name, view_definition FROM information_schema.views WHERE {Filter}";

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        if (options.Profiling != ProfilingMode.Metadata)
            throw AmxException.BadInput($"--profiling-mode {options.Profiling.ToString().ToLowerInvariant()} is not available for Databricks yet",
                "use --profiling-mode metadata (the default); see docs/cloud-warehouses.md");
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
        return b.Finish();
    }

    internal static string KindOf(string tableType) => tableType switch
    {
        "VIEW" => TargetKinds.View,
        "MATERIALIZED_VIEW" => TargetKinds.MaterializedView,
        _ => TargetKinds.Table,
    };

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        CatalogBuilder.AddText(cmd, "schema", scope?.Schema);
        CatalogBuilder.AddText(cmd, "table", scope?.Table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
