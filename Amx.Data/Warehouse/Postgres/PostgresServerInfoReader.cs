using System.Data.Common;

namespace Amx.Data.Warehouse.Postgres;

public sealed class PostgresServerInfoReader : IServerInfoReader
{
    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT 'PostgreSQL ' || current_setting('server_version'), current_user::text";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new ServerInfo("postgresql", r.GetString(0), r.GetString(1));
    }
}
