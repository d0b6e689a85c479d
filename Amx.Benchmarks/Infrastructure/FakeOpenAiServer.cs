using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Amx.Benchmarks.Infrastructure;

/// <summary>
/// A loopback OpenAI-compatible <c>POST /v1/chat/completions</c> endpoint for throughput figures: every request is
/// answered, after <see cref="Latency"/>, with a valid draft for each target it asks. HTTP/1.1 keep-alive with
/// Content-Length bodies (what the OpenAI SDK sends). The tests have a fuller fake (scripts, errors); this is the
/// part a benchmark needs, kept here so the benchmark does not depend on the test project.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    readonly TcpListener listener;
    readonly CancellationTokenSource stop = new();
    readonly Task acceptLoop;
    int requests, inFlight, maxInFlight;

    public FakeOpenAiServer(TimeSpan latency)
    {
        Latency = latency;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoop();
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";
    public TimeSpan Latency { get; }
    public int Requests => Volatile.Read(ref requests);
    /// <summary>The most requests the server held at once: shows the client's real concurrency.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new RequestReader(stream);
        try
        {
            while (await reader.ReadBodyAsync(stop.Token) is { } body)
            {
                Interlocked.Increment(ref requests);
                var now = Interlocked.Increment(ref inFlight);
                int seen;
                while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen) { }
                var answer = Answer(body);
                await Task.Delay(Latency, stop.Token);
                Interlocked.Decrement(ref inFlight);
                var bytes = Encoding.UTF8.GetBytes(answer);
                var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop.Token);
                await stream.WriteAsync(bytes, stop.Token);
            }
        }
        catch (Exception) { /* client gone or server stopping */ }
    }

    /// <summary>A chat completion whose content drafts every target of the request's last user message.</summary>
    static string Answer(string body)
    {
        var targets = new JsonArray();
        var messages = JsonNode.Parse(body)?["messages"]?.AsArray() ?? [];
        var last = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"];
        var text = last is JsonValue v ? v.GetValue<string>() : string.Concat((last as JsonArray ?? []).Select(p => p?["text"]?.GetValue<string>() ?? ""));
        var start = text.IndexOf('{');
        if (start >= 0 && JsonNode.Parse(text[start..])?["targets"] is JsonArray asked)
            foreach (var t in asked)
                targets.Add(new JsonObject
                {
                    ["kind"] = t!["kind"]!.GetValue<string>(), ["name"] = t["name"]!.GetValue<string>(),
                    ["description"] = $"Benchmark description of {t["name"]}.", ["alternatives"] = new JsonArray(), ["confidence"] = "high",
                });
        return new JsonObject
        {
            ["id"] = "chatcmpl-bench", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = "bench-model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["finish_reason"] = "stop",
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonObject { ["drafts"] = targets }.ToJsonString() },
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 500, ["completion_tokens"] = 200, ["total_tokens"] = 700 },
        }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try { await acceptLoop; } catch (Exception) { }
        stop.Dispose();
    }

    /// <summary>Reads one request's headers and its Content-Length body; null at end of stream.</summary>
    sealed class RequestReader(Stream stream)
    {
        byte[] buffer = new byte[64 * 1024];
        int start, end;

        public async Task<string?> ReadBodyAsync(CancellationToken ct)
        {
            var length = 0;
            var first = true;
            while (await ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    if (first) continue; // stray CRLF between requests
                    var body = await ReadExactAsync(length, ct);
                    return body is null ? null : Encoding.UTF8.GetString(body);
                }
                first = false;
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
            }
            return null;
        }

        async Task<bool> FillAsync(CancellationToken ct)
        {
            if (start > 0) { Array.Copy(buffer, start, buffer, 0, end - start); end -= start; start = 0; }
            if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
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

        async Task<byte[]?> ReadExactAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var got = 0;
            while (got < count)
            {
                if (start == end && !await FillAsync(ct)) return null;
                var n = Math.Min(count - got, end - start);
                Array.Copy(buffer, start, result, got, n);
                start += n;
                got += n;
            }
            return result;
        }
    }
}
