using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Amx.Data.Warehouse.Redshift.Iam;

/// <summary>AWS access keys: the long-lived pair, or a temporary pair with its session token.</summary>
public sealed record AwsKeys(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    public override string ToString() => $"AwsKeys({AccessKeyId})";
}

/// <summary>
/// AWS Signature Version 4 for the one request amx makes to AWS (a credentials call). Written here because
/// AWSSDK.Core's signer is in its Internal namespace and works on the SDK's own request type; checked against AWS's
/// published SigV4 test-suite vectors (get-vanilla, get-vanilla-query-order-key-case, post-x-www-form-urlencoded).
/// </summary>
public static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Adds X-Amz-Date, X-Amz-Security-Token (temporary keys) and Authorization to a request whose body is <paramref name="body"/>.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, AwsKeys keys, string region, string service, DateTime utcNow)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI");
        var amzDate = utcNow.ToUniversalTime().ToString(DateFormat, CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (keys.SessionToken is { Length: > 0 } token)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }
        var headers = new List<KeyValuePair<string, string>> { new("host", uri.Authority) };
        if (request.Content?.Headers.ContentType is { } contentType) headers.Add(new("content-type", contentType.ToString()));
        foreach (var h in request.Headers)
            if (h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
                headers.Add(new(h.Key, string.Join(',', h.Value)));
        var authorization = Authorization(keys, region, service, amzDate, request.Method.Method, uri.AbsolutePath,
            CanonicalQuery(uri.Query), headers, Hex(SHA256.HashData(body)));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>The Authorization header value for a request already in canonical parts (the test vectors' level).</summary>
    public static string Authorization(AwsKeys keys, string region, string service, string amzDate, string method, string path, string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> headers, string payloadSha256Hex)
    {
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.Trim().ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => CollapseSpaces(h.Value)))))
            .ToList();
        var signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));
        var canonicalRequest = string.Join('\n',
            method, CanonicalPath(path), canonicalQuery,
            string.Concat(canonicalHeaders.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders, payloadSha256Hex);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + keys.SecretAccessKey), date), region), service), "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        return $"{Algorithm} Credential={keys.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>Query parameters sorted by encoded name then value, each RFC 3986-encoded once.</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?") return "";
        return string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=');
                var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
                var value = eq < 0 ? "" : Uri.UnescapeDataString(p[(eq + 1)..]);
                return (Name: Uri.EscapeDataString(name), Value: Uri.EscapeDataString(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    // Each segment encoded once (the non-S3 rule); "/" stays "/".
    static string CanonicalPath(string path) =>
        string.IsNullOrEmpty(path) ? "/" : string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));

    static string CollapseSpaces(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
