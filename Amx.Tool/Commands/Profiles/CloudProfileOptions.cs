using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Redshift.Iam;

namespace Amx.Tool.Commands.Profiles;

/// <summary>
/// The add-db-profile options of the cloud warehouses (docs/cloud-warehouses.md). They are stored as the profile's
/// options under the connection settings' own keys, so the config file format does not change.
/// </summary>
sealed class CloudProfileOptions
{
    readonly Option<string?> _account = new("--account") { Description = "Snowflake: account identifier (default: the first label of --host)" };
    readonly Option<string?> _warehouse = new("--warehouse") { Description = "Snowflake: virtual warehouse that runs amx's statements; Databricks: SQL warehouse id" };
    readonly Option<string?> _httpPath = new("--http-path") { Description = "Databricks: the SQL warehouse's HTTP path (/sql/1.0/warehouses/ID)" };
    readonly Option<string?> _role = new("--role") { Description = "Snowflake: role amx uses (default: the user's default role)" };
    readonly Option<string?> _auth = new("--auth")
    {
        Description = "Snowflake: keypair (default; --secret-env holds the PEM key or its path) or oauth; Databricks: pat (default) or oauth (--secret-env holds the token); BigQuery: service-account (default; --secret-env holds the key file path) or oauth (an access token); Redshift: password (default) or iam (temporary credentials from AWS)",
    };
    readonly Option<string?> _project = new("--project") { Description = "BigQuery: the Google Cloud project id whose jobs run amx's queries and whose datasets are read (same as --database)" };
    readonly Option<string?> _dataset = new("--dataset") { Description = "BigQuery: default dataset (read when no scope names one; else the whole project in --location)" };
    readonly Option<string?> _location = new("--location") { Description = "BigQuery: location of the datasets and jobs (US, EU, europe-west2, …; default US)" };
    readonly Option<string?> _tokenUrl = new("--token-url") { Description = "BigQuery: send the service account's token request here instead of the key's token_uri (test server, proxy)" };
    readonly Option<string?> _baseUrl = new("--base-url") { Description = "Cloud warehouses: send API calls to this URL instead of https://HOST (private link, proxy, test server); Redshift --auth iam: where the credentials call goes (VPC endpoint)" };
    readonly Option<string?> _clusterId = new("--cluster-id") { Description = "Redshift --auth iam: the provisioned cluster's identifier (default: the first label of --host)" };
    readonly Option<string?> _region = new("--region") { Description = "Redshift --auth iam: AWS region of the cluster or workgroup (default: from --host)" };
    readonly Option<string?> _workgroup = new("--workgroup") { Description = "Redshift --auth iam: the Serverless workgroup (default: the first label of a Serverless --host)" };

    public IEnumerable<Option> All => [_account, _warehouse, _httpPath, _role, _auth, _project, _dataset, _location, _tokenUrl, _baseUrl, _clusterId, _region, _workgroup];

    /// <summary>The options a Redshift profile takes (its IAM authentication; docs/redshift.md).</summary>
    static readonly HashSet<string> RedshiftKeys = [.. RedshiftIamSettings.Keys];

    static readonly Dictionary<Backend, string[]> AuthMethods = new()
    {
        [Backend.Snowflake] = ["keypair", "oauth"],
        [Backend.Databricks] = ["pat", "oauth"],
        [Backend.BigQuery] = ["service-account", "oauth"],
    };

