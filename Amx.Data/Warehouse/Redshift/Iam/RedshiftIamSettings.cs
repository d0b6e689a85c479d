using System.Text.RegularExpressions;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Redshift.Iam;

/// <summary>
/// What a Redshift profile with <c>auth: iam</c> needs to ask AWS for temporary database credentials: the cluster
/// (provisioned) or workgroup (Serverless), its region, and where the API call goes. Stored as profile options (keys
/// below) and inferred from a standard endpoint host name where not given (docs/redshift.md).
/// </summary>
public sealed partial record RedshiftIamSettings
{
    public const string AuthKey = CloudSettings.AuthKey, BaseUrlKey = CloudSettings.BaseUrlKey,
        ClusterIdKey = "cluster_id", RegionKey = "region", WorkgroupKey = "workgroup";
    public const string Iam = "iam", Password = "password";

    /// <summary>Profile option keys that are amx's, not Npgsql's (kept out of the connection string).</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { AuthKey, BaseUrlKey, ClusterIdKey, RegionKey, WorkgroupKey };

    /// <summary>15 minutes, the least AWS grants: a connection stays open past it; a later connection asks again.</summary>
    public const int DurationSeconds = 900;

    public string? ClusterId { get; init; }
    public string? Workgroup { get; init; }
    public bool Serverless => Workgroup is not null;
    public required string Region { get; init; }
    public required string Database { get; init; }
    /// <summary>Provisioned: the database user (GetClusterCredentials); null: the IAM identity's own (GetClusterCredentialsWithIAM).</summary>
    public string? DbUser { get; init; }
    public required Uri Endpoint { get; init; }
    /// <summary>The SigV4 service name (the credential scope).</summary>
    public string Service => Serverless ? "redshift-serverless" : "redshift";
    public string Action => Serverless ? "GetCredentials" : DbUser is null ? "GetClusterCredentialsWithIAM" : "GetClusterCredentials";
    public string Target => Serverless ? $"workgroup {Workgroup}" : $"cluster {ClusterId}";

    public static bool UsesIam(DbProfile p) =>
        p.Backend == Backend.Redshift && p.Options.TryGetValue(AuthKey, out var a) && string.Equals(a, Iam, StringComparison.OrdinalIgnoreCase);

    // CLUSTER.ID.REGION.redshift.amazonaws.com[.cn] and WORKGROUP.ACCOUNT.REGION.redshift-serverless.amazonaws.com[.cn]
    [GeneratedRegex(@"^(?<name>[a-z0-9-]+)\.[a-z0-9]+\.(?<region>[a-z]{2}(-[a-z]+)+-\d+)\.redshift\.amazonaws\.com(?<cn>\.cn)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ProvisionedHost();
    [GeneratedRegex(@"^(?<name>[a-z0-9-]+)\.\d{12}\.(?<region>[a-z]{2}(-[a-z]+)+-\d+)\.redshift-serverless\.amazonaws\.com(?<cn>\.cn)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ServerlessHost();

    /// <summary>
    /// The settings of an IAM profile, or bad input (exit 2) naming what could not be inferred. Called when the
    /// profile is added (so mistakes show then) and at connect time.
    /// </summary>
    public static RedshiftIamSettings From(DbProfile p)
    {
        string? Opt(string key) => p.Options.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var usage = $"amx add-db-profile {p.Name} --backend redshift --host H --database D --user U --auth iam --cluster-id CLUSTER --region REGION " +
                    "(Serverless: --workgroup WG --region REGION)";
        var clusterId = Opt(ClusterIdKey);
        var workgroup = Opt(WorkgroupKey);
        if (clusterId is not null && workgroup is not null)
            throw AmxException.BadInput("--cluster-id and --workgroup exclude each other", "--cluster-id names a provisioned cluster, --workgroup a Serverless workgroup; give one");
        var host = p.Host?.Trim() ?? "";
        var provisioned = ProvisionedHost().Match(host);
        var serverless = ServerlessHost().Match(host);
        if (clusterId is null && workgroup is null)
        {
            if (provisioned.Success) clusterId = provisioned.Groups["name"].Value.ToLowerInvariant();
            else if (serverless.Success) workgroup = serverless.Groups["name"].Value.ToLowerInvariant();
            else
                throw AmxException.BadInput($"cannot tell the Redshift cluster or workgroup from --host '{host}' for IAM authentication",
                    "give --cluster-id CLUSTER (provisioned) or --workgroup WG (Serverless), with --region REGION; " +
                    "they are inferred only from CLUSTER.ID.REGION.redshift.amazonaws.com and WG.ACCOUNT.REGION.redshift-serverless.amazonaws.com");
        }
        var match = provisioned.Success ? provisioned : serverless.Success ? serverless : null;
        var region = Opt(RegionKey)?.ToLowerInvariant() ?? match?.Groups["region"].Value.ToLowerInvariant()
            ?? throw AmxException.BadInput($"cannot tell the AWS region from --host '{host}' for IAM authentication",
                $"give --region REGION (e.g. --region eu-west-1); {usage}");
        if (!RegionName().IsMatch(region))
            throw AmxException.BadInput($"--region '{region}' is not an AWS region name", "e.g. --region eu-west-1");
        if (string.IsNullOrWhiteSpace(p.Database))
            throw AmxException.BadInput("missing --database for a redshift profile", usage);
        var suffix = match?.Groups["cn"].Success == true || region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        Uri endpoint;
        if (Opt(BaseUrlKey) is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                throw AmxException.BadInput($"--base-url '{url}' is not an http(s) URL", $"e.g. --base-url https://redshift.{region}.{suffix} (or a VPC endpoint)");
            endpoint = u;
        }
        else endpoint = new Uri(workgroup is not null ? $"https://redshift-serverless.{region}.{suffix}/" : $"https://redshift.{region}.{suffix}/");
        return new RedshiftIamSettings
        {
            ClusterId = clusterId, Workgroup = workgroup, Region = region, Database = p.Database.Trim(),
            // Serverless's GetCredentials takes no user: the database user is always the IAM identity's.
            DbUser = workgroup is null && !string.IsNullOrWhiteSpace(p.User) ? p.User.Trim() : null,
            Endpoint = endpoint,
        };
    }

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    private static partial Regex RegionName();
}
