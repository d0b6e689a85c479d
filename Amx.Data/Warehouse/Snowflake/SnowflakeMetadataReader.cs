using System.Data.Common;
using System.Globalization;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// Reads the profile's database from its INFORMATION_SCHEMA in three set-based statements (tables and views with
/// comments and row counts, columns with comments, view definitions), each read partition by partition.
/// Snowflake's constraints are informational and not in INFORMATION_SCHEMA with their columns, so keys are not read.
/// Profiling (sampled/full) is not offered yet (docs/cloud-warehouses.md).
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

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        if (options.Profiling != ProfilingMode.Metadata)
            throw AmxException.BadInput($"--profiling-mode {options.Profiling.ToString().ToLowerInvariant()} is not available for Snowflake yet",
                "use --profiling-mode metadata (the default); see docs/cloud-warehouses.md");
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
        return b.Finish();
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
