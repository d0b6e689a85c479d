using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Data.Warehouse.BigQuery;
using Amx.Data.Warehouse.Databricks;
using Amx.Data.Warehouse.DuckDb;
using Amx.Data.Warehouse.MySql;
using Amx.Data.Warehouse.Postgres;
using Amx.Data.Warehouse.Redshift;
using Amx.Data.Warehouse.Snowflake;
using Amx.Data.Warehouse.Sqlite;
using Amx.Data.Warehouse.SqlServer;

namespace Amx.Data.Warehouse;

/// <summary>The one place that maps a <see cref="Backend"/> to its warehouse classes.</summary>
public static class WarehouseProviders
{
    static readonly IWarehouseProvider Postgres = new PostgresProvider();
    static readonly IWarehouseProvider MySql = new MySqlProvider(Backend.MySql);
    static readonly IWarehouseProvider MariaDb = new MySqlProvider(Backend.MariaDb);
    static readonly IWarehouseProvider SqlServer = new SqlServerProvider();
    static readonly IWarehouseProvider Sqlite = new SqliteProvider();
    static readonly IWarehouseProvider DuckDb = new DuckDbProvider();
    static readonly IWarehouseProvider Redshift = new RedshiftProvider();
    static readonly IWarehouseProvider Snowflake = new SnowflakeProvider();
    static readonly IWarehouseProvider Databricks = new DatabricksProvider();
    static readonly IWarehouseProvider BigQuery = new BigQueryProvider();

    public static IWarehouseProvider For(Backend backend) => backend switch
    {
        Backend.PostgreSql => Postgres,
        Backend.MySql => MySql,
        Backend.MariaDb => MariaDb,
        Backend.SqlServer => SqlServer,
        Backend.Sqlite => Sqlite,
        Backend.DuckDb => DuckDb,
        Backend.Redshift => Redshift,
        Backend.Snowflake => Snowflake,
        Backend.Databricks => Databricks,
        Backend.BigQuery => BigQuery,
        _ => throw AmxException.BadInput($"backend '{backend}' is not supported for warehouse access"),
    };

    /// <summary>Opens a connection for the profile; a failure becomes a one-line <see cref="AmxException"/> (exit 1).</summary>
    public static async Task<DbConnection> OpenAsync(this IWarehouseProvider provider, DbProfile profile, CancellationToken ct = default)
    {
        var connection = provider.CreateConnection(await provider.ConnectionStringAsync(profile, ct));
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync();
            if (provider.DescribeOpenFailure(profile, e) is var (message, hint))
                throw AmxException.Failed(message, hint, e);
            throw AmxException.Failed($"cannot connect to db profile '{profile.Name}' ({profile.Location}): {e.Message.Split('\n')[0].Trim()}",
                $"check the server is reachable and the credentials (amx db-profiles test {profile.Name})", e);
        }
    }

    /// <summary>Connects with the profile and reads the server version and current user.</summary>
    public static async Task<ServerInfo> ReadServerInfoAsync(DbProfile profile, CancellationToken ct = default)
    {
        var provider = For(profile.Backend);
        await using var connection = await provider.OpenAsync(profile, ct);
        return await provider.ServerInfo.ReadAsync(connection, ct);
    }
}
