using System.Globalization;
using System.Net;
using System.Text.Json;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>
/// The BigQuery REST API v2 (docs/cloud-warehouses.md): <c>POST /bigquery/v2/projects/{project}/queries</c>
/// (jobs.query) with <c>useLegacySql: false</c>, named query parameters (<c>@name</c>, every value bound, never
/// spliced), <c>timeoutMs</c>, <c>maxResults</c>, the dataset location, <c>maximumBytesBilled</c> (profile option
/// <c>maximum_bytes_billed</c>) and a <c>requestId</c> (a retried POST is
/// the same query, not a second one). While <c>jobComplete</c> is false the job is polled with
/// <c>GET …/queries/{jobId}</c> (jobs.getQueryResults) until done or the statement timeout, then cancelled with
/// <c>POST …/jobs/{jobId}/cancel</c>; further pages are fetched with <c>pageToken</c>. Rows arrive as
/// <c>{"f":[{"v":…}]}</c> typed by <c>schema.fields</c>. Errors are Google's <c>{"error":{code,message,status,errors[]}}</c>.
/// </summary>
public sealed class BigQueryClient : IHttpSqlClient
{
    const string Backend = "BigQuery";
    /// <summary>Rows per page asked for; BigQuery may send fewer (it also caps a page at about 10 MB).</summary>
    public const int PageRows = 10_000;
    /// <summary>How long one jobs.query/getQueryResults call waits for the job before answering jobComplete=false.</summary>
    static readonly TimeSpan CallWait = TimeSpan.FromSeconds(10);

    readonly CloudSettings _s;
    readonly BigQueryAuth _auth;
    readonly long? _maximumBytesBilled;

    public BigQueryClient(CloudSettings settings)
    {
        _s = settings;
        if (string.IsNullOrEmpty(settings.Database))
            throw new HttpSqlException("the BigQuery profile names no project (--project)", "settings");
        if (settings.MaximumBytesBilled is { } max)
            _maximumBytesBilled = TryParseMaximumBytesBilled(max, out var m) ? m
                : throw new HttpSqlException($"the profile option {CloudSettings.MaximumBytesBilledKey} '{max}' is not a positive whole number of bytes", "settings");
        _auth = new BigQueryAuth(settings);
    }

