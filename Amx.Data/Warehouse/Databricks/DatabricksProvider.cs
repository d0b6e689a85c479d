using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>Databricks SQL warehouses over the Statement Execution API (HTTP): see docs/cloud-warehouses.md.</summary>
public sealed class DatabricksProvider : IWarehouseProvider
{
    public Backend Backend => Backend.Databricks;
    public WarehouseDialect Dialect => DatabricksDialect.Instance;
    public IMetadataReader Metadata { get; } = new DatabricksMetadataReader();
    public ICommentWriter Comments { get; } = new DatabricksCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new DatabricksServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new DatabricksConnection(connectionString);

    public (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error) =>
        error is HttpSqlException { IsAuthFailure: true }
            ? ($"cannot connect to db profile '{profile.Name}' ({profile.Location}): {error.Message}",
               "check the token in the profile's secret variable (a personal access token or an OAuth access token of the workspace)")
            : null;
}

public sealed class DatabricksConnection(string connectionString) : HttpSqlConnection(connectionString)
{
    protected override IHttpSqlClient CreateClient(CloudSettings settings) => new DatabricksClient(settings);

    /// <summary>Databricks names parameters <c>:name</c>.</summary>
    public override ParameterMarker Marker => ParameterMarker.ColonName;
}

public sealed class DatabricksServerInfoReader : IServerInfoReader
{
    internal const string Sql = "SELECT version(), current_user(), current_catalog()";

    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new HttpSqlException("Databricks returned no row for version()");
        var warehouse = (connection as HttpSqlConnection)?.Settings.Warehouse;
        return new ServerInfo("databricks", $"Databricks SQL {r.GetString(0)} (warehouse {warehouse}, catalog {(r.IsDBNull(2) ? "none" : r.GetString(2))})", r.IsDBNull(1) ? null : r.GetString(1));
    }

    /// <summary>The metastore and catalog: the same from every machine and every workspace host alias.</summary>
    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT current_metastore(), current_catalog()";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return $"databricks:{r.GetString(0)}/{(r.IsDBNull(1) ? "" : r.GetString(1))}";
    }
}
