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

    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        // The cluster's system identifier is fixed at initdb; a role that may not read it falls back to the address
        // and port the server accepted us on (still the server's view, not the profile's spelling).
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT system_identifier::text FROM pg_control_system()), current_database()";
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return $"postgresql:{r.GetString(0)}/{r.GetString(1)}";
        }
        catch (Npgsql.PostgresException)
        {
            cmd.CommandText = "SELECT coalesce(host(inet_server_addr()), 'socket') || ':' || coalesce(inet_server_port(), 0)::text, current_database()";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return $"postgresql:{r.GetString(0)}/{r.GetString(1)}";
        }
    }
}