    public void Apply(ParseResult parse, DbProfile profile)
    {
        var given = new (Option<string?> Option, string Key)[]
        {
            (_account, CloudSettings.AccountKey), (_warehouse, CloudSettings.WarehouseKey), (_httpPath, CloudConnectionStrings.HttpPathKey), (_role, CloudSettings.RoleKey),
            (_auth, CloudSettings.AuthKey), (_baseUrl, CloudSettings.BaseUrlKey),
            (_dataset, CloudConnectionStrings.DatasetKey), (_location, CloudSettings.LocationKey), (_tokenUrl, CloudSettings.TokenUrlKey),
            (_clusterId, RedshiftIamSettings.ClusterIdKey), (_region, RedshiftIamSettings.RegionKey), (_workgroup, RedshiftIamSettings.WorkgroupKey),
        }.Where(x => parse.GetValue(x.Option) is not null).ToList();
        var redshiftOnly = given.FirstOrDefault(x => x.Key is RedshiftIamSettings.ClusterIdKey or RedshiftIamSettings.RegionKey or RedshiftIamSettings.WorkgroupKey);
        if (redshiftOnly.Option is not null && profile.Backend != Backend.Redshift)
            throw AmxException.BadInput($"{redshiftOnly.Option.Name} applies to redshift profiles only (with --auth iam)", $"drop {redshiftOnly.Option.Name} for a {profile.Backend.ToConfigName()} profile");
        var misplaced = profile.Backend == Backend.Redshift ? given.FirstOrDefault(x => !RedshiftKeys.Contains(x.Key))
            : profile.Backend.IsCloud() ? default : given.FirstOrDefault();
        if (misplaced.Option is not null)
            throw AmxException.BadInput($"{misplaced.Option.Name} applies to cloud warehouse profiles only (snowflake, databricks, bigquery)",
                $"drop {misplaced.Option.Name} for a {profile.Backend.ToConfigName()} profile");
        foreach (var (option, key) in given) profile.Options[key] = parse.GetValue(option)!.Trim();
        if (parse.GetValue(_project) is { } project)
        {
            if (profile.Backend != Backend.BigQuery)
                throw AmxException.BadInput("--project applies to bigquery profiles only", $"use --database for a {profile.Backend.ToConfigName()} profile");
            if (profile.Database is { } db && db != project.Trim())
                throw AmxException.BadInput($"--project {project} and --database {db} disagree", "give the BigQuery project once, with --project");
            profile.Database = project.Trim();
        }
    }

    /// <summary>
    /// A Redshift profile's authentication: <c>password</c> (default; --password-env) or <c>iam</c> (temporary
    /// credentials from AWS; the cluster or workgroup and region given or inferred from --host).
    /// </summary>
    public static void ValidateRedshift(DbProfile p)
    {
        var auth = p.Options.TryGetValue(RedshiftIamSettings.AuthKey, out var a) ? a.Trim().ToLowerInvariant() : RedshiftIamSettings.Password;
        if (auth is not (RedshiftIamSettings.Password or RedshiftIamSettings.Iam))
            throw AmxException.BadInput($"--auth {auth} is not a redshift auth method", "use one of: password (default), iam");
        if (auth == RedshiftIamSettings.Password)
        {
            p.Options.Remove(RedshiftIamSettings.AuthKey);
            var iamOnly = new[] { (RedshiftIamSettings.ClusterIdKey, "--cluster-id"), (RedshiftIamSettings.RegionKey, "--region"), (RedshiftIamSettings.WorkgroupKey, "--workgroup"), (RedshiftIamSettings.BaseUrlKey, "--base-url") }
                .FirstOrDefault(k => p.Options.ContainsKey(k.Item1));
            if (iamOnly.Item1 is not null)
                throw AmxException.BadInput($"{iamOnly.Item2} applies to redshift profiles with --auth iam only", $"add --auth iam, or drop {iamOnly.Item2}");
            return;
        }
        p.Options[RedshiftIamSettings.AuthKey] = auth;
        if (p.PasswordEnv is not null || p.Password is not null)
            throw AmxException.BadInput("--auth iam takes no password: amx asks AWS for a temporary one at each connection",
                "drop --password-env/--password-stdin; AWS credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws");
        RedshiftIamSettings.From(p);
    }

