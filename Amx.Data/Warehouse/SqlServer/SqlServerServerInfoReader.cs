using System.Data.Common;

namespace Amx.Data.Warehouse.SqlServer;

public sealed class SqlServerServerInfoReader : IServerInfoReader
{
    internal const string Sql = "SELECT N'SQL Server ' + CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) + N' ' + CAST(SERVERPROPERTY('Edition') AS nvarchar(128)), SUSER_SNAME()";

    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new ServerInfo("sqlserver", r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
    }

    internal const string IdentitySql = "SELECT CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) + N'\\' + COALESCE(CAST(SERVERPROPERTY('InstanceName') AS nvarchar(128)), N'MSSQLSERVER') + N'/' + DB_NAME()";

    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = IdentitySql;
        return $"sqlserver:{await cmd.ExecuteScalarAsync(ct)}";
    }
}
