using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Security;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Redshift.Iam;

/// <summary>Temporary database credentials: the user name and password Npgsql logs in with, and when they expire.</summary>
public sealed record RedshiftTemporaryCredentials(string DbUser, string DbPassword, DateTimeOffset Expiration)
{
    public override string ToString() => $"RedshiftTemporaryCredentials({DbUser}, expires {Expiration:O})";
}

/// <summary>
/// Asks AWS for temporary Redshift database credentials: provisioned clusters through the Redshift Query API
/// (<c>GetClusterCredentials</c> for a named database user, <c>GetClusterCredentialsWithIAM</c> when the profile has
/// none), Serverless through the JSON 1.1 API (<c>RedshiftServerless.GetCredentials</c>). SigV4-signed, sent through
/// the shared resilient HttpClient (<see cref="WarehouseHttp"/>). Credentials are kept in memory for the process
/// until a minute before they expire, never written anywhere; the password is registered with the Redactor.
/// </summary>
public static class RedshiftCredentialsClient
{
    static readonly ConcurrentDictionary<string, RedshiftTemporaryCredentials> Cache = new();

    // The Query API reports throttling as 400 + code, which the HTTP handler (status codes only) does not retry.
    static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
        { "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled" };
    const int MaxThrottledAttempts = 4;

    public static async Task<RedshiftTemporaryCredentials> GetAsync(DbProfile profile, RedshiftIamSettings s, CancellationToken ct)
    {
        var keys = AwsCredentialResolver.Resolve(profile.Variables);
        var cacheKey = string.Join('\n', s.Endpoint, s.Action, s.ClusterId, s.Workgroup, s.Database, s.DbUser, keys.AccessKeyId);
        if (Cache.TryGetValue(cacheKey, out var cached) && cached.Expiration - DateTime.UtcNow > TimeSpan.FromMinutes(1)) return cached;
        var fresh = await RequestAsync(profile, s, keys, ct);
        Cache[cacheKey] = fresh;
        return fresh;
    }

