using System.Data.Common;
using System.Globalization;

namespace Amx.Data.Warehouse.Http;

/// <summary>
/// The profile fields of a cloud warehouse, carried in the connection string (built by ConnectionStringFactory with
/// <see cref="DbConnectionStringBuilder"/>, so values are quoted, not concatenated). Secret: the resolved secret of
/// the auth method (token, private key, service-account file path), registered with the Redactor when resolved.
/// </summary>
public sealed class CloudSettings
{
    public const string BaseUrlKey = "base_url", AccountKey = "account", UserKey = "user", DatabaseKey = "database",
        WarehouseKey = "warehouse", RoleKey = "role", AuthKey = "auth", SecretKey = "secret", TokenUrlKey = "token_url",
        TimeoutKey = "statement_timeout", SchemaKey = "schema", LocationKey = "location", MaximumBytesBilledKey = "maximum_bytes_billed";

    public required Uri BaseUrl { get; init; }
    public string? Account { get; init; }
    public string? User { get; init; }
    /// <summary>Snowflake database, Databricks catalog, BigQuery project.</summary>
    public string? Database { get; init; }
    /// <summary>Snowflake warehouse, Databricks warehouse id (from the HTTP path).</summary>
    public string? Warehouse { get; init; }
    public string? Role { get; init; }
    public string? Auth { get; init; }
    public string? Secret { get; init; }
    public string? TokenUrl { get; init; }
    /// <summary>BigQuery dataset location (EU, US, …); Databricks/Snowflake: unused.</summary>
    public string? Location { get; init; }
    /// <summary>BigQuery default dataset (<c>--dataset</c>); Databricks/Snowflake: unused.</summary>
    public string? Schema { get; init; }
    public int StatementTimeoutSeconds { get; init; } = 600;
    /// <summary>BigQuery: the <c>maximum_bytes_billed</c> option as given (checked by the BigQuery client); others: unused.</summary>
    public string? MaximumBytesBilled { get; init; }

    public static CloudSettings Parse(string connectionString)
    {
        var b = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => b.TryGetValue(key, out var v) && v is not null && v.ToString() is { Length: > 0 } s ? s : null;
        var url = Get(BaseUrlKey) ?? throw new ArgumentException("the profile has no host or base URL");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{url}' is not an http(s) URL");
        return new CloudSettings
        {
            BaseUrl = baseUrl, Account = Get(AccountKey), User = Get(UserKey), Database = Get(DatabaseKey),
            Warehouse = Get(WarehouseKey), Role = Get(RoleKey), Auth = Get(AuthKey), Secret = Get(SecretKey),
            TokenUrl = Get(TokenUrlKey), Location = Get(LocationKey), Schema = Get(SchemaKey), MaximumBytesBilled = Get(MaximumBytesBilledKey),
            StatementTimeoutSeconds = Get(TimeoutKey) is { } t && int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 600,
        };
    }

    /// <summary>A URL under the base URL (which may carry a path prefix, e.g. a proxy's).</summary>
    public Uri Url(string relative) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + relative.TrimStart('/'));
}