    /// <summary>The profile option <c>maximum_bytes_billed</c>: a positive whole number of bytes (digits only).</summary>
    public static bool TryParseMaximumBytesBilled(string text, out long bytes) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes) && bytes > 0;

    public string Project => _s.Database!;
    public BigQueryAuth Auth => _auth;

    async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string relative, object? body, CancellationToken ct)
    {
        var r = new HttpRequestMessage(method, _s.Url(relative));
        r.Headers.Authorization = new("Bearer", await _auth.TokenAsync(ct));
        if (body is not null) r.Content = WarehouseHttp.Json(body);
        return r;
    }

    static string Esc(string s) => Uri.EscapeDataString(s);

    /// <summary>First delay before resending a call BigQuery answered 403 rateLimitExceeded (doubled each time).</summary>
    public static TimeSpan RateLimitDelay { get; set; } = TimeSpan.FromSeconds(1);
    const int RateLimitRetries = 4;

    /// <summary>
    /// One API call. 429 and 5xx are retried by the shared pipeline; BigQuery also reports some rate limits as 403
    /// with reason <c>rateLimitExceeded</c> (its troubleshooting guide says to retry with backoff), which the pipeline
    /// cannot tell from a denial, so those are retried here. The same body (and requestId) is sent again.
    /// </summary>
    async Task<(HttpStatusCode Status, JsonDocument? Json)> SendAsync(HttpMethod method, string relative, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, json, _) = await WarehouseHttp.SendAsync(await RequestAsync(method, relative, body, ct), Backend, ct);
            if (status != HttpStatusCode.Forbidden || attempt >= RateLimitRetries || Reason(json) != "rateLimitExceeded") return (status, json);
            json?.Dispose();
            await Task.Delay(RateLimitDelay * Math.Pow(2, attempt), ct);
        }
    }

    static string? Reason(JsonDocument? json) =>
        json?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
        && e.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
            ? errors[0].Str("reason") : null;

    public async Task<HttpSqlResult> ExecuteAsync(string sql, IReadOnlyList<HttpSqlBinding> bindings, TimeSpan timeout, CancellationToken ct)
    {
        var wait = timeout < CallWait ? timeout : CallWait;
        var body = new Dictionary<string, object?>
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            ["timeoutMs"] = (long)wait.TotalMilliseconds,
            ["maxResults"] = PageRows,
            ["requestId"] = Guid.NewGuid().ToString(),
        };
        if (_s.Location is { } location) body["location"] = location;
        // A job that would bill more fails before it runs, without charge (an int64 is sent as a JSON string).
        if (_maximumBytesBilled is { } max) body["maximumBytesBilled"] = max.ToString(CultureInfo.InvariantCulture);
        if (_s.Schema is { } dataset) body["defaultDataset"] = new Dictionary<string, string> { ["projectId"] = Project, ["datasetId"] = dataset };
        if (bindings.Count > 0)
        {
            body["parameterMode"] = "NAMED";
            body["queryParameters"] = bindings.Select(b => new Dictionary<string, object>
            {
                ["name"] = b.Name.TrimStart('@'),
                ["parameterType"] = new Dictionary<string, string> { ["type"] = ParamType(b.Kind) },
                // A NULL parameter: a parameterValue without a value.
                ["parameterValue"] = b.Value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["value"] = b.Value },
            }).ToList();
        }
        var deadline = DateTimeOffset.UtcNow + timeout;
        var (status, json) = await SendAsync(HttpMethod.Post, $"bigquery/v2/projects/{Esc(Project)}/queries", body, ct);
        for (var poll = 0; ; poll++)
        {
            if (status != HttpStatusCode.OK || json is null) throw Error(status, json);
            var root = json.RootElement;
            var job = root.TryGetProperty("jobReference", out var j) ? j : default;
            var jobId = job.Str("jobId");
            var jobLocation = job.Str("location") ?? _s.Location;
            var jobProject = job.Str("projectId") ?? Project;
            if (root.TryGetProperty("jobComplete", out var done) && done.ValueKind == JsonValueKind.False)
            {
                if (jobId is null) throw new HttpSqlException("BigQuery answered jobComplete=false without a jobReference", "protocol");
                if (DateTimeOffset.UtcNow > deadline)
                {
                    json.Dispose();
                    try { await WarehouseHttp.SendAsync(await RequestAsync(HttpMethod.Post, $"bigquery/v2/projects/{Esc(jobProject)}/jobs/{Esc(jobId)}/cancel{LocationQuery(jobLocation, '?')}", null, CancellationToken.None), Backend, CancellationToken.None); }
                    catch (HttpSqlException) { /* the timeout is the error to report */ }
                    throw new HttpSqlException($"BigQuery job {jobId} did not finish within {timeout.TotalSeconds:0} s and was cancelled", "timeout");
                }
                await Task.Delay(WarehouseHttp.PollDelay(poll), ct);
                json.Dispose();
                var left = deadline - DateTimeOffset.UtcNow;
                var callWait = left < wait ? (left < TimeSpan.Zero ? TimeSpan.Zero : left) : wait;
                (status, json) = await SendAsync(HttpMethod.Get, ResultsPath(jobProject, jobId, jobLocation, null) + $"&timeoutMs={(long)callWait.TotalMilliseconds}", null, ct);
                continue;
            }
            using (json) return Result(root, jobProject, jobId, jobLocation);
        }
    }

    static string LocationQuery(string? location, char lead) => location is null ? "" : $"{lead}location={Esc(location)}";

    static string ResultsPath(string project, string jobId, string? location, string? pageToken) =>
        $"bigquery/v2/projects/{Esc(project)}/queries/{Esc(jobId)}?maxResults={PageRows}{LocationQuery(location, '&')}" +
        (pageToken is null ? "" : $"&pageToken={Esc(pageToken)}");

    static string ParamType(HttpSqlValueKind kind) => kind switch
    {
        HttpSqlValueKind.Integer => "INT64",
        HttpSqlValueKind.Boolean => "BOOL",
        HttpSqlValueKind.Double => "FLOAT64",
        HttpSqlValueKind.Decimal => "NUMERIC",
        HttpSqlValueKind.Timestamp => "TIMESTAMP",
        _ => "STRING",
    };

    HttpSqlResult Result(JsonElement root, string project, string? jobId, string? location)
    {
        var columns = new List<HttpSqlColumn>();
        if (root.TryGetProperty("schema", out var schema) && schema.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
            foreach (var f in fields.EnumerateArray())
            {
                var type = f.Str("type") ?? "STRING";
                // A REPEATED or RECORD value is kept as its JSON text.
                var kind = f.Str("mode") == "REPEATED" ? HttpSqlValueKind.Text : Kind(type);
                columns.Add(new HttpSqlColumn(f.Str("name") ?? "", type, kind));
            }
        var first = Rows(root, columns.Count);
        var token = root.Str("pageToken");
        Func<CancellationToken, Task<IReadOnlyList<string?[]>?>>? next = token is null || jobId is null ? null : async ct =>
        {
            if (token is null) return null;
            var (status, json) = await SendAsync(HttpMethod.Get, ResultsPath(project, jobId, location, token), null, ct);
            if (status != HttpStatusCode.OK || json is null) throw Error(status, json);
            using (json)
            {
                token = json.RootElement.Str("pageToken");
                return Rows(json.RootElement, columns.Count);
            }
        };
        var affected = root.Str("numDmlAffectedRows") is { } n && long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a) ? a : -1;
        return new HttpSqlResult(columns, first, next, affected);
    }

    static List<string?[]> Rows(JsonElement root, int width)
    {
        if (!root.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array) return [];
        var result = new List<string?[]>(rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            var cells = new string?[width];
            if (row.TryGetProperty("f", out var f) && f.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var cell in f.EnumerateArray())
                {
                    if (i >= width) break;
                    var v = cell.TryGetProperty("v", out var value) ? value : default;
                    cells[i++] = v.ValueKind switch
                    {
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        JsonValueKind.String => v.GetString(),
                        _ => v.GetRawText(),
                    };
                }
            }
            result.Add(cells);
        }
        return result;
    }

    static HttpSqlValueKind Kind(string type) => type.ToUpperInvariant() switch
    {
        "INTEGER" or "INT64" => HttpSqlValueKind.Integer,
        "NUMERIC" or "BIGNUMERIC" => HttpSqlValueKind.Decimal,
        "FLOAT" or "FLOAT64" => HttpSqlValueKind.Double,
        "BOOLEAN" or "BOOL" => HttpSqlValueKind.Boolean,
        "TIMESTAMP" => HttpSqlValueKind.EpochTimestamp, // seconds since the epoch, as a float ("1.7e9")
        _ => HttpSqlValueKind.Text,
    };

    /// <summary>Google's error body: <c>error.code</c>, <c>error.message</c>, <c>error.status</c>, <c>error.errors[0].reason</c>.</summary>
    static HttpSqlException Error(HttpStatusCode status, JsonDocument? json)
    {
        using (json)
        {
            var error = json?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var e) ? e : default;
            var message = error.ValueKind == JsonValueKind.Object ? error.Str("message") : null;
            var reason = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                ? errors[0].Str("reason") : null;
            var statusName = error.ValueKind == JsonValueKind.Object ? error.Str("status") : null;
            var detail = message is null ? "" : ": " + WarehouseHttp.OneLine(message);
            var text = status switch
            {
                HttpStatusCode.Unauthorized => $"BigQuery refused the credentials (HTTP 401{detail})",
                HttpStatusCode.TooManyRequests => $"BigQuery is rate-limiting amx (HTTP 429) and retries are spent{detail}",
                _ => $"BigQuery error {reason ?? statusName ?? ((int)status).ToString(CultureInfo.InvariantCulture)} (HTTP {(int)status}){detail}",
            };
            return new HttpSqlException(text, reason, statusName, status);
        }
    }

    public void Dispose() => _auth.Dispose();
}