    public static void Validate(DbProfile p)
    {
        var b = p.Backend.ToConfigName();
        var usage = p.Backend switch
        {
            Backend.Databricks => $"amx add-db-profile {p.Name} --backend {b} --host WORKSPACE.cloud.databricks.com --http-path /sql/1.0/warehouses/ID --database CATALOG --secret-env VAR",
            Backend.BigQuery => $"amx add-db-profile {p.Name} --backend {b} --project PROJECT --dataset DATASET --location US --secret-env VAR",
            _ => $"amx add-db-profile {p.Name} --backend {b} --host ACCOUNT.snowflakecomputing.com --database DB --warehouse WH --user USER --secret-env VAR",
        };
        var missing = new List<string>();
        // BigQuery's API has one address: no host needed.
        if (string.IsNullOrWhiteSpace(p.Host) && !p.Options.ContainsKey(CloudSettings.BaseUrlKey) && p.Backend != Backend.BigQuery) missing.Add("--host");
        if (p.Backend == Backend.Databricks && !p.Options.ContainsKey(CloudSettings.WarehouseKey) && !p.Options.ContainsKey(CloudConnectionStrings.HttpPathKey))
            missing.Add("--http-path");
        if (string.IsNullOrWhiteSpace(p.Database)) missing.Add(p.Backend == Backend.BigQuery ? "--project" : "--database");
        if (string.IsNullOrWhiteSpace(p.User) && p.Backend == Backend.Snowflake) missing.Add("--user");
        if (string.IsNullOrWhiteSpace(p.PasswordEnv) && p.Password is null) missing.Add("--secret-env");
        if (missing.Count > 0) throw AmxException.BadInput($"missing {string.Join(", ", missing)} for a {b} profile", usage);
        if (p.Options.TryGetValue(CloudSettings.AuthKey, out var auth))
        {
            auth = auth.ToLowerInvariant();
            var methods = AuthMethods[p.Backend];
            if (!methods.Contains(auth))
                throw AmxException.BadInput($"--auth {auth} is not a {b} auth method", $"use one of: {string.Join(", ", methods)}");
            p.Options[CloudSettings.AuthKey] = auth;
        }
        if (p.Options.TryGetValue(CloudSettings.TokenUrlKey, out var tokenUrl)
            && (!Uri.TryCreate(tokenUrl, UriKind.Absolute, out var t) || t.Scheme is not ("http" or "https")))
            throw AmxException.BadInput($"--token-url '{tokenUrl}' is not an http(s) URL", "e.g. --token-url https://oauth2.googleapis.com/token");
        if (p.Options.TryGetValue(CloudSettings.BaseUrlKey, out var url)
            && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
            throw AmxException.BadInput($"--base-url '{url}' is not an http(s) URL", "e.g. --base-url https://myorg-account.privatelink.snowflakecomputing.com");
        if (p.Options.TryGetValue(CloudSettings.MaximumBytesBilledKey, out var maxBytes))
        {
            if (p.Backend != Backend.BigQuery)
                throw AmxException.BadInput($"--option {CloudSettings.MaximumBytesBilledKey} applies to bigquery profiles only", $"drop it for a {b} profile");
            if (!Amx.Data.Warehouse.BigQuery.BigQueryClient.TryParseMaximumBytesBilled(maxBytes, out _))
                throw AmxException.BadInput($"--option {CloudSettings.MaximumBytesBilledKey}='{maxBytes}' is not a positive whole number of bytes",
                    $"e.g. --option {CloudSettings.MaximumBytesBilledKey}=10000000000 (each query may bill at most 10 GB)");
        }
        if (!string.IsNullOrWhiteSpace(p.Host) && p.Host.Contains("://", StringComparison.Ordinal))
            throw AmxException.BadInput($"--host '{p.Host}' is a URL", "give the host name alone (--host ACCOUNT.snowflakecomputing.com), or the whole URL as --base-url");
        if (p.Port is <= 0 or > 65535) throw AmxException.BadInput($"--port {p.Port} is not a TCP port (1-65535)");
    }
}
