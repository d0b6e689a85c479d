using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>A request as a fake cloud warehouse received it (for tests to assert shapes and headers).</summary>
public sealed record FakeHttpRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>An answer a test injects before the fake's own (rate limits, 5xx, …).</summary>
public sealed record FakeHttpFault(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// The loopback HTTP/1.1 listener the fake cloud warehouses share (<see cref="HttpListener"/> on 127.0.0.1, a free
/// port): logs every request, serves injected faults first, then the subclass's answer.
/// </summary>
public abstract class FakeHttpServer : IAsyncDisposable
{
    readonly HttpListener _listener;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly ConcurrentQueue<FakeHttpRequest> _requests = new();

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public IReadOnlyList<FakeHttpRequest> Requests => _requests.ToList();
    /// <summary>Answers served before the fake's own, one per request, in order.</summary>
    public ConcurrentQueue<FakeHttpFault> Faults { get; } = new();
    long _answerTicks;
    /// <summary>Time the fake spent building answers (so a benchmark can tell the client's cost from the fake's).</summary>
    public TimeSpan AnswerTime => TimeSpan.FromTicks(Interlocked.Read(ref _answerTicks));

    protected FakeHttpServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            // A fresh listener per attempt: one that failed to start keeps its prefix, and closing it later would
            // bind that port again (the managed HttpListener re-creates an endpoint to remove a prefix).
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { listener.Start(); _listener = listener; Port = port; break; }
            catch (HttpListenerException) when (attempt < 10) { }
        }
        _loop = Task.Run(LoopAsync);
    }

    async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            _ = Task.Run(() => ServeAsync(ctx));
        }
    }

    async Task ServeAsync(HttpListenerContext ctx)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            var request = new FakeHttpRequest(ctx.Request.HttpMethod, ctx.Request.Url!.PathAndQuery, headers, body);
            _requests.Enqueue(request);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (status, payload, extra) = Faults.TryDequeue(out var fault)
                ? (fault.Status, Encoding.UTF8.GetBytes(fault.Body), fault.Headers)
                : Answer(request);
            Interlocked.Add(ref _answerTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            foreach (var (k, v) in extra ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
            ctx.Response.ContentLength64 = payload.Length;
            await ctx.Response.OutputStream.WriteAsync(payload);
            ctx.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (a cancelled or timed-out test): nothing to answer.
        }
    }

    /// <summary>The fake's answer: status, JSON body, extra headers.</summary>
    protected abstract (int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers) Answer(FakeHttpRequest request);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        // Close alone (it stops too): Stop then Close removed the prefix twice, and the second removal re-bound the
        // port, failing with "Address already in use" once another test had taken it.
        try { _listener.Close(); }
        catch (HttpListenerException) { }
        try { await _loop; } catch (Exception) { }
        GC.SuppressFinalize(this);
    }
}
