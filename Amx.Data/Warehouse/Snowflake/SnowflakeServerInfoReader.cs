using System.Data.Common;

namespace Amx.Data.Warehouse.Snowflake;

public sealed class SnowflakeServerInfoReader : IServerInfoReader
{
    internal const string Sql = "SELECT CURRENT_VERSION(), CURRENT_USER(), CURRENT_ACCOUNT(), CURRENT_ROLE(), CURRENT_WAREHOUSE(), CURRENT_DATABASE()";

    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new Http.HttpSqlException("Snowflake returned no row for CURRENT_VERSION()");
        string? At(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var version = $"Snowflake {At(0)} (account {At(2)}, role {At(3) ?? "none"}, warehouse {At(4) ?? "none"}, database {At(5) ?? "none"})";
        return new ServerInfo("snowflake", version, At(1));
    }

    /// <summary>The account and database as Snowflake names them: the same key from every machine and every host alias.</summary>
    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT CURRENT_ACCOUNT(), CURRENT_DATABASE()";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return $"snowflake:{r.GetString(0)}/{(r.IsDBNull(1) ? "" : r.GetString(1))}";
    }
}
