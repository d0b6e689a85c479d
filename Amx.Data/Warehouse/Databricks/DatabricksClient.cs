using System.Globalization;
using System.Net;
using System.Text.Json;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>
/// The Databricks SQL Statement Execution API 2.0 (docs/cloud-warehouses.md): <c>POST /api/2.0/sql/statements</c> on a SQL
/// warehouse with named parameters (<c>:name</c>), <c>wait_timeout</c> 30 s then <c>CONTINUE</c>; PENDING/RUNNING
/// statements are polled with <c>GET /api/2.0/sql/statements/{id}</c> until a final state or the statement timeout
/// (then <c>…/cancel</c>). Results use the EXTERNAL_LINKS disposition in JSON_ARRAY format: each chunk is downloaded
/// from its short-lived presigned URL WITHOUT the Authorization header (as the API reference requires), and the
/// next chunk's links come from <c>next_chunk_internal_link</c>. INLINE answers (<c>data_array</c>) are read too.
/// Auth: a personal access token or an OAuth access token, both as a Bearer token.
/// </summary>
public sealed class DatabricksClient(CloudSettings settings) : IHttpSqlClient
{
    const string Backend = "Databricks";

    HttpRequestMessage Request(HttpMethod method, string relative, object? body = null)
    {
        var r = new HttpRequestMessage(method, settings.Url(relative));
        r.Headers.Authorization = new("Bearer", settings.Secret ?? throw new HttpSqlException("Databricks needs a token in the profile's secret environment variable"));
        if (body is not null) r.Content = WarehouseHttp.Json(body);
        return r;
    }

