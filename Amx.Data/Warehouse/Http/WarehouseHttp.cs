using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amx.Data.Llm;
using Amx.Data.Llm.Http;

namespace Amx.Data.Warehouse.Http;

/// <summary>
/// The HTTP side the three cloud clients share: one <see cref="HttpClient"/> over the same resilience pipeline as
/// the LLM clients (<see cref="ResilientHttpHandler"/>: retries with backoff on 408/429/5xx and connection errors,
/// Retry-After honoured, per-attempt and total time limits), JSON posting, and turning a transport failure into an
/// <see cref="HttpSqlException"/>. Error responses are handed back (not thrown) so each client reads its vendor's
/// error body.
/// </summary>
public static class WarehouseHttp
{
    /// <summary>Limits of one API call (a statement's submission or one poll/page), not of the whole statement.</summary>
    public static readonly DrafterOptions Options = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        RequestTimeout = TimeSpan.FromSeconds(90),
        TotalTimeout = TimeSpan.FromSeconds(300),
        MaxRetries = 4,
        RetryBaseDelay = TimeSpan.FromSeconds(1),
        MaxRetryAfter = TimeSpan.FromSeconds(60),
    };

    static readonly Lazy<HttpClient> Shared = new(() =>
        new HttpClient(new ResilientHttpHandler(Options) { ReturnErrorResponses = true }) { Timeout = Timeout.InfiniteTimeSpan });

    public static HttpClient Client => Shared.Value;

    public static readonly ProductInfoHeaderValue UserAgent = new("amx", typeof(WarehouseHttp).Assembly.GetName().Version?.ToString(3) ?? "1.0");

    /// <summary>Sends the request; a transport failure (timeouts, unreachable, retries spent) becomes an HttpSqlException.</summary>
    public static async Task<(HttpStatusCode Status, JsonDocument? Body, HttpResponseMessage Response)> SendAsync(
        HttpRequestMessage request, string backend, CancellationToken ct)
    {
        request.Headers.UserAgent.Add(UserAgent);
        if (request.Headers.Accept.Count == 0) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (LlmHttpException e)
        {
            throw new HttpSqlException($"{backend}: {e.Message}", null, null, e.Status, e);
        }
        JsonDocument? body = null;
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (bytes.Length > 0)
        {
            try { body = JsonDocument.Parse(bytes); }
            catch (JsonException) { body = null; }
        }
        return (response.StatusCode, body, response);
    }

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    /// <summary>Delay before the n-th status poll: short at first (most statements finish quickly), then up to 2 s.</summary>
    public static TimeSpan PollDelay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(2000, 25 * Math.Pow(2, Math.Min(attempt, 7))));

    /// <summary>A message from an error body, one line and cut short.</summary>
    public static string OneLine(string? text, int max = 400)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var s = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return Security.Redactor.Redact(s.Length > max ? s[..max] + "…" : s);
    }
}
