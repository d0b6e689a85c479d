using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>BigQuery over its REST API v2 (jobs.query): see docs/cloud-warehouses.md.</summary>
public sealed class BigQueryProvider : IWarehouseProvider
{
    public Backend Backend => Backend.BigQuery;
    public WarehouseDialect Dialect => BigQueryDialect.Instance;
    public IMetadataReader Metadata { get; } = new BigQueryMetadataReader();
    public ICommentWriter Comments { get; } = new BigQueryCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new BigQueryServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new BigQueryConnection(connectionString);

    public (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error) => error switch
    {
        HttpSqlException { IsAuthFailure: true } or HttpSqlException { VendorCode: "credentials" } =>
            ($"cannot connect to db profile '{profile.Name}' ({profile.Location}): {error.Message}",
             "check the service-account key file named by the profile's secret variable (or, with --auth oauth, that the access token is current) and that the account has roles/bigquery.jobUser on the project"),
        // A profile edited by hand past add-db-profile's checks (e.g. a bad maximum_bytes_billed).
        HttpSqlException { VendorCode: "settings" } =>
            ($"db profile '{profile.Name}' has invalid settings: {error.Message}", $"fix the profile: amx add-db-profile {profile.Name} … --replace"),
        _ => null,
    };
}

public sealed class BigQueryConnection(string connectionString) : HttpSqlConnection(connectionString)
{
    protected override IHttpSqlClient CreateClient(CloudSettings settings) => new BigQueryClient(settings);

    /// <summary>BigQuery's named query parameters are <c>@name</c>, as amx writes them.</summary>
    public override ParameterMarker Marker => ParameterMarker.AtName;
}

public sealed class BigQueryServerInfoReader : IServerInfoReader
{
    internal const string Sql = "SELECT SESSION_USER(), @@project_id";

    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new HttpSqlException("BigQuery returned no row for SESSION_USER()");
        var s = (connection as HttpSqlConnection)?.Settings;
        // BigQuery has no version to show: the project, location and default dataset say where amx works.
        var version = $"BigQuery (project {(r.IsDBNull(1) ? s?.Database : r.GetString(1))}, location {s?.Location ?? "US (default)"}, dataset {s?.Schema ?? "none"})";
        return new ServerInfo("bigquery", version, r.IsDBNull(0) ? null : r.GetString(0));
    }

    /// <summary>The project id: the same from every machine and every API endpoint.</summary>
    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT @@project_id";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return $"bigquery:{r.GetString(0)}";
    }
}
