using System.Data.Common;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>DuckDB runs in process: the library version, the database DuckDB named after the file, and whether it is read-only.</summary>
public sealed class DuckDbServerInfoReader : IServerInfoReader
{
    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT version(), database_name, readonly FROM duckdb_databases() WHERE database_name = current_database()";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var version = $"DuckDB {r.GetString(0)} (database {r.GetString(1)}{(r.GetBoolean(2) ? ", read-only" : "")})";
        return new ServerInfo("duckdb", version, Environment.UserName);
    }

    /// <summary>A DuckDB file is its own server: the lock key comes from its full path (docs/safety-guards.md).</summary>
    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()";
        var path = await cmd.ExecuteScalarAsync(ct) as string;
        return "duckdb:" + (string.IsNullOrEmpty(path) ? connection.DataSource : Path.GetFullPath(path));
    }
}