    static async Task<RedshiftTemporaryCredentials> RequestAsync(DbProfile profile, RedshiftIamSettings s, AwsKeys keys, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = BuildRequest(s, keys);
            HttpStatusCode status;
            JsonDocument? json;
            HttpResponseMessage response;
            try
            {
                (status, json, response) = await WarehouseHttp.SendAsync(request, "redshift", ct).ConfigureAwait(false);
            }
            catch (HttpSqlException e)
            {
                // Unreachable, timed out, or retries spent: the handler's message says which.
                throw AmxException.Failed($"cannot get temporary Redshift credentials for db profile '{profile.Name}' ({s.Action} at {Redactor.MaskUrl(s.Endpoint.AbsoluteUri)}): {e.Message}",
                    "check that the AWS endpoint is reachable from here (proxy, DNS, a VPC endpoint given as --base-url) and the profile's --region", e);
            }
            using var _ = response;
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (status == HttpStatusCode.OK)
            {
                var credentials = s.Serverless ? ParseJson(json) : ParseXml(text, s.Action);
                if (credentials is null)
                    throw AmxException.Failed($"cannot get temporary Redshift credentials for db profile '{profile.Name}': {s.Action} answered without DbUser/DbPassword",
                        $"check --base-url points at the Redshift{(s.Serverless ? " Serverless" : "")} API ({s.Endpoint})");
                Redactor.Register(credentials.DbPassword);
                return credentials;
            }
            var (code, message) = s.Serverless || json is not null ? JsonError(json) : XmlError(text);
            if (code is not null && ThrottlingCodes.Contains(code) && attempt < MaxThrottledAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)), ct).ConfigureAwait(false);
                continue;
            }
            throw Describe(profile, s, (int)status, code, message);
        }
    }

    static HttpRequestMessage BuildRequest(RedshiftIamSettings s, AwsKeys keys)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, s.Endpoint);
        byte[] body;
        if (s.Serverless)
        {
            body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["workgroupName"] = s.Workgroup!, ["dbName"] = s.Database, ["durationSeconds"] = RedshiftIamSettings.DurationSeconds,
            });
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "RedshiftServerless.GetCredentials");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-amz-json-1.1"));
        }
        else
        {
            var form = new List<(string, string)>
            {
                ("Action", s.Action), ("Version", "2012-12-01"), ("ClusterIdentifier", s.ClusterId!), ("DbName", s.Database),
                ("DurationSeconds", RedshiftIamSettings.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
            };
            if (s.DbUser is not null) form.Add(("DbUser", s.DbUser));
            body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Item1)}={Uri.EscapeDataString(f.Item2)}")));
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/xml"));
        }
        AwsSigV4.Sign(request, body, keys, s.Region, s.Service, DateTime.UtcNow);
        return request;
    }

    static RedshiftTemporaryCredentials? ParseXml(string text, string action)
    {
        XDocument doc;
        try { doc = XDocument.Parse(text); }
        catch (System.Xml.XmlException) { return null; }
        var result = doc.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result");
        string? Field(string name) => result?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        if (Field("DbUser") is not { Length: > 0 } user || Field("DbPassword") is not { Length: > 0 } password) return null;
        return new RedshiftTemporaryCredentials(user, password, ParseTime(Field("Expiration")));
    }

    static RedshiftTemporaryCredentials? ParseJson(JsonDocument? json)
    {
        if (json is null || json.RootElement.Str("dbUser") is not { Length: > 0 } user || json.RootElement.Str("dbPassword") is not { Length: > 0 } password)
            return null;
        // JSON 1.1 timestamps are epoch seconds (a number); accept ISO text too.
        var expiration = json.RootElement.TryGetProperty("expiration", out var e) && e.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(e.GetDouble() * 1000))
            : ParseTime(json.RootElement.Str("expiration"));
        return new RedshiftTemporaryCredentials(user, password, expiration);
    }

    // Unknown expiry: assume the least AWS grants, so the cache never outlives the credentials.
    static DateTimeOffset ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : new DateTimeOffset(DateTime.UtcNow, TimeSpan.Zero).AddSeconds(RedshiftIamSettings.DurationSeconds);

    static (string? Code, string? Message) XmlError(string text)
    {
        try
        {
            var error = XDocument.Parse(text).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            return (Field("Code"), Field("Message"));
        }
        catch (System.Xml.XmlException) { return (null, text); }
    }

    static (string? Code, string? Message) JsonError(JsonDocument? json)
    {
        if (json is null) return (null, null);
        var type = json.RootElement.Str("__type") ?? json.RootElement.Str("code");
        // "__type" may be namespaced: "com.amazonaws.redshiftserverless#AccessDeniedException".
        if (type?.LastIndexOf('#') is int hash and >= 0) type = type[(hash + 1)..];
        return (type, json.RootElement.Str("message") ?? json.RootElement.Str("Message"));
    }

    static AmxException Describe(DbProfile profile, RedshiftIamSettings s, int status, string? code, string? message)
    {
        var what = $"cannot get temporary Redshift credentials for db profile '{profile.Name}' ({s.Action}, {s.Target} in {s.Region})";
        var detail = WarehouseHttp.OneLine(message);
        var text = $"{what}: {code ?? $"HTTP {status}"}{(detail.Length > 0 ? ": " + detail : "")}";
        var hint = code switch
        {
            "AccessDenied" or "AccessDeniedException" or "AccessDeniedFault" or "UnauthorizedOperation" or "UnauthorizedException" => NeededPermission(s),
            "SignatureDoesNotMatch" or "InvalidSignatureException" or "IncompleteSignature" or "IncompleteSignatureException" =>
                "check that AWS_SECRET_ACCESS_KEY belongs to AWS_ACCESS_KEY_ID and that this machine's clock is right (AWS refuses signatures more than 5 minutes off)",
            "InvalidClientTokenId" or "UnrecognizedClientException" or "ExpiredToken" or "ExpiredTokenException" or "InvalidAccessKeyId" =>
                "the AWS access key is unknown or its session token expired: refresh the credentials (aws sso login, aws sts …, or new keys)",
            "ClusterNotFound" or "ClusterNotFoundFault" or "ResourceNotFoundException" =>
                $"check {(s.Serverless ? "--workgroup" : "--cluster-id")} and --region of db profile '{profile.Name}' (aws redshift{(s.Serverless ? "-serverless list-workgroups" : " describe-clusters")} --region {s.Region})",
            _ => $"check the AWS credentials and the profile's --region/--base-url; amx db-profiles test {profile.Name}",
        };
        return AmxException.Failed(text, hint);
    }

    static string NeededPermission(RedshiftIamSettings s) => s.Serverless
        ? $"the AWS identity needs redshift-serverless:GetCredentials on the workgroup (arn:aws:redshift-serverless:{s.Region}:ACCOUNT:workgroup/WORKGROUP_ID of '{s.Workgroup}')"
        : s.DbUser is null
            ? $"the AWS identity needs redshift:GetClusterCredentialsWithIAM on arn:aws:redshift:{s.Region}:ACCOUNT:dbname:{s.ClusterId}/{s.Database}"
            : $"the AWS identity needs redshift:GetClusterCredentials on arn:aws:redshift:{s.Region}:ACCOUNT:dbuser:{s.ClusterId}/{s.DbUser} " +
              $"and arn:aws:redshift:{s.Region}:ACCOUNT:dbname:{s.ClusterId}/{s.Database}";
}
