using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Warehouse.Redshift.Iam;
using Npgsql;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>Amazon Redshift through Npgsql (the PostgreSQL protocol): see docs/redshift.md.</summary>
public sealed class RedshiftProvider : IWarehouseProvider
{
    public const int DefaultPort = 5439;

    public Backend Backend => Backend.Redshift;
    public WarehouseDialect Dialect => RedshiftDialect.Instance;
    public IMetadataReader Metadata { get; } = new RedshiftMetadataReader();
    public ICommentWriter Comments { get; } = new RedshiftCommentWriter();
    public ICommentPrivilegeChecker Privileges { get; } = new RedshiftPrivilegeChecker();
    public IServerInfoReader ServerInfo { get; } = new RedshiftServerInfoReader();

    /// <summary>
    /// A connection that does not load types from pg_type: Redshift's pg_type lacks what Npgsql's loading queries
    /// (ranges, enums, domains, multiranges), so Npgsql uses its built-in set. (Npgsql's ServerCompatibilityMode.Redshift
    /// is obsolete and does nothing; type loading off is what it became.)
    /// </summary>
    public DbConnection CreateConnection(string connectionString) => NpgsqlWithoutTypeLoading.CreateConnection(connectionString);

    /// <summary>
    /// With <c>auth: iam</c>, the user name and password are temporary credentials from AWS (GetClusterCredentials,
    /// GetClusterCredentialsWithIAM or Serverless GetCredentials); otherwise the profile's own.
    /// </summary>
    public async Task<string> ConnectionStringAsync(DbProfile profile, CancellationToken ct = default)
    {
        var connectionString = ConnectionStringFactory.For(profile);
        if (!RedshiftIamSettings.UsesIam(profile)) return connectionString;
        var credentials = await RedshiftCredentialsClient.GetAsync(profile, RedshiftIamSettings.From(profile), ct);
        return new NpgsqlConnectionStringBuilder(connectionString) { Username = credentials.DbUser, Password = credentials.DbPassword }.ConnectionString;
    }

    /// <summary>A TLS failure says that amx asked for TLS and how the profile changes that; other failures: the generic text.</summary>
    public (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is System.Security.Authentication.AuthenticationException || e.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase))
                return ($"cannot connect to db profile '{profile.Name}' ({profile.Location}) over TLS: {e.Message.Split('\n')[0].Trim()}",
                    "amx asks Redshift for TLS by default (SslMode=Require); check the endpoint is Redshift's, or set the mode on the profile: " +
                    $"amx add-db-profile {profile.Name} --backend redshift … --option SslMode=VerifyFull --replace");
        return null;
    }

    /// <summary>
    /// Redshift's defaults on Npgsql's builder; the profile's <c>--option KEY=VALUE</c> entries come last and win
    /// (e.g. <c>SslMode=VerifyFull</c> to check the certificate too).
    /// </summary>
    public static string ConnectionString(DbProfile p)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = p.Host ?? "localhost", Port = p.Port ?? DefaultPort, Database = p.Database, Username = p.User,
            // IAM profiles have no password of their own: ConnectionStringAsync adds the temporary one.
            Password = RedshiftIamSettings.UsesIam(p) ? null : p.ResolvePassword(), ApplicationName = "amx", Timeout = 15,
            // Clusters accept TLS and most require it; Require encrypts without checking the certificate (as libpq).
            SslMode = SslMode.Require,
            // Redshift has no DISCARD ALL, which Npgsql sends when a pooled connection is reused.
            NoResetOnClose = true,
        };
        // amx's own keys (auth, cluster_id, region, workgroup, base_url) are not Npgsql keywords.
        foreach (var (k, v) in p.Options)
            if (!RedshiftIamSettings.Keys.Contains(k)) b[k] = v;
        return b.ConnectionString;
    }
}
