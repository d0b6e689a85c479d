using System.Data.Common;
using Amx.Data.History.Model;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>
/// View definitions for lineage: DuckDB keeps each view's <c>CREATE VIEW</c> text in <c>duckdb_views().sql</c>, which
/// the generic <see cref="Lineage.ViewLineage"/> reader reads like SQLite's. One set-based query; kept apart from
/// <see cref="DuckDbMetadataReader"/>'s relation/column/key queries.
/// </summary>
static class DuckDbViewDefinitions
{
    internal const string Sql = """
        SELECT schema_name, view_name, sql FROM duckdb_views()
        WHERE NOT internal AND database_name = current_database()
          AND ($schema IS NULL OR schema_name = $schema) AND ($table IS NULL OR view_name = $table)
        """;

    public static async Task ReadAsync(DbConnection connection, CatalogBuilder b, Scope? scope, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        CatalogBuilder.AddText(cmd, "schema", scope?.Schema);
        CatalogBuilder.AddText(cmd, "table", scope?.Table);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (b.Find(r.GetString(0), r.GetString(1)) is { Kind: TargetKinds.View } view)
                view.ViewDefinition = CatalogBuilder.Text(r, 2);
    }
}
