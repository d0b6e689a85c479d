using System.Data.Common;

namespace Amx.Data.Warehouse.MySql;

public sealed class MySqlServerInfoReader(string backend) : IServerInfoReader
{
    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT VERSION(), CURRENT_USER()";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var version = r.GetString(0);
        // The server says which engine it is; the profile's backend is only what the user expected.
        var engine = version.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? "mariadb" : backend;
        return new ServerInfo(engine, (engine == "mariadb" ? "MariaDB " : "MySQL ") + version, r.GetString(1));
    }

    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        // MariaDB has no server_uuid; the host name the server reports, its port and its data directory name it
        // alike on MySQL and MariaDB. Target names carry the database (schema), so the server is enough here.
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT CONCAT(@@hostname, ':', @@port, ':', @@datadir)";
        return $"mysql:{await cmd.ExecuteScalarAsync(ct)}";
    }
}
