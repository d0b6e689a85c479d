using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>A Google service-account key file (the fields amx uses).</summary>
public sealed record ServiceAccountKey(string ClientEmail, string PrivateKeyPem, string? PrivateKeyId, string TokenUri)
{
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    /// <summary>Reads the key from a file path, or from the JSON itself when the variable holds it. Never echoes the key.</summary>
    public static ServiceAccountKey Load(string pathOrJson)
    {
        string json;
        var text = pathOrJson.Trim();
        if (text.StartsWith('{')) json = text;
        else
        {
            try { json = File.ReadAllText(text); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new HttpSqlException($"cannot read the BigQuery service-account key file ({e.GetType().Name.Replace("Exception", "")}: file not readable)", "credentials", null, null, e);
            }
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var email = root.Str("client_email");
            var pem = root.Str("private_key");
            if (email is null || pem is null)
                throw new HttpSqlException("the BigQuery service-account key has no client_email or private_key (download a JSON key of the service account)", "credentials");
            Security.Redactor.Register(pem);
            return new ServiceAccountKey(email, pem, root.Str("private_key_id"), root.Str("token_uri") ?? DefaultTokenUri);
        }
        catch (JsonException e)
        {
            throw new HttpSqlException("the BigQuery service-account key is not JSON (expected the key file Google Cloud downloads)", "credentials", null, null, e);
        }
    }
}

/// <summary>
/// OAuth 2.0 for BigQuery: either an access token given as is (<c>--auth oauth</c>), or a service account's
/// JWT-bearer grant (RFC 7523): an RS256 JWT with <c>iss</c> = client_email, <c>scope</c> = the BigQuery scope,
/// <c>aud</c> = token_uri, valid an hour, POSTed as <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>.
/// The access token is cached until a minute before it expires. Both tokens are registered with the Redactor.
/// </summary>
public sealed class BigQueryAuth : IDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/bigquery";
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    readonly string? _staticToken;
    readonly ServiceAccountKey? _key;
    readonly RSA? _rsa;
    readonly Uri? _tokenUrl;
    readonly SemaphoreSlim _gate = new(1, 1);
    string? _token;
    DateTimeOffset _expires;

    /// <summary>How many tokens were fetched (tests check the cache).</summary>
    public int TokensFetched { get; private set; }

    public BigQueryAuth(CloudSettings s)
    {
        if (string.IsNullOrEmpty(s.Secret))
            throw new HttpSqlException("BigQuery needs the service-account key file path (or, with --auth oauth, an access token) in the profile's secret environment variable", "credentials");
        if (string.Equals(s.Auth, "oauth", StringComparison.OrdinalIgnoreCase)) { _staticToken = s.Secret; return; }
        _key = ServiceAccountKey.Load(s.Secret);
        var rsa = RSA.Create();
        try { rsa.ImportFromPem(_key.PrivateKeyPem); }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new HttpSqlException("cannot read the private key of the BigQuery service account (not a PEM RSA key)", "credentials", null, null, e);
        }
        _rsa = rsa;
        var url = s.TokenUrl ?? _key.TokenUri;
        if (!Uri.TryCreate(url, UriKind.Absolute, out _tokenUrl) || _tokenUrl.Scheme is not ("http" or "https"))
            throw new HttpSqlException($"the token URL '{url}' is not an http(s) URL", "credentials");
    }

    public async Task<string> TokenAsync(CancellationToken ct)
    {
        if (_staticToken is not null) return _staticToken;
        await _gate.WaitAsync(ct);
        try
        {
            if (_token is not null && DateTimeOffset.UtcNow < _expires - TimeSpan.FromMinutes(1)) return _token;
            var now = DateTimeOffset.UtcNow;
            var assertion = CreateJwt(_rsa!, _key!, now);
            Security.Redactor.Register(assertion);
            var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = GrantType, ["assertion"] = assertion });
            var (status, json, _) = await WarehouseHttp.SendAsync(new HttpRequestMessage(HttpMethod.Post, _tokenUrl) { Content = form }, "BigQuery token endpoint", ct);
            using (json)
            {
                var root = json?.RootElement ?? default;
                if (status != HttpStatusCode.OK || root.Str("access_token") is not { } token)
                {
                    var why = root.ValueKind == JsonValueKind.Object ? root.Str("error_description") ?? root.Str("error") : null;
                    // Marked as an auth failure whatever the status (Google answers 400 invalid_grant to a bad key).
                    throw new HttpSqlException($"Google refused the service account's token request (HTTP {(int)status}{(why is null ? "" : ": " + WarehouseHttp.OneLine(why))})",
                        root.ValueKind == JsonValueKind.Object ? root.Str("error") : null, null, HttpStatusCode.Unauthorized);
                }
                Security.Redactor.Register(token);
                var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var n) ? n : 3600;
                _token = token;
                _expires = now + TimeSpan.FromSeconds(seconds);
                TokensFetched++;
                return token;
            }
        }
        finally { _gate.Release(); }
    }

    public static string CreateJwt(RSA rsa, ServiceAccountKey key, DateTimeOffset now)
    {
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (key.PrivateKeyId is { } kid) header["kid"] = kid;
        var payload = new Dictionary<string, object>
        {
            ["iss"] = key.ClientEmail, ["scope"] = Scope, ["aud"] = key.TokenUri,
            ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        };
        var signingInput = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _rsa?.Dispose();
        _gate.Dispose();
    }
}