    public async Task<HttpSqlResult> ExecuteAsync(string sql, IReadOnlyList<HttpSqlBinding> bindings, TimeSpan timeout, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(settings.Warehouse))
            throw new HttpSqlException("the Databricks profile names no SQL warehouse (--http-path /sql/1.0/warehouses/ID or --warehouse ID)");
        var body = new Dictionary<string, object?>
        {
            ["statement"] = sql,
            ["warehouse_id"] = settings.Warehouse,
            ["catalog"] = settings.Database,
            ["wait_timeout"] = "30s",
            ["on_wait_timeout"] = "CONTINUE",
            ["disposition"] = "EXTERNAL_LINKS",
            ["format"] = "JSON_ARRAY",
        };
        if (bindings.Count > 0)
            body["parameters"] = bindings.Select(b =>
            {
                var p = new Dictionary<string, object?> { ["name"] = b.Name, ["type"] = ParamType(b.Kind) };
                if (b.Value is not null) p["value"] = b.Value; // omitted value: NULL
                return p;
            }).ToList();
        var deadline = DateTimeOffset.UtcNow + timeout;
        var (status, json, _) = await WarehouseHttp.SendAsync(Request(HttpMethod.Post, "api/2.0/sql/statements", body), Backend, ct);
        for (var poll = 0; ; poll++)
        {
            if (status != HttpStatusCode.OK || json is null) throw HttpError(status, json);
            var root = json.RootElement;
            var id = root.Str("statement_id");
            var state = root.TryGetProperty("status", out var st) ? st.Str("state") : null;
            switch (state)
            {
                case "SUCCEEDED":
                    using (json) return await ResultAsync(root, ct);
                case "PENDING" or "RUNNING":
                    if (DateTimeOffset.UtcNow > deadline)
                    {
                        try { await WarehouseHttp.SendAsync(Request(HttpMethod.Post, $"api/2.0/sql/statements/{id}/cancel"), Backend, CancellationToken.None); }
                        catch (HttpSqlException) { /* the timeout is the error to report */ }
                        throw new HttpSqlException($"Databricks statement {id} did not finish within {timeout.TotalSeconds:0} s and was cancelled", "timeout");
                    }
                    await Task.Delay(WarehouseHttp.PollDelay(poll), ct);
                    json.Dispose();
                    (status, json, _) = await WarehouseHttp.SendAsync(Request(HttpMethod.Get, $"api/2.0/sql/statements/{id}"), Backend, ct);
                    continue;
                default: throw StatementError(state, st);
            }
        }
    }

    static string ParamType(HttpSqlValueKind kind) => kind switch
    {
        HttpSqlValueKind.Integer => "BIGINT",
        HttpSqlValueKind.Boolean => "BOOLEAN",
        HttpSqlValueKind.Double => "DOUBLE",
        HttpSqlValueKind.Decimal => "DECIMAL",
        HttpSqlValueKind.Timestamp => "TIMESTAMP",
        _ => "STRING",
    };

    async Task<HttpSqlResult> ResultAsync(JsonElement root, CancellationToken ct)
    {
        var columns = new List<HttpSqlColumn>();
        if (root.TryGetProperty("manifest", out var manifest) && manifest.TryGetProperty("schema", out var schema) && schema.TryGetProperty("columns", out var cols))
            foreach (var c in cols.EnumerateArray().OrderBy(c => c.TryGetProperty("position", out var p) ? p.GetInt32() : 0))
                columns.Add(new HttpSqlColumn(c.Str("name") ?? "", c.Str("type_name") ?? "STRING", Kind(c.Str("type_name"))));
        var result = root.TryGetProperty("result", out var r) ? r.Clone() : default;
        var first = result.ValueKind == JsonValueKind.Object ? await ChunkRowsAsync(result, columns.Count, ct) : [];
        var next = result.ValueKind == JsonValueKind.Object ? NextLink(result) : null;
        Func<CancellationToken, Task<IReadOnlyList<string?[]>?>> nextPage = async token =>
        {
            if (next is null) return null;
            var (status, json, _) = await WarehouseHttp.SendAsync(Request(HttpMethod.Get, next), Backend, token);
            if (status != HttpStatusCode.OK || json is null) throw HttpError(status, json);
            using (json)
            {
                var chunk = json.RootElement;
                next = NextLink(chunk);
                return await ChunkRowsAsync(chunk, columns.Count, token);
            }
        };
        // DML answers with one row of counts (num_affected_rows, num_inserted_rows, …).
        var counted = columns.FindIndex(c => c.Name == "num_affected_rows");
        var affected = counted >= 0 && first.Count > 0 && long.TryParse(first[0][counted], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
        return new HttpSqlResult(columns, first, nextPage, affected);
    }

    /// <summary>The internal link of the next chunk, from an INLINE result or the last external link.</summary>
    static string? NextLink(JsonElement chunk)
    {
        if (chunk.TryGetProperty("external_links", out var links) && links.ValueKind == JsonValueKind.Array && links.GetArrayLength() > 0)
            return links[links.GetArrayLength() - 1].Str("next_chunk_internal_link");
        return chunk.Str("next_chunk_internal_link");
    }

    /// <summary>Rows of one chunk: inline <c>data_array</c>, or each external link downloaded without credentials.</summary>
    async Task<IReadOnlyList<string?[]>> ChunkRowsAsync(JsonElement chunk, int width, CancellationToken ct)
    {
        if (chunk.TryGetProperty("data_array", out var inline)) return HttpSqlResult.JsonRows(inline, width);
        if (!chunk.TryGetProperty("external_links", out var links) || links.ValueKind != JsonValueKind.Array) return [];
        var rows = new List<string?[]>();
        foreach (var link in links.EnumerateArray())
        {
            var url = link.Str("external_link") ?? throw new HttpSqlException("Databricks answered an external link without a URL", "protocol");
            // A presigned URL: its own credentials are in the query string; sending ours would leak the token to storage.
            using var download = new HttpRequestMessage(HttpMethod.Get, url);
            var (status, json, _) = await WarehouseHttp.SendAsync(download, Backend, ct);
            if (status != HttpStatusCode.OK || json is null)
                throw new HttpSqlException($"Databricks result chunk {link.Str("chunk_index")} could not be downloaded (HTTP {(int)status}); the link may have expired ({link.Str("expiration")})", "external_link", null, status);
            using (json) rows.AddRange(HttpSqlResult.JsonRows(json.RootElement, width));
        }
        return rows;
    }

    static HttpSqlValueKind Kind(string? typeName) => typeName switch
    {
        "BYTE" or "SHORT" or "INT" or "LONG" => HttpSqlValueKind.Integer,
        "DECIMAL" => HttpSqlValueKind.Decimal,
        "FLOAT" or "DOUBLE" => HttpSqlValueKind.Double,
        "BOOLEAN" => HttpSqlValueKind.Boolean,
        _ => HttpSqlValueKind.Text,
    };

    /// <summary>A FAILED/CANCELED/CLOSED statement: <c>status.error</c> (error_code, message) and <c>status.sql_state</c>.</summary>
    static HttpSqlException StatementError(string? state, JsonElement status)
    {
        var error = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("error", out var e) ? e : default;
        var message = error.ValueKind == JsonValueKind.Object ? error.Str("message") : null;
        var code = error.ValueKind == JsonValueKind.Object ? error.Str("error_code") : null;
        var sqlState = status.ValueKind == JsonValueKind.Object ? status.Str("sql_state") : null;
        return new HttpSqlException($"Databricks statement {state?.ToLowerInvariant() ?? "failed"}{(sqlState is null ? "" : $" ({sqlState})")}: {WarehouseHttp.OneLine(message ?? code ?? "no reason given")}",
            code, sqlState);
    }

    /// <summary>An HTTP error: Databricks sends <c>{"error_code": …, "message": …}</c>.</summary>
    static HttpSqlException HttpError(HttpStatusCode status, JsonDocument? json)
    {
        var root = json?.RootElement ?? default;
        var code = root.ValueKind == JsonValueKind.Object ? root.Str("error_code") : null;
        var message = root.ValueKind == JsonValueKind.Object ? root.Str("message") : null;
        var detail = message is null ? "" : ": " + WarehouseHttp.OneLine(message);
        var text = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"Databricks refused the token (HTTP {(int)status}{detail})",
            HttpStatusCode.TooManyRequests => $"Databricks is rate-limiting amx (HTTP 429) and retries are spent{detail}",
            _ => $"Databricks error {code ?? ((int)status).ToString(CultureInfo.InvariantCulture)} (HTTP {(int)status}){detail}",
        };
        return new HttpSqlException(text, code, null, status);
    }

    public void Dispose() { }
}
