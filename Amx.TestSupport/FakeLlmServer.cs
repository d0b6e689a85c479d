using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amx.TestSupport;

public enum FakeProtocol { OpenAi, Anthropic }

/// <summary>What the fake answers: an LLM answer text (wrapped in the protocol's JSON with usage), or a raw HTTP reply.</summary>
public sealed record FakeReply(int Status, string? Content, string? RawBody, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeReply Answer(string content) => new(200, content, null);
    public static FakeReply Raw(int status, string body, IReadOnlyDictionary<string, string>? headers = null) => new(status, null, body, headers);
    public static FakeReply Error(int status, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        Raw(status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "fake_error" } }.ToJsonString(), headers);

    /// <summary>
    /// A careless gateway: an error that echoes the credentials it was sent (Authorization / x-api-key) in the JSON
    /// message and in response headers, as some real proxies do. Retry-After 0 keeps retried statuses fast.
    /// </summary>
    public static FakeReply EchoCredentials(FakeRequest request, int status)
    {
        var auth = request.Headers.TryGetValue("Authorization", out var a) ? a : "";
        var apiKey = request.Headers.TryGetValue("x-api-key", out var k) ? k : "";
        var headers = new Dictionary<string, string>
        {
            ["X-Echo-Authorization"] = auth, ["X-Echo-Api-Key"] = apiKey,
            ["WWW-Authenticate"] = $"Bearer realm=\"fake\", error=\"invalid_token\", token=\"{auth}{apiKey}\"",
            ["Retry-After"] = "0",
        };
        return Error(status, $"Incorrect API key provided: {auth}{apiKey}. You can find your API key at https://example.invalid", headers);
    }
}

