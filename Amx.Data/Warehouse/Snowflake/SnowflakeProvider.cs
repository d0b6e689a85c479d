using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>Snowflake over its SQL API v2 (HTTP): see docs/cloud-warehouses.md.</summary>
public sealed class SnowflakeProvider : IWarehouseProvider
{
    public Backend Backend => Backend.Snowflake;
    public WarehouseDialect Dialect => SnowflakeDialect.Instance;
    public IMetadataReader Metadata { get; } = new SnowflakeMetadataReader();
    public ICommentWriter Comments { get; } = new SnowflakeCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new SnowflakeServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new SnowflakeConnection(connectionString);

    public (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error) =>
        error is HttpSqlException { IsAuthFailure: true }
            ? ($"cannot connect to db profile '{profile.Name}' ({profile.Location}): {error.Message}",
               "check --user, --account and the key or token in the profile's secret variable (key-pair: the public key must be set on the user with ALTER USER … SET RSA_PUBLIC_KEY)")
            : null;
}

public sealed class SnowflakeConnection(string connectionString) : HttpSqlConnection(connectionString)
{
    /// <summary>The SQL API binds <c>?</c> by position.</summary>
    public override ParameterMarker Marker => ParameterMarker.Question;

    protected override IHttpSqlClient CreateClient(CloudSettings settings) => new SnowflakeClient(settings);
}
