using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime.Internal.Auth;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>One credentials call the fake accepted or refused: the API action and its parameters.</summary>
public sealed record FakeRedshiftIamCall(string Action, IReadOnlyDictionary<string, string> Parameters, bool SignatureValid);

/// <summary>
/// A loopback fake of the two AWS calls that hand out temporary Redshift database credentials, written from AWS's
/// API references: the Redshift Query API (<c>POST /</c>, form body <c>Action=GetClusterCredentials</c> or
/// <c>GetClusterCredentialsWithIAM</c>, <c>Version=2012-12-01</c>; XML answers and <c>&lt;ErrorResponse&gt;</c> errors)
/// and Redshift Serverless's JSON 1.1 API (<c>X-Amz-Target: RedshiftServerless.GetCredentials</c>; JSON answers and
/// <c>__type</c>/<c>message</c> errors). Every request must carry a valid SigV4 <c>Authorization</c>: the fake rebuilds
/// the canonical request from what it received and has AWSSDK.Core's signer (not amx's) compute the signature with the
/// secret it knows; it checks the access key, the credential scope (date, region, service), that X-Amz-Date is within
/// five minutes of its clock, the session token, and that the body hash matches.
/// </summary>
public sealed class FakeRedshiftIam : FakeHttpServer
{
    public string AccessKeyId { get; init; } = "AKIAFAKEAMX0000TEST1";
    public string SecretAccessKey { get; init; } = "fake/Secret+Key/" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    /// <summary>The session token temporary keys must carry (null: long-lived keys, no token expected).</summary>
    public string? SessionToken { get; init; }
    public string Region { get; init; } = "eu-west-1";
    public string ClusterId { get; init; } = "amx-cluster";
    public string Workgroup { get; init; } = "amx-wg";
    public required string Database { get; init; }
    /// <summary>The database user and password the fake hands out (they exist on the test PostgreSQL server).</summary>
    public required string TemporaryUser { get; init; }
    public required string TemporaryPassword { get; init; }
    /// <summary>Refuse every call with AccessDenied (the identity lacks the IAM action).</summary>
    public bool DenyAccess { get; set; }
    /// <summary>How far the fake's clock is ahead of the real one (a signature older than 5 minutes is expired).</summary>
    public TimeSpan ClockSkew { get; set; }
    public ConcurrentQueue<FakeRedshiftIamCall> Calls { get; } = new();
    /// <summary>Hand out credentials that expire this soon instead of after the requested duration.</summary>
    public TimeSpan? ExpiresIn { get; set; }

    static readonly IReadOnlyDictionary<string, string> Xml = new Dictionary<string, string> { ["Content-Type"] = "text/xml" };
    static readonly IReadOnlyDictionary<string, string> Json11 = new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.1" };

