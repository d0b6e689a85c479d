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

    /// <summary>
    /// BigQuery: the project is the profile's database (<c>--project</c>), the default dataset its schema
    /// (<c>--dataset</c>); the API is https://bigquery.googleapis.com unless --base-url (or --host) says otherwise.
    /// </summary>
    public static string BigQuery(DbProfile p)
    {
        var b = Common(p, "bigquery", BigQueryApi);
        if (!p.Options.ContainsKey(CloudSettings.SchemaKey) && p.Options.TryGetValue(DatasetKey, out var dataset)) b[CloudSettings.SchemaKey] = dataset;
        return b.ConnectionString;
    }

    public const string BigQueryApi = "https://bigquery.googleapis.com";
    /// <summary>BigQuery <c>--dataset</c>, stored under the settings' schema key.</summary>
    public const string DatasetKey = "dataset";

    /// <summary>Databricks <c>--http-path</c>, as the workspace shows it under the warehouse's connection details.</summary>
    public const string HttpPathKey = "http_path";

    static DbConnectionStringBuilder Common(DbProfile p, string backend, string? defaultUrl = null)
    {
        var b = new DbConnectionStringBuilder();
        var baseUrl = p.Options.GetValueOrDefault(CloudSettings.BaseUrlKey)
            ?? (p.Host is { } h ? $"https://{h}{(p.Port is { } port ? ":" + port : "")}" : null)
            ?? defaultUrl
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
