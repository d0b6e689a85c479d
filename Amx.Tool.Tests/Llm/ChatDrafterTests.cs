using System.Diagnostics;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Llm;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Llm;

/// <summary>The real SDK clients (OpenAI, Anthropic) against fake servers on loopback speaking their wire protocols.</summary>
[TestFixture(FakeProtocol.OpenAi)]
[TestFixture(FakeProtocol.Anthropic)]
[Category("Quick")]
public class ChatDrafterTests(FakeProtocol protocol)
{
    FakeLlmServer server = null!;
    string keyEnv = null!;

    [SetUp]
    public void Start()
    {
        server = new FakeLlmServer(protocol);
        keyEnv = $"AMX_TEST_LLM_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(keyEnv, "sk-test-secret");
    }

    [TearDown]
    public async Task Stop()
    {
        Environment.SetEnvironmentVariable(keyEnv, null);
        await server.DisposeAsync();
    }

    LlmProfile Profile(string? baseUrl = null) => new()
    {
        Name = "fake",
        Provider = protocol == FakeProtocol.OpenAi ? "openai" : "anthropic",
        Model = "fake-model",
        ApiKeyEnv = keyEnv,
        BaseUrl = baseUrl ?? server.BaseUrl,
    };

    static DrafterOptions Fast(int retries = 3, double timeoutSeconds = 10) => new()
    {
        MaxRetries = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds),
        MaxAlternatives = 2,
    };

    IDescriptionDrafter Drafter(DrafterOptions? options = null) => DrafterFactory.Create(Profile(), options ?? Fast());

    [Test]
    public async Task Drafts_every_target_with_usage_and_the_key_sent()
    {
        using var drafter = Drafter();
        var table = SampleTables.Orders();
        var result = await drafter.DraftAsync(SampleTables.All(table), CancellationToken.None);

        Assert.That(result.Outcomes.Select(o => o.Error), Is.All.Null);
        Assert.That(result.Outcomes, Has.Count.EqualTo(table.Columns.Count + 1));
        var col = result.Outcomes.Single(o => o.Target.Name.Column == "orderQty");
        Assert.That(col.Description, Is.EqualTo("Drafted description of orderQty."));
        Assert.That(col.Confidence, Is.EqualTo("high"));
        Assert.That(col.Alternatives, Is.EqualTo(new[] { "Alternative one for orderQty.", "Alternative two for orderQty." }), "capped at MaxAlternatives");
        Assert.That(result.Outcomes[0].Description, Is.EqualTo("Drafted description of orders."));
        Assert.That(result.Usage, Is.EqualTo(new TokenUsage(100, 40)));
        Assert.That(result.Calls, Is.EqualTo(1));
        Assert.That(drafter.Model, Is.EqualTo("fake-model"));

        var request = server.Requests.Single();
        Assert.That(request.Method, Is.EqualTo("POST"));
        if (protocol == FakeProtocol.OpenAi)
        {
            Assert.That(request.Path, Is.EqualTo("/v1/chat/completions"));
            Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer sk-test-secret"));
            Assert.That(request.Json!["response_format"]?["type"]?.GetValue<string>(), Is.EqualTo("json_schema"));
        }
        else
        {
            Assert.That(request.Path, Is.EqualTo("/v1/messages"));
            // Anthropic SDK 13.x sends the API key as a bearer token (its documented ClientOptions.ApiKey behaviour).
            Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer sk-test-secret"));
            Assert.That(request.Headers.ContainsKey("anthropic-version"), Is.True);
            Assert.That(request.Json!["max_tokens"]?.GetValue<int>(), Is.EqualTo(4096));
            Assert.That(request.Json!["output_config"]?["format"]?["type"]?.GetValue<string>(), Is.EqualTo("json_schema"), "structured output");
        }
        Assert.That(request.Json!["model"]?.GetValue<string>(), Is.EqualTo("fake-model"));
        Assert.That(request.Targets(), Has.Count.EqualTo(table.Columns.Count + 1));
    }

    [TestCase(401)]
    [TestCase(403)]
    public void Refused_key_is_a_clear_failure_and_not_retried(int status)
    {
        server.Responder = _ => FakeReply.Error(status, "Incorrect API key provided: sk-test-secret");
        using var drafter = Drafter();
        var e = Assert.ThrowsAsync<AmxException>(() => drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None));
        Assert.That(e!.Code, Is.EqualTo(ExitCode.Failed));
        Assert.That(e.Message, Does.Contain("LLM endpoint refused the API key").And.Contain(status.ToString()));
        Assert.That(e.Hint, Does.Contain(keyEnv));
        Assert.That(e.Message + e.Hint, Does.Not.Contain("sk-test-secret"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Rate_limit_waits_for_retry_after_then_succeeds()
    {
        server.Script.Enqueue(FakeReply.Error(429, "Rate limit reached", new Dictionary<string, string> { ["Retry-After"] = "1" }));
        using var drafter = Drafter();
        var clock = Stopwatch.StartNew();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);
        clock.Stop();

        Assert.That(result.Outcomes.All(o => o.Succeeded), Is.True);
        Assert.That(server.Requests, Has.Count.EqualTo(2));
        var gap = server.Requests[1].ReceivedAt - server.Requests[0].ReceivedAt;
        Assert.That(gap, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)), "waited the Retry-After, not the 20 ms backoff");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Repeated_server_errors_fail_the_batch_and_the_drafter_keeps_working()
    {
        server.Responder = _ => FakeReply.Error(500, "The server had an error");
        using var drafter = Drafter(Fast(retries: 2));
        var failed = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);

        Assert.That(failed.Outcomes.All(o => !o.Succeeded), Is.True);
        Assert.That(failed.Outcomes[0].Error, Does.Contain("HTTP 500").And.Contain("The server had an error").And.Contain("3 attempts"));
        Assert.That(server.Requests, Has.Count.EqualTo(3), "first attempt + 2 retries");

        server.Responder = FakeLlmServer.ValidAnswer;
        var ok = await drafter.DraftAsync(SampleTables.All(SampleTables.Customer()), CancellationToken.None);
        Assert.That(ok.Outcomes.All(o => o.Succeeded), Is.True);
    }

    [Test]
    public async Task Malformed_answer_is_retried_once_then_its_targets_fail()
    {
        server.Responder = _ => FakeReply.Answer("Sure! Here are the descriptions: {drafts: [oops");
        using var drafter = Drafter();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);

        Assert.That(server.Requests, Has.Count.EqualTo(2), "exactly one retry");
        Assert.That(result.Calls, Is.EqualTo(2));
        Assert.That(result.Outcomes.All(o => o.Error is { } e && e.Contains("bad answer after one retry") && e.Contains("not valid JSON")), Is.True);
        Assert.That(result.Usage, Is.EqualTo(new TokenUsage(200, 80)), "both calls counted");
        // The retry continues the conversation: it shows the model its answer and says what was wrong.
        Assert.That(server.Requests[1].UserTexts(), Has.Count.EqualTo(2));
        Assert.That(server.Requests[1].UserTexts()[1], Does.Contain("could not be used"));
    }

    [Test]
    public async Task Malformed_http_body_is_retried_once_then_its_targets_fail()
    {
        server.Responder = _ => FakeReply.Raw(200, "<html>gateway hiccup</html>");
        using var drafter = Drafter();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);

        Assert.That(server.Requests, Has.Count.EqualTo(2));
        Assert.That(result.Outcomes.All(o => o.Error is { } e && e.Contains("malformed response")), Is.True);
    }

    [Test]
    public async Task Partial_answer_asks_again_only_for_what_is_missing_or_invalid()
    {
        var first = true;
        server.Responder = request =>
        {
            if (!first) return FakeLlmServer.ValidAnswer(request);
            first = false;
            var targets = request.Targets();
            // drop one target, give another a bad confidence, add one nobody asked for
            var kept = targets.Where(t => t.Name != "orderQty").Append(("column", "not_a_column")).ToList();
            var json = FakeLlmServer.Drafts(kept, t => t.Name == "ship_dt" ? "   " : $"Drafted description of {t.Name}.");
            return FakeReply.Answer("```json\n" + json + "\n```");
        };
        using var drafter = Drafter();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);

        Assert.That(result.Outcomes.All(o => o.Succeeded), Is.True);
        Assert.That(server.Requests, Has.Count.EqualTo(2));
        var asked = server.Requests[1].Targets().Select(t => t.Name).Order().ToList();
        Assert.That(asked, Is.EqualTo(new[] { "orderQty", "ship_dt" }));
        Assert.That(server.Requests[1].UserTexts()[1], Does.Contain("missing from the answer").And.Contain("empty description"));
    }

    [Test]
    public async Task Slow_endpoint_times_out_per_request_and_the_batch_fails()
    {
        server.Latency = TimeSpan.FromSeconds(5);
        using var drafter = Drafter(Fast(retries: 1, timeoutSeconds: 0.4));
        var clock = Stopwatch.StartNew();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);
        clock.Stop();

        Assert.That(result.Outcomes.All(o => o.Error is { } e && e.Contains("no answer within 0.4 s") && e.Contains("2 attempts")), Is.True);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Concurrent_batches_share_one_drafter()
    {
        server.Latency = TimeSpan.FromMilliseconds(300);
        using var drafter = Drafter();
        var table = SampleTables.Customer();
        var batches = DraftRequest.ForTable(table, batchSize: 1).ToList();
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(batches.Select(b => drafter.DraftAsync(b, CancellationToken.None)));
        clock.Stop();

        Assert.That(results.SelectMany(r => r.Outcomes).All(o => o.Succeeded), Is.True);
        Assert.That(results.SelectMany(r => r.Outcomes).Select(o => o.Target.Name.ToString()).Distinct().Count(), Is.EqualTo(batches.Count));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(300 * batches.Count / 2.0)), "ran in parallel");
    }

    [Test]
    public void Missing_key_is_bad_input_naming_the_variable()
    {
        Environment.SetEnvironmentVariable(keyEnv, null);
        var e = Assert.Throws<AmxException>(() => Drafter());
        Assert.That(e!.Code, Is.EqualTo(ExitCode.BadInput));
        Assert.That(e.Hint, Is.EqualTo($"export {keyEnv}=…"));
    }

    [Test]
    public async Task Unreachable_endpoint_fails_the_run()
    {
        var port = server.Port;
        await server.DisposeAsync();
        using var drafter = DrafterFactory.Create(Profile(protocol == FakeProtocol.OpenAi ? $"http://127.0.0.1:{port}/v1" : $"http://127.0.0.1:{port}"), Fast(retries: 1));
        var e = Assert.ThrowsAsync<AmxException>(() => drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None));
        Assert.That(e!.Code, Is.EqualTo(ExitCode.Failed));
        Assert.That(e.Message, Does.Contain("unreachable"));
        server = new FakeLlmServer(protocol); // for TearDown
    }

    [Test]
    public async Task Endpoint_without_structured_output_falls_back_to_plain_json()
    {
        server.Script.Enqueue(FakeReply.Error(400, "response_format json_schema is not supported by this model"));
        using var drafter = Drafter();
        var result = await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), CancellationToken.None);
        Assert.That(result.Outcomes.All(o => o.Succeeded), Is.True);
        Assert.That(server.Requests, Has.Count.EqualTo(2));
        if (protocol == FakeProtocol.OpenAi)
            Assert.That(server.Requests[1].Json!["response_format"]?["type"]?.GetValue<string>(), Is.EqualTo("json_object"));
        else
            Assert.That(server.Requests[1].Json!["output_config"]?["format"]?["type"]?.GetValue<string>(), Is.Not.EqualTo("json_schema"));
        // the switch is sticky: later batches do not try the schema again
        await drafter.DraftAsync(SampleTables.All(SampleTables.Customer()), CancellationToken.None);
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void Cancellation_stops_a_waiting_call()
    {
        server.Latency = TimeSpan.FromSeconds(10);
        using var drafter = Drafter();
        using var cts = new CancellationTokenSource();
        server.Responder = r => { cts.CancelAfter(200); return FakeLlmServer.ValidAnswer(r); }; // cancel once the call is in flight
        var clock = Stopwatch.StartNew();
        Assert.That(async () => await drafter.DraftAsync(SampleTables.All(SampleTables.Orders()), cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
        // Well under the 10 s the server would take, with room for a loaded 2-core machine.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(7)));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "a cancelled call is not retried");
    }

    [Test]
    public async Task Throughput_helper_reports_against_the_ideal()
    {
        server.Latency = TimeSpan.FromMilliseconds(100);
        using var drafter = Drafter();
        var batches = Enumerable.Range(0, 4).SelectMany(_ => DraftRequest.ForTable(SampleTables.Customer(), batchSize: 3)).ToList();
        var report = await DraftThroughput.MeasureAsync(drafter, batches, concurrency: 8, CancellationToken.None);
        Assert.That(report.Calls, Is.EqualTo(batches.Count));
        Assert.That(report.Failed, Is.Zero);
        Assert.That(report.Elapsed, Is.LessThan(report.Ideal(TimeSpan.FromMilliseconds(100), 8) * 4));
        TestContext.Out.WriteLine(report.Describe(TimeSpan.FromMilliseconds(100), 8));
    }
}
