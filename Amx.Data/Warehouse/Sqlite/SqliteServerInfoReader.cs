using System.Data.Common;

namespace Amx.Data.Warehouse.Sqlite;

/// <summary>SQLite has no server and no users: the library version, and the OS user who opens the file.</summary>
public sealed class SqliteServerInfoReader : IServerInfoReader
{
    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version()";
        var version = (string)(await cmd.ExecuteScalarAsync(ct))!;
        return new ServerInfo("sqlite", "SQLite " + version, Environment.UserName);
    }

    /// <summary>The file's full path (SQLite is never shared between machines).</summary>
    public Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default) =>
        Task.FromResult("sqlite:" + Path.GetFullPath(connection.DataSource));
}
