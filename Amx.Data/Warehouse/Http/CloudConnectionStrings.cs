using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Errors;

namespace Amx.Data.Warehouse.Http;

/// <summary>
/// Connection strings of the cloud backends (read back by <see cref="CloudSettings"/>). The profile's options are the
/// settings' keys (<c>base_url</c>, <c>account</c>, <c>warehouse</c>, <c>role</c>, <c>auth</c>, …); the secret comes
/// from the profile's environment variable and is registered with the Redactor by <see cref="DbProfile.ResolvePassword"/>.
/// </summary>
public static class CloudConnectionStrings
{
    public static string Snowflake(DbProfile p)
    {
        var b = Common(p, "snowflake");
        if (!p.Options.ContainsKey(CloudSettings.AccountKey) && p.Host is { } host)
            b[CloudSettings.AccountKey] = host.Split('.')[0];
        return b.ConnectionString;
    }

    /// <summary>Databricks: the SQL warehouse id is the last segment of the HTTP path (<c>/sql/1.0/warehouses/ID</c>).</summary>
    public static string Databricks(DbProfile p)
    {
        var b = Common(p, "databricks");
        if (!p.Options.ContainsKey(CloudSettings.WarehouseKey) && p.Options.TryGetValue(HttpPathKey, out var path))
            b[CloudSettings.WarehouseKey] = path.TrimEnd('/').Split('/')[^1];
        return b.ConnectionString;
    }

    /// <summary>Databricks <c>--http-path</c>, as the workspace shows it under the warehouse's connection details.</summary>
    public const string HttpPathKey = "http_path";

    static DbConnectionStringBuilder Common(DbProfile p, string backend)
    {
        var b = new DbConnectionStringBuilder();
        var baseUrl = p.Options.GetValueOrDefault(CloudSettings.BaseUrlKey)
            ?? (p.Host is { } h ? $"https://{h}{(p.Port is { } port ? ":" + port : "")}" : null)
            ?? throw AmxException.BadInput($"db profile '{p.Name}' ({backend}) has neither --host nor --base-url",
                $"amx add-db-profile {p.Name} --backend {backend} --host HOST … --replace");
        b[CloudSettings.BaseUrlKey] = baseUrl;
        if (p.User is { } user) b[CloudSettings.UserKey] = user;
        if (p.Database is { } db) b[CloudSettings.DatabaseKey] = db;
        foreach (var (k, v) in p.Options) b[k] = v;
        if (p.ResolvePassword() is { } secret) b[CloudSettings.SecretKey] = secret;
        return b;
    }
}