    protected override (int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers) Answer(FakeHttpRequest request)
    {
        var serverless = request.Headers.TryGetValue("X-Amz-Target", out var target);
        var service = serverless ? "redshift-serverless" : "redshift";
        var parameters = serverless ? JsonParameters(request.Body) : FormParameters(request.Body);
        var action = serverless ? target!.Split('.').Last() : parameters.GetValueOrDefault("Action", "");
        var signatureError = CheckSignature(request, service);
        Calls.Enqueue(new FakeRedshiftIamCall(action, parameters, signatureError is null));
        if (signatureError is { } e) return Error(serverless, 403, e.Code, e.Message);
        if (serverless) return Serverless(target!, parameters);
        if (action is not ("GetClusterCredentials" or "GetClusterCredentialsWithIAM"))
            return Error(false, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
        if (parameters.GetValueOrDefault("Version") != "2012-12-01") return Error(false, 400, "InvalidParameterValue", "Version must be 2012-12-01");
        if (DenyAccess)
        {
            var resource = action == "GetClusterCredentials"
                ? $"arn:aws:redshift:{Region}:123456789012:dbuser:{ClusterId}/{parameters.GetValueOrDefault("DbUser")}"
                : $"arn:aws:redshift:{Region}:123456789012:dbname:{ClusterId}/{parameters.GetValueOrDefault("DbName")}";
            return Error(false, 403, "AccessDenied", $"User: arn:aws:iam::123456789012:user/amx is not authorized to perform: redshift:{action} on resource: {resource}");
        }
        if (parameters.GetValueOrDefault("ClusterIdentifier") != ClusterId)
            return Error(false, 404, "ClusterNotFound", $"Cluster {parameters.GetValueOrDefault("ClusterIdentifier")} not found.");
        if (parameters.GetValueOrDefault("DbName") != Database) return Error(false, 400, "InvalidParameterValue", "DbName does not exist");
        if (action == "GetClusterCredentials" && string.IsNullOrEmpty(parameters.GetValueOrDefault("DbUser")))
            return Error(false, 400, "MissingParameter", "The request must contain the parameter DbUser");
        if (action == "GetClusterCredentialsWithIAM" && parameters.ContainsKey("DbUser"))
            return Error(false, 400, "InvalidParameterCombination", "GetClusterCredentialsWithIAM takes no DbUser");
        if (!int.TryParse(parameters.GetValueOrDefault("DurationSeconds", "900"), CultureInfo.InvariantCulture, out var duration) || duration is < 900 or > 3600)
            return Error(false, 400, "InvalidParameterValue", "DurationSeconds must be between 900 and 3600");
        var expiration = (ExpiresIn is { } soon ? Now + soon : Now.AddSeconds(duration)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var body = $"""
            <{action}Response xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
              <{action}Result>
                <DbUser>{System.Security.SecurityElement.Escape(TemporaryUser)}</DbUser>
                <Expiration>{expiration}</Expiration>
                <DbPassword>{System.Security.SecurityElement.Escape(TemporaryPassword)}</DbPassword>
              </{action}Result>
              <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
            </{action}Response>
            """;
        return (200, Encoding.UTF8.GetBytes(body), Xml);
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Serverless(string target, Dictionary<string, string> p)
    {
        if (target != "RedshiftServerless.GetCredentials") return Error(true, 400, "UnknownOperationException", $"unknown operation {target}");
        if (DenyAccess)
            return Error(true, 400, "AccessDeniedException",
                $"User: arn:aws:iam::123456789012:user/amx is not authorized to perform: redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:{Region}:123456789012:workgroup/0000");
        if (p.GetValueOrDefault("workgroupName") != Workgroup) return Error(true, 400, "ResourceNotFoundException", $"Workgroup {p.GetValueOrDefault("workgroupName")} not found");
        if (p.GetValueOrDefault("dbName") != Database) return Error(true, 400, "ValidationException", "dbName does not exist");
        if (!int.TryParse(p.GetValueOrDefault("durationSeconds", "900"), CultureInfo.InvariantCulture, out var duration) || duration is < 900 or > 3600)
            return Error(true, 400, "ValidationException", "durationSeconds must be between 900 and 3600");
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            dbUser = TemporaryUser, dbPassword = TemporaryPassword,
            expiration = (ExpiresIn is { } soon ? Now + soon : Now.AddSeconds(duration)).ToUnixTimeMilliseconds() / 1000.0,
            nextRefreshTime = Now.AddSeconds(duration / 2).ToUnixTimeMilliseconds() / 1000.0,
        });
        return (200, body, Json11);
    }

    DateTimeOffset Now => DateTimeOffset.UtcNow + ClockSkew;

    static (int, byte[], IReadOnlyDictionary<string, string>?) Error(bool json, int status, string code, string message) => json
        ? (status, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["__type"] = code, ["message"] = message }), Json11)
        : (status, Encoding.UTF8.GetBytes($"""
            <ErrorResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message></Error>
              <RequestId>{Guid.NewGuid()}</RequestId>
            </ErrorResponse>
            """), Xml);

    /// <summary>An XML error body as the Query API sends it (for injected faults).</summary>
    public static string XmlError(string code, string message) => Encoding.UTF8.GetString(Error(false, 400, code, message).Item2);

    (string Code, string Message)? CheckSignature(FakeHttpRequest request, string service)
    {
        var serverless = service == "redshift-serverless";
        string Bad(string _) => serverless ? "InvalidSignatureException" : "SignatureDoesNotMatch";
        if (!request.Headers.TryGetValue("Authorization", out var auth))
            return (serverless ? "MissingAuthenticationTokenException" : "MissingAuthenticationToken", "Request is missing Authentication Token");
        var m = Regex.Match(auth, @"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<sig>[0-9a-f]{64})$");
        if (!m.Success) return (serverless ? "IncompleteSignatureException" : "IncompleteSignature", $"Authorization header requires Credential, SignedHeaders and Signature: {auth}");
        if (m.Groups["key"].Value != AccessKeyId)
            return (serverless ? "UnrecognizedClientException" : "InvalidClientTokenId", "The security token included in the request is invalid.");
        if (!request.Headers.TryGetValue("X-Amz-Date", out var amzDate)
            || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
            return (Bad(""), "X-Amz-Date is missing or malformed");
        if (Math.Abs((Now.UtcDateTime - signedAt).TotalMinutes) > 5)
            return (Bad(""), $"Signature expired: {amzDate} is now earlier than {Now.UtcDateTime.AddMinutes(-5):yyyyMMdd'T'HHmmss'Z'} ({Now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'} - 5 min.)");
        if (m.Groups["date"].Value != amzDate[..8] || m.Groups["region"].Value != Region || m.Groups["service"].Value != service)
            return (Bad(""), $"Credential should be scoped to a valid region and service: {m.Groups["date"].Value}/{m.Groups["region"].Value}/{m.Groups["service"].Value}");
        var signed = m.Groups["signed"].Value.Split(';');
        foreach (var required in new[] { "host", "x-amz-date" }.Concat(serverless ? ["x-amz-target"] : []).Concat(SessionToken is null ? [] : ["x-amz-security-token"]))
            if (!signed.Contains(required)) return (Bad(""), $"{required} must be a signed header");
        if (SessionToken is not null && request.Headers.GetValueOrDefault("X-Amz-Security-Token") != SessionToken)
            return (serverless ? "UnrecognizedClientException" : "InvalidClientTokenId", "The security token included in the request is invalid.");
        var canonical = new StringBuilder();
        var q = request.PathAndQuery.IndexOf('?');
        canonical.Append(request.Method).Append('\n').Append(q < 0 ? request.PathAndQuery : request.PathAndQuery[..q]).Append('\n');
        canonical.Append(q < 0 ? "" : string.Join('&', request.PathAndQuery[(q + 1)..].Split('&').Order(StringComparer.Ordinal))).Append('\n');
        foreach (var h in signed)
        {
            if (!request.Headers.TryGetValue(h, out var value)) return (Bad(""), $"signed header {h} is not in the request");
            canonical.Append(h).Append(':').Append(Regex.Replace(value.Trim(), " +", " ")).Append('\n');
        }
        canonical.Append('\n').Append(string.Join(';', signed)).Append('\n');
        canonical.Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body))));
        var expected = AWS4Signer.ComputeSignature(AccessKeyId, SecretAccessKey, Region, signedAt, service, string.Join(';', signed), canonical.ToString()).Signature;
        return expected == m.Groups["sig"].Value
            ? null
            : (Bad(""), "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    static Dictionary<string, string> FormParameters(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

    static Dictionary<string, string> JsonParameters(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        }
        catch (JsonException) { return []; }
    }
}
