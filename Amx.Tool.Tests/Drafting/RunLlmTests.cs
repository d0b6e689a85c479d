using System.Text.Json;
using Amx.Data.History.Model;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Drafting;

/// <summary><c>amx run</c> through the real CLI against a PostgreSQL warehouse and a fake OpenAI / Anthropic server.</summary>
[TestFixture(FakeProtocol.OpenAi)]
[TestFixture(FakeProtocol.Anthropic)]
[Parallelizable(ParallelScope.Self)]
public sealed class RunLlmTests(FakeProtocol protocol)
{
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync(protocol);

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    [Test]
    public async Task Success_records_a_drafted_run_with_results_usage_and_a_per_user_run_id()
    {
        var amx = world.Cli("alice");
        var before = DateTime.UtcNow;
        var r = amx.Run("run", "sales", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = DraftingWorld.Json(r);
        var runId = json.GetProperty("run_id").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("state").GetString(), Is.EqualTo("drafted"));
            Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(DraftingWorld.SalesTargets));
            Assert.That(json.GetProperty("fail").GetInt32(), Is.Zero);
            Assert.That(json.GetProperty("tables").GetInt32(), Is.EqualTo(2));
            Assert.That(runId, Does.Match(@"^run_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-001$"));
            Assert.That(runId, Does.StartWith("run_" + before.ToString("yyyy-MM-dd_")), "the UTC day");
            Assert.That(r.Stderr, Does.Contain($"drafting: {DraftingWorld.SalesTargets}/{DraftingWorld.SalesTargets} (100%)"), "plain progress line");
            Assert.That(r.Stderr + r.Stdout, Does.Not.Contain("sk-test-draft-secret"));
        });

        var store = await amx.OpenHistoryAsync();
        var run = await DraftingWorld.RunRow(store, runId);
        var meta = DraftingWorld.Meta(run);
        var calls = world.Llm.Requests.Count;
        Assert.Multiple(() =>
        {
            Assert.That(run.Who, Is.EqualTo("alice"));
            Assert.That(run.State, Is.EqualTo(RunStates.Drafted));
            Assert.That(run.Scope, Is.EqualTo("sales"));
            Assert.That(run.DbProfile, Is.EqualTo("wh"));
            Assert.That(run.DbBackend, Is.EqualTo("postgresql"));
            Assert.That(run.LlmProvider, Is.EqualTo(protocol == FakeProtocol.OpenAi ? "openai" : "anthropic"));
            Assert.That(run.LlmModel, Is.EqualTo("fake-model"));
            Assert.That(run.OkCount, Is.EqualTo(DraftingWorld.SalesTargets));
            Assert.That(run.FinishedAt, Is.Not.Null);
            Assert.That(calls, Is.EqualTo(2), "one request per table at the default batch size");
            Assert.That(meta["llm_calls"].GetInt32(), Is.EqualTo(calls));
            Assert.That(meta["input_tokens"].GetInt64(), Is.EqualTo(100L * calls));
            Assert.That(meta["output_tokens"].GetInt64(), Is.EqualTo(40L * calls));
            Assert.That(meta["profiling_mode"].GetString(), Is.EqualTo("metadata"));
            Assert.That(meta.ContainsKey("pid"), Is.False, "the process marker goes when the run ends");
            Assert.That(meta["draft_seconds"].GetDouble(), Is.GreaterThan(0));
        });

        var results = await store.GetResultsAsync(runId);
        Assert.That(results.Select(x => x.TargetQname), Is.EqualTo(DraftingWorld.SalesQnames));
        var email = results.Single(x => x.TargetQname == "sales.customer.c_email");
        Assert.Multiple(() =>
        {
            Assert.That(email.Description, Is.EqualTo("Drafted description of c_email."));
            // The endpoint said high; the confidence rules keep a name with an unexpandable part ("c_") from high.
            Assert.That(email.Confidence, Is.EqualTo(Confidences.Medium));
            Assert.That(JsonSerializer.Deserialize<string[]>(email.Alternatives!), Is.EqualTo(new[] { "Alternative one for c_email.", "Alternative two for c_email." }),
                "at most --alternatives (2) alternatives");
            Assert.That(email.PreviousComment, Is.EqualTo("Email address"));
            Assert.That(email.Decision, Is.EqualTo(Decisions.Pending));
            Assert.That(results.Single(x => x.TargetQname == "sales.customer").TargetKind, Is.EqualTo(TargetKinds.Table));
            Assert.That(results.Single(x => x.TargetQname == "sales.orders.cust_id").PreviousComment, Is.Null);
            Assert.That(results.Select(x => x.Error), Is.All.Null);
        });

        // The number counts the runs of the same who that UTC day.
        var second = amx.Run("run", "sales.orders", "--output", "json");
        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(DraftingWorld.Json(second).GetProperty("run_id").GetString(), Does.Match(@"^run_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-002$"));
    }

    [Test]
    public void Refused_key_is_exit_1_with_a_clear_error_naming_the_variable()
    {
        var amx = world.Cli();
        world.Llm.Responder = _ => FakeReply.Error(401, "Incorrect API key provided");
        var r = amx.Run("run", "sales");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("error: LLM endpoint refused the API key"));
        Assert.That(r.Stderr, Does.Contain("hint: ").And.Contain(DraftingWorld.KeyVar));
        Assert.That(r.Stderr, Does.Not.Contain("   at "), "no stack trace without --verbose");
        Assert.That(r.Stderr + r.Stdout, Does.Not.Contain("sk-test-draft-secret"));
        Assert.That(world.Llm.Requests.Count, Is.LessThanOrEqualTo(2), "401 is not retried");
    }

    [Test]
    public async Task Too_many_requests_waits_for_retry_after_then_succeeds()
    {
        var amx = world.Cli();
        world.Llm.Script.Enqueue(FakeReply.Error(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "2" }));
        var r = amx.Run("run", "sales", "--concurrency", "1", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(DraftingWorld.Json(r).GetProperty("ok").GetInt32(), Is.EqualTo(DraftingWorld.SalesTargets));
        var requests = world.Llm.Requests;
        Assert.That(requests, Has.Count.EqualTo(3));
        Assert.That(requests[1].ReceivedAt - requests[0].ReceivedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "Retry-After honoured");
        var results = await (await amx.OpenHistoryAsync()).GetResultsAsync(DraftingWorld.Json(r).GetProperty("run_id").GetString()!);
        Assert.That(results.Select(x => x.Error), Is.All.Null);
    }

    [Test]
    public async Task Repeated_server_errors_fail_that_table_and_the_run_goes_on_with_exit_4()
    {
        var amx = world.Cli();
        world.Llm.Responder = q => DraftingWorld.TableOf(q) == "sales.orders"
            ? FakeReply.Error(500, "upstream exploded")
            : FakeLlmServer.ValidAnswer(q);
        var r = amx.Run("run", "sales", "--output", "json");
        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        var json = DraftingWorld.Json(r);
        Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(5));
        Assert.That(json.GetProperty("fail").GetInt32(), Is.EqualTo(4));

        var store = await amx.OpenHistoryAsync();
        var runId = json.GetProperty("run_id").GetString()!;
        var run = await DraftingWorld.RunRow(store, runId);
        Assert.That((run.State, run.OkCount, run.FailCount), Is.EqualTo((RunStates.Drafted, 5, 4)));
        var results = await store.GetResultsAsync(runId);
        var failed = results.Where(x => x.TargetQname.StartsWith("sales.orders")).ToList();
        Assert.That(failed, Has.Count.EqualTo(4));
        Assert.That(failed.Select(x => x.Description), Is.All.Null);
        Assert.That(failed.Select(x => x.Error), Is.All.Contains("HTTP 500").And.All.Contains("upstream exploded"));
        Assert.That(results.Where(x => x.TargetQname.StartsWith("sales.customer")).Select(x => x.Description), Is.All.Not.Null);
        Assert.That(world.Llm.Requests.Count(q => DraftingWorld.TableOf(q) == "sales.orders"), Is.EqualTo(5), "first try and 4 retries");
    }

    [Test]
    public async Task Malformed_answer_is_asked_again_once_then_those_targets_fail()
    {
        var amx = world.Cli();
        world.Llm.Responder = q => DraftingWorld.TableOf(q) == "sales.orders"
            ? FakeReply.Answer("Sure! Here are your descriptions: {not json")
            : FakeLlmServer.ValidAnswer(q);
        var r = amx.Run("run", "sales", "--output", "json");
        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        var results = await (await amx.OpenHistoryAsync()).GetResultsAsync(runId);
        var failed = results.Where(x => x.TargetQname.StartsWith("sales.orders")).ToList();
        Assert.That(failed.Select(x => x.Error), Is.All.Contains("bad answer after one retry"));
        Assert.That(world.Llm.Requests.Count(q => DraftingWorld.TableOf(q) == "sales.orders"), Is.EqualTo(2), "one retry");
        Assert.That(results.Count(x => x.Description is not null), Is.EqualTo(5));
    }

    [Test]
    public async Task Request_timeout_fails_the_slow_table_and_the_run_goes_on()
    {
        var amx = world.Cli();
        world.Llm.LatencyFor = q => DraftingWorld.TableOf(q) == "sales.orders" ? TimeSpan.FromSeconds(4) : null;
        var r = amx.Run("run", "sales", "--timeout", "1", "--output", "json");
        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        var results = await (await amx.OpenHistoryAsync()).GetResultsAsync(runId);
        Assert.That(results.Where(x => x.TargetQname.StartsWith("sales.orders")).Select(x => x.Error),
            Is.All.Contains("no answer within 1 s"));
        Assert.That(results.Count(x => x.Description is not null), Is.EqualTo(5));
    }
}
