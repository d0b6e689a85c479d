using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Amx.Data.Llm.Http;

/// <summary>
/// The retry and timeout policy of every LLM call, below the SDKs (whose own retries are switched off), so that
/// both providers behave alike and tests can observe it. Three time limits (docs/runs.md): connecting
/// (<see cref="DrafterOptions.ConnectTimeout"/>), the answer starting per attempt (<see cref="DrafterOptions.RequestTimeout"/>),
/// and the whole call with its retries (<see cref="DrafterOptions.TotalTimeout"/>). Exponential backoff with jitter on
/// 408 / 429 / 5xx / connection errors, honouring Retry-After; a timed-out attempt is retried only
/// <see cref="DrafterOptions.MaxTimeoutRetries"/> times; 401/403 and other 4xx are not retried.
/// When retries are spent it throws <see cref="LlmHttpException"/>.
/// </summary>
public sealed class ResilientHttpHandler : DelegatingHandler
{
    readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    readonly ResiliencePipeline firstByte;
    readonly DrafterOptions options;
    readonly TimeProvider time;
    // Timed-out attempts of the current call (per async flow: calls run concurrently through one handler).
    readonly AsyncLocal<StrongBox<int>> timeouts = new();
    int TimedOut => timeouts.Value?.Value ?? 0;

    /// <summary>Hand non-transient error responses (and the last transient one) back instead of throwing, for callers
    /// that read a vendor's own error body (the warehouse SQL APIs). Timeouts and unreachable hosts still throw.</summary>
    public bool ReturnErrorResponses { get; init; }

    public ResilientHttpHandler(DrafterOptions options, HttpMessageHandler? inner = null, TimeProvider? time = null)
        : base(inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = options.ConnectTimeout })
    {
        this.options = options;
        this.time = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = this.time };
        // Outermost: the whole call, every attempt and backoff included.
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryAfter,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(_ => TimedOut <= options.MaxTimeoutRetries)
                    .HandleResult(r => IsTransient(r.StatusCode)),
                // Retry-After wins over our backoff; null falls back to the exponential delay.
                DelayGenerator = args =>
                {
                    var asked = RetryAfter.From(args.Outcome.Result, this.time.GetUtcNow());
                    return ValueTask.FromResult(asked is { } d ? (TimeSpan?)(d > options.MaxRetryAfter ? options.MaxRetryAfter : d) : null);
                },
            });
        pipeline = builder.Build();
        firstByte = new ResiliencePipelineBuilder { TimeProvider = this.time }.AddTimeout(options.RequestTimeout).Build();
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // Buffer the body once: each attempt sends a fresh copy (a sent HttpRequestMessage cannot be re-sent,
        // and some SDK contents are one-shot streams).
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct);
        var attempts = 0;
        var counter = new StrongBox<int>();
        timeouts.Value = counter;
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                using var copy = Copy(request, body);
                HttpResponseMessage r;
                try
                {
                    // The handler returns once the status line and headers are in: that is the "first byte" limit.
                    r = await firstByte.ExecuteAsync(async t => await base.SendAsync(copy, t), token);
                }
                catch (TimeoutRejectedException)
                {
                    counter.Value++;
                    throw;
                }
                catch (OperationCanceledException e) when (!token.IsCancellationRequested)
                {
                    // SocketsHttpHandler's ConnectTimeout surfaces as a cancellation nobody asked for.
                    throw new HttpRequestException($"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s", e);
                }
                // The body is read inside the attempt, bounded by the total limit.
                await r.Content.LoadIntoBufferAsync(token);
                return r;
            }, ct);
        }
        catch (TimeoutRejectedException e) when (!ct.IsCancellationRequested)
        {
            var total = e.Timeout >= options.TotalTimeout && options.TotalTimeout != options.RequestTimeout;
            throw new LlmHttpException(LlmHttpFailure.Timeout, null,
                total ? $"no complete answer within {options.TotalTimeout.TotalSeconds:0.#} s in all ({Attempts(attempts)})"
                      : $"no answer within {options.RequestTimeout.TotalSeconds:0.#} s ({Attempts(attempts)})", attempts, e);
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw new LlmHttpException(LlmHttpFailure.Unreachable, null,
                $"cannot reach {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {e.Message} ({Attempts(attempts)})", attempts, e);
        }

        if (response.IsSuccessStatusCode || ReturnErrorResponses) return response;
        using (response)
        {
            var detail = await ErrorDetail(response, ct);
            throw new LlmHttpException(LlmHttpFailure.Status, response.StatusCode,
                $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? "" : ": " + detail)} ({Attempts(attempts)})",
                attempts);
        }
    }

    static readonly System.Text.RegularExpressions.Regex KeyLike =
        new(@"\b(sk|key|api[_-]?key)[-_][A-Za-z0-9_\-\*\.]{6,}", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    static string Attempts(int n) => n == 1 ? "1 attempt" : $"{n} attempts";

    static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var h in request.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
        foreach (var o in request.Options) ((IDictionary<string, object?>)copy.Options)[o.Key] = o.Value;
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var h in request.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
            copy.Content.Headers.ContentLength = body.Length;
        }
        return copy;
    }

    /// <summary>The server's own error message (OpenAI and Anthropic both send <c>{"error":{"message":…}}</c>),
    /// cut short; never the request, which could carry the key.</summary>
    static async Task<string?> ErrorDetail(HttpResponseMessage response, CancellationToken ct)
    {
        string text;
        try { text = await response.Content.ReadAsStringAsync(ct); }
        catch (Exception) { return null; }
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var err))
                message = err.ValueKind == JsonValueKind.Object && err.TryGetProperty("message", out var m) ? m.ToString() : err.ToString();
        }
        catch (JsonException) { message = text; }
        if (string.IsNullOrWhiteSpace(message)) return null;
        message = string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        // Some servers echo (part of) the key they refused; keep it out of errors and history.
        message = KeyLike.Replace(message, "[redacted]");
        return message.Length > 300 ? message[..300] + "…" : message;
    }
}
