using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>version() (Redshift appends "Redshift 1.0.N" to a PostgreSQL 8.0.2 banner) and the namespace as identity.</summary>
public sealed partial class RedshiftServerInfoReader : IServerInfoReader
{
    internal const string InfoSql = "SELECT version(), current_user::varchar";
    /// <summary>current_namespace is the cluster's (or workgroup's) namespace GUID, the same from every endpoint.</summary>
    internal const string IdentitySql = "SELECT current_namespace, current_database()::varchar";

    public async Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = InfoSql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new ServerInfo("redshift", DescribeVersion(r.GetString(0)), r.GetString(1));
    }

    /// <summary>"Amazon Redshift 1.0.N" when the banner names it, else the banner's first part (a plain PostgreSQL).</summary>
    public static string DescribeVersion(string banner) =>
        RedshiftVersion().Match(banner) is { Success: true } m ? $"Amazon Redshift {m.Groups[1].Value}" : $"{banner.Split(',')[0].Trim()} (not Redshift)";

    public async Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = IdentitySql;
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return $"redshift:{r.GetValue(0)}/{r.GetString(1)}";
        }
        catch (PostgresException)
        {
            // No current_namespace (an older cluster, or a PostgreSQL server posing as one): the host and port as the
            // profile spells them. Two profiles naming one cluster differently then get different lock keys.
            cmd.CommandText = "SELECT current_database()::varchar";
            var database = (string)(await cmd.ExecuteScalarAsync(ct))!;
            var npgsql = (NpgsqlConnection)connection;
            return $"redshift:{npgsql.Host?.ToLowerInvariant()}:{npgsql.Port}/{database}";
        }
    }

    [GeneratedRegex(@"Redshift\s+(\d+(?:\.\d+)+)", RegexOptions.IgnoreCase)]
    private static partial Regex RedshiftVersion();
}
