using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// The Snowflake SQL API v2 (docs/cloud-warehouses.md): <c>POST /api/v2/statements</c> with positional bindings; a 202
/// answer (still running) is polled at its <c>statementStatusUrl</c> until 200 or the statement timeout, then
/// cancelled; results come in partitions (the first in the answer, the others by
/// <c>GET /api/v2/statements/{handle}?partition=n</c>) and are read one partition at a time. Auth: key-pair JWT
/// (<c>X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT</c>) or an OAuth token (<c>OAUTH</c>).
/// </summary>
public sealed class SnowflakeClient : IHttpSqlClient
{
    const string Backend = "Snowflake";
    readonly CloudSettings _s;
    readonly RSA? _key;
    string? _jwt;
    DateTimeOffset _jwtExpires;

    public SnowflakeClient(CloudSettings settings)
    {
        _s = settings;
        if (IsOAuth) return;
        if (string.IsNullOrEmpty(settings.Secret))
            throw new HttpSqlException("Snowflake key-pair auth needs the private key (PEM text or file path) in the profile's secret environment variable");
        if (string.IsNullOrEmpty(settings.Account) || string.IsNullOrEmpty(settings.User))
            throw new HttpSqlException("Snowflake key-pair auth needs the account and the user");
        try { _key = SnowflakeJwt.LoadKey(settings.Secret); }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // Never the key text itself: only what kind of problem it is.
            throw new HttpSqlException($"cannot read the Snowflake private key: {e.GetType().Name.Replace("Exception", "")} ({(e is IOException or UnauthorizedAccessException ? "file not readable" : "not a PEM RSA private key")})", null, null, null, e);
        }
    }

    bool IsOAuth => string.Equals(_s.Auth, "oauth", StringComparison.OrdinalIgnoreCase);

    HttpRequestMessage Request(HttpMethod method, string relative, object? body = null)
    {
        var r = new HttpRequestMessage(method, _s.Url(relative));
        r.Headers.Authorization = new("Bearer", Token());
        r.Headers.Add("X-Snowflake-Authorization-Token-Type", IsOAuth ? "OAUTH" : "KEYPAIR_JWT");
        if (body is not null) r.Content = WarehouseHttp.Json(body);
        return r;
    }

    string Token()
    {
        if (IsOAuth) return _s.Secret ?? throw new HttpSqlException("Snowflake OAuth needs the token in the profile's secret environment variable");
        var now = DateTimeOffset.UtcNow;
        if (_jwt is null || now > _jwtExpires - TimeSpan.FromMinutes(5))
        {
            _jwt = SnowflakeJwt.Create(_key!, _s.Account!, _s.User!, now);
            _jwtExpires = now + SnowflakeJwt.Lifetime;
            Security.Redactor.Register(_jwt);
        }
        return _jwt;
    }

    public async Task<HttpSqlResult> ExecuteAsync(string sql, IReadOnlyList<HttpSqlBinding> bindings, TimeSpan timeout, CancellationToken ct)
    {
        var body = new Dictionary<string, object?>
        {
            ["statement"] = sql,
            ["timeout"] = (int)Math.Ceiling(timeout.TotalSeconds),
            ["database"] = _s.Database,
            ["warehouse"] = _s.Warehouse,
            ["role"] = _s.Role,
        };
        if (bindings.Count > 0)
            body["bindings"] = bindings.Select((b, i) => (Key: (i + 1).ToString(CultureInfo.InvariantCulture), b))
                .ToDictionary(x => x.Key, x => new Dictionary<string, object?> { ["type"] = BindType(x.b.Kind), ["value"] = x.b.Value });
        var deadline = DateTimeOffset.UtcNow + timeout;
        // One requestId per statement: a retried POST (the resilience pipeline resends the same URL) is recognised as
        // the same request by Snowflake instead of running the statement twice.
        var request = Request(HttpMethod.Post, $"api/v2/statements?requestId={Guid.NewGuid()}", body);
        var (status, json, _) = await WarehouseHttp.SendAsync(request, Backend, ct);
        for (var poll = 0; status == HttpStatusCode.Accepted; poll++)
        {
            var handle = json?.RootElement.Str("statementHandle") ?? throw Protocol("a 202 answer without statementHandle");
            if (DateTimeOffset.UtcNow > deadline)
            {
                try { await WarehouseHttp.SendAsync(Request(HttpMethod.Post, $"api/v2/statements/{handle}/cancel"), Backend, CancellationToken.None); }
                catch (HttpSqlException) { /* the timeout is the error to report */ }
                throw new HttpSqlException($"Snowflake statement {handle} did not finish within {timeout.TotalSeconds:0} s and was cancelled", "timeout");
            }
            await Task.Delay(WarehouseHttp.PollDelay(poll), ct);
            var url = json!.RootElement.Str("statementStatusUrl") ?? $"/api/v2/statements/{handle}";
            json.Dispose();
            (status, json, _) = await WarehouseHttp.SendAsync(Request(HttpMethod.Get, url), Backend, ct);
        }
        using (json)
        {
            if (status != HttpStatusCode.OK || json is null) throw Error(status, json);
            // Result copies rows and columns out of the document (strings), so it can be freed here.
            return Result(json.RootElement);
        }
    }

    static string BindType(HttpSqlValueKind kind) => kind switch
    {
        HttpSqlValueKind.Integer => "FIXED",
        HttpSqlValueKind.Boolean => "BOOLEAN",
        HttpSqlValueKind.Double => "REAL",
        HttpSqlValueKind.Decimal => "FIXED",
        _ => "TEXT", // timestamps too: Snowflake casts ISO 8601 text where a timestamp is wanted
    };

    HttpSqlResult Result(JsonElement root)
    {
        var meta = root.GetProperty("resultSetMetaData");
        var columns = meta.TryGetProperty("rowType", out var rowType)
            ? rowType.EnumerateArray().Select(c => new HttpSqlColumn(c.Str("name") ?? "", c.Str("type") ?? "text", Kind(c))).ToList()
            : [];
        var handle = root.Str("statementHandle");
        var partitions = meta.TryGetProperty("partitionInfo", out var pi) && pi.ValueKind == JsonValueKind.Array ? pi.GetArrayLength() : 1;
        // One partition is fetched ahead while the caller reads the current one (download overlaps parsing).
        var next = 1;
        Task<List<string?[]>>? ahead = null;
        Func<CancellationToken, Task<IReadOnlyList<string?[]>?>>? nextPage = partitions <= 1 || handle is null ? null : async ct =>
        {
            if (next >= partitions) return null;
            var current = ahead ?? FetchPartitionAsync(handle, next, columns.Count, ct);
            next++;
            ahead = next < partitions ? FetchPartitionAsync(handle, next, columns.Count, ct) : null;
            try { return await current; }
            catch
            {
                if (ahead is not null) _ = ahead.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: not rethrown later
                throw;
            }
        };
        long affected = -1;
        if (root.TryGetProperty("stats", out var stats) && stats.ValueKind == JsonValueKind.Object)
            affected = stats.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).Sum(p => p.Value.GetInt64());
        return new HttpSqlResult(columns, Rows(root, columns.Count), nextPage, affected);
    }

    async Task<List<string?[]>> FetchPartitionAsync(string handle, int partition, int width, CancellationToken ct)
    {
        var (status, json, _) = await WarehouseHttp.SendAsync(
            Request(HttpMethod.Get, $"api/v2/statements/{handle}?partition={partition.ToString(CultureInfo.InvariantCulture)}"), Backend, ct);
        if (status != HttpStatusCode.OK || json is null) throw Error(status, json);
        using (json) return Rows(json.RootElement, width);
    }

    /// <summary>jsonv2 data: an array of rows, each an array of strings or nulls.</summary>
    static List<string?[]> Rows(JsonElement root, int width) =>
        root.TryGetProperty("data", out var data) ? HttpSqlResult.JsonRows(data, width) : [];

    static HttpSqlValueKind Kind(JsonElement column) => (column.Str("type") ?? "").ToLowerInvariant() switch
    {
        "fixed" when column.TryGetProperty("scale", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() > 0 => HttpSqlValueKind.Decimal,
        "fixed" => HttpSqlValueKind.Integer,
        "real" => HttpSqlValueKind.Double,
        "boolean" => HttpSqlValueKind.Boolean,
        "timestamp_tz" or "timestamp_ltz" or "timestamp_ntz" => HttpSqlValueKind.EpochTimestamp,
        _ => HttpSqlValueKind.Text,
    };

    static HttpSqlException Protocol(string what) => new($"Snowflake answered in an unexpected shape: {what}", "protocol");

    /// <summary>The error object Snowflake sends (<c>code</c>, <c>message</c>, <c>sqlState</c>), or the HTTP status alone.</summary>
    static HttpSqlException Error(HttpStatusCode status, JsonDocument? json)
    {
        var root = json?.RootElement ?? default;
        var code = root.ValueKind == JsonValueKind.Object ? root.Str("code") : null;
        var message = root.ValueKind == JsonValueKind.Object ? root.Str("message") : null;
        var state = root.ValueKind == JsonValueKind.Object ? root.Str("sqlState") : null;
        var text = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"Snowflake refused the credentials (HTTP {(int)status}{(message is null ? "" : ": " + WarehouseHttp.OneLine(message))})",
            HttpStatusCode.TooManyRequests => $"Snowflake is rate-limiting amx (HTTP 429) and retries are spent{(message is null ? "" : ": " + WarehouseHttp.OneLine(message))}",
            _ => $"Snowflake error {code ?? ((int)status).ToString(CultureInfo.InvariantCulture)}{(state is null ? "" : $" ({state})")}: {WarehouseHttp.OneLine(message ?? $"HTTP {(int)status}")}",
        };
        return new HttpSqlException(text, code, state, status);
    }

    public void Dispose() => _key?.Dispose();
}