public sealed class FakeRequest
{
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required string Body { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public JsonNode? Json => field ??= TryParse(Body);

    /// <summary>Texts of the user messages, in order (string content or text blocks, both protocols).</summary>
    public List<string> UserTexts()
    {
        var texts = new List<string>();
        foreach (var m in Json?["messages"]?.AsArray() ?? [])
        {
            if (m?["role"]?.GetValue<string>() != "user") continue;
            var content = m["content"];
            if (content is JsonValue v) texts.Add(v.GetValue<string>());
            else if (content is JsonArray parts)
                texts.Add(string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")));
        }
        return texts;
    }

    /// <summary>The targets asked in the last user message that lists some (the correction repeats only the missing ones).</summary>
    public List<(string Kind, string Name)> Targets()
    {
        foreach (var text in Enumerable.Reverse(UserTexts()))
        {
            var start = text.IndexOf('{');
            if (start < 0) continue;
            var doc = TryParse(text[start..]);
            if (doc?["targets"] is JsonArray targets)
                return targets.Select(t => (t!["kind"]!.GetValue<string>(), t["name"]!.GetValue<string>())).ToList();
        }
        return [];
    }

    static JsonNode? TryParse(string text) { try { return JsonNode.Parse(text); } catch (JsonException) { return null; } }
}

/// <summary>
/// A loopback HTTP/1.1 server speaking OpenAI <c>POST /v1/chat/completions</c> or Anthropic <c>POST /v1/messages</c>,
/// enough for the real SDKs: keep-alive, Content-Length or chunked bodies. Replies come from <see cref="Script"/>
/// first, then from <see cref="Responder"/> (default: a valid answer for every target asked). Records every request.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    readonly TcpListener listener;
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentQueue<FakeRequest> requests = new();
    readonly Task acceptLoop;
    int requestCount, inFlight, maxInFlight;

    public FakeProtocol Protocol { get; }
    public int Port { get; }
    /// <summary>The base_url to configure: with <c>/v1</c> for OpenAI (the SDK appends <c>/chat/completions</c>),
    /// without for Anthropic (the SDK appends <c>/v1/messages</c>).</summary>
    public string BaseUrl => Protocol == FakeProtocol.OpenAi ? $"http://127.0.0.1:{Port}/v1" : $"http://127.0.0.1:{Port}";
    public TimeSpan Latency { get; set; }
    /// <summary>Per-request latency (null answer: <see cref="Latency"/>), e.g. to slow down one table's batches only.</summary>
    public Func<FakeRequest, TimeSpan?>? LatencyFor { get; set; }
    public ConcurrentQueue<FakeReply> Script { get; } = new();
    public Func<FakeRequest, FakeReply> Responder { get; set; } = ValidAnswer;
    public IReadOnlyList<FakeRequest> Requests => requests.ToList();
    public int RequestCount => Volatile.Read(ref requestCount);
    /// <summary>The most requests the server held at once: shows the client's real concurrency.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);
    public int InputTokensPerCall { get; set; } = 100;
    public int OutputTokensPerCall { get; set; } = 40;

    public FakeLlmServer(FakeProtocol protocol)
    {
        Protocol = protocol;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoop();
    }

    /// <summary>A well-formed answer for every target of the request.</summary>
    public static FakeReply ValidAnswer(FakeRequest request) =>
        FakeReply.Answer(Drafts(request.Targets(), t => $"Drafted description of {t.Name}."));

    public static string Drafts(IEnumerable<(string Kind, string Name)> targets, Func<(string Kind, string Name), string> text, string confidence = "high") =>
        new JsonObject
        {
            ["drafts"] = new JsonArray(targets.Select(t => (JsonNode)new JsonObject
            {
                ["kind"] = t.Kind, ["name"] = t.Name, ["description"] = text(t),
                ["alternatives"] = new JsonArray($"Alternative one for {t.Name}.", $"Alternative two for {t.Name}.", $"Alternative three for {t.Name}."),
                ["confidence"] = confidence,
            }).ToArray()),
        }.ToJsonString();

    async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    async Task Serve(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new HttpReader(stream);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var request = await reader.ReadRequestAsync(stop.Token);
                if (request is null) return;
                requests.Enqueue(request);
                Interlocked.Increment(ref requestCount);
                var now = Interlocked.Increment(ref inFlight);
                for (var seen = maxInFlight; now > seen; seen = maxInFlight)
                    if (Interlocked.CompareExchange(ref maxInFlight, now, seen) == seen) break;
                try
                {
                    var reply = Script.TryDequeue(out var scripted) ? scripted : Responder(request);
                    var latency = LatencyFor?.Invoke(request) ?? Latency;
                    if (latency > TimeSpan.Zero) await Task.Delay(latency, stop.Token);
                    await WriteAsync(stream, reply, stop.Token);
                }
                finally { Interlocked.Decrement(ref inFlight); }
            }
        }
        catch (Exception) { /* client went away (timeouts) or server stopping */ }
    }

    async Task WriteAsync(Stream stream, FakeReply reply, CancellationToken ct)
    {
        var body = reply.RawBody ?? Wrap(reply.Content ?? "");
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder();
        head.Append($"HTTP/1.1 {reply.Status} {Reason(reply.Status)}\r\n");
        head.Append("Content-Type: application/json\r\n");
        head.Append($"Content-Length: {bytes.Length}\r\n");
        foreach (var h in reply.Headers ?? new Dictionary<string, string>()) head.Append($"{h.Key}: {h.Value}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
    }

    string Wrap(string content) => Protocol == FakeProtocol.OpenAi
        ? new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = "fake-model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = InputTokensPerCall, ["completion_tokens"] = OutputTokensPerCall,
                ["total_tokens"] = InputTokensPerCall + OutputTokensPerCall,
            },
        }.ToJsonString()
        : new JsonObject
        {
            ["id"] = "msg_fake", ["type"] = "message", ["role"] = "assistant", ["model"] = "fake-model",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = content }),
            ["stop_reason"] = "end_turn", ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = InputTokensPerCall, ["output_tokens"] = OutputTokensPerCall },
        }.ToJsonString();

    static string Reason(int status) => status switch
    {
        200 => "OK", 400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found",
        429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable", _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        try { await acceptLoop; } catch (Exception) { }
        stop.Dispose();
    }

    /// <summary>Minimal HTTP/1.1 request reader: request line, headers, Content-Length or chunked body.</summary>
    sealed class HttpReader(Stream stream)
    {
        readonly byte[] buffer = new byte[64 * 1024];
        int start, end;

        public async Task<FakeRequest?> ReadRequestAsync(CancellationToken ct)
        {
            var requestLine = await ReadLineAsync(ct);
            if (string.IsNullOrEmpty(requestLine)) return null;
            var parts = requestLine.Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadLineAsync(ct) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':');
                if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            byte[] body;
            if (headers.TryGetValue("Content-Length", out var len)) body = await ReadExactAsync(int.Parse(len), ct);
            else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                using var ms = new MemoryStream();
                while (true)
                {
                    var size = Convert.ToInt32((await ReadLineAsync(ct) ?? "0").Split(';')[0].Trim(), 16);
                    if (size == 0) { while (await ReadLineAsync(ct) is { Length: > 0 }) { } break; }
                    ms.Write(await ReadExactAsync(size, ct));
                    await ReadLineAsync(ct);
                }
                body = ms.ToArray();
            }
            else body = [];
            return new FakeRequest
            {
                Method = parts[0], Path = parts.Length > 1 ? parts[1] : "/", Headers = headers,
                Body = Encoding.UTF8.GetString(body), ReceivedAt = DateTimeOffset.UtcNow,
            };
        }

        async Task<bool> FillAsync(CancellationToken ct)
        {
            if (start > 0) { Array.Copy(buffer, start, buffer, 0, end - start); end -= start; start = 0; }
            var n = await stream.ReadAsync(buffer.AsMemory(end), ct);
            end += n;
            return n > 0;
        }

        async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                var idx = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (idx >= 0)
                {
                    var line = Encoding.ASCII.GetString(buffer, start, idx - start).TrimEnd('\r');
                    start = idx + 1;
                    return line;
                }
                if (!await FillAsync(ct)) return null;
            }
        }

        async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var got = 0;
            while (got < count)
            {
                if (start == end && !await FillAsync(ct)) throw new EndOfStreamException();
                var n = Math.Min(count - got, end - start);
                Array.Copy(buffer, start, result, got, n);
                start += n; got += n;
            }
            return result;
        }
    }
}
