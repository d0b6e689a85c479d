using System.Text.Json.Nodes;
using Amx.Data.History.Model;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Drafting;

/// <summary><c>--accept</c>, <c>--missing-only</c> and the teammates note of shared mode.</summary>
[TestFixture]
public sealed class RunAcceptTests
{
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create()
    {
        world = await DraftingWorld.CreateAsync();
        world.Llm.Responder = Graded;
    }

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    /// <summary>Ids high (3 targets), names medium (2), the rest low (4). The confidence rules (docs/drafting-quality.md)
    /// keep c_customer_id from high: its "c" prefix is an abbreviation nobody can expand, so it counts as medium.</summary>
    static string Confidence(string name) => name.EndsWith("id", StringComparison.Ordinal) ? "high" : name.Contains("name") ? "medium" : "low";

    static FakeReply Graded(FakeRequest q) => FakeReply.Answer(new JsonObject
    {
        ["drafts"] = new JsonArray(q.Targets().Select(t => (JsonNode)new JsonObject
        {
            ["kind"] = t.Kind, ["name"] = t.Name, ["description"] = $"About {t.Name}.", ["alternatives"] = new JsonArray(),
            ["confidence"] = Confidence(t.Name),
        }).ToArray()),
    }.ToJsonString());

    [TestCase("none", 0, "drafted")]
    [TestCase("high", 2, "drafted")]
    [TestCase("medium", 5, "drafted")]
    [TestCase("all", 9, "reviewed")]
    public async Task Accept_takes_the_drafts_at_or_above_the_confidence(string accept, int accepted, string state)
    {
        var amx = world.Cli("alice");
        var r = amx.Run("run", "sales", "--accept", accept, "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = DraftingWorld.Json(r);
        Assert.That(json.GetProperty("accepted").GetInt32(), Is.EqualTo(accepted));
        Assert.That(json.GetProperty("state").GetString(), Is.EqualTo(state));

        var store = await amx.OpenHistoryAsync();
        var runId = json.GetProperty("run_id").GetString()!;
        var results = await store.GetResultsAsync(runId);
        var rank = new Dictionary<string, int> { ["high"] = 3, ["medium"] = 2, ["low"] = 1 };
        var floor = accept switch { "high" => 3, "medium" => 2, "all" => 1, _ => 4 };
        foreach (var x in results)
        {
            var expected = rank[x.Confidence!] >= floor ? Decisions.Accepted : Decisions.Pending;
            Assert.That(x.Decision, Is.EqualTo(expected), $"{x.TargetQname} ({x.Confidence})");
            Assert.That(x.ReviewedBy, Is.EqualTo(expected == Decisions.Accepted ? "alice" : null));
        }
        Assert.That((await DraftingWorld.RunRow(store, runId)).State, Is.EqualTo(state));
        Assert.That(DraftingWorld.Meta(await DraftingWorld.RunRow(store, runId))["accept"].GetString(), Is.EqualTo(accept));
    }

    [Test]
    public void Unknown_accept_value_is_bad_input()
    {
        var amx = world.Cli();
        var r = amx.Run("run", "sales", "--accept", "most");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("hint: use none, high, medium or all"));
    }

    [Test]
    public async Task Shared_mode_names_the_teammate_and_missing_only_skips_live_comments_and_their_accepted_drafts()
    {
        var storeDb = await world.Pg.CreateDatabaseAsync("draft_store");
        var alice = world.Cli("alice");
        DraftingWorld.EnableSharedStore(alice, world.Pg, storeDb);
        var first = alice.Run("run", "sales", "--accept", "high", "--output", "json");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var aliceRun = DraftingWorld.Json(first).GetProperty("run_id").GetString()!;
        Assert.That(first.Stderr, Does.Not.Contain("drafted this scope"), "nobody else drafted it");

        var bob = world.Cli("bob");
        DraftingWorld.EnableSharedStore(bob, world.Pg, storeDb);
        var before = world.Llm.Requests.Count;
        var second = bob.Run("run", "sales", "--missing-only", "--output", "json");
        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Stderr, Does.Contain($"note: teammates drafted this scope in the last 30 days: 1 run (alice 1); latest {aliceRun}."));
        Assert.That(second.Stderr, Does.Contain("--missing-only: skipping 3 targets"));
        var json = DraftingWorld.Json(second);
        Assert.That(json.GetProperty("skipped_existing").GetInt32(), Is.EqualTo(3), "c_email has a comment; 2 ids were accepted by alice (c_customer_id is only medium)");
        Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(6));
        // NNN counts bob's own runs; a run of alice's in the same minute holds -001, so bob takes the next number.
        var bobRun = json.GetProperty("run_id").GetString()!;
        Assert.That(bobRun, Does.EndWith(bobRun[..^4] == aliceRun[..^4] ? "-002" : "-001"));

        var asked = world.Llm.Requests.Skip(before).SelectMany(DraftingWorld.QnamesOf).Order(StringComparer.Ordinal).ToList();
        Assert.That(asked, Is.EqualTo(new[]
        {
            "sales.customer", "sales.customer.c_customer_id", "sales.customer.c_first_name", "sales.customer.c_last_name", "sales.orders", "sales.orders.total_amt",
        }));

        var store = await bob.OpenHistoryAsync();
        var runs = await DraftingWorld.Runs(store);
        Assert.That(runs.Select(r => (r.Who, r.State)), Is.EqualTo(new[] { ("alice", RunStates.Drafted), ("bob", RunStates.Drafted) }));
        Assert.That(DraftingWorld.Meta(runs[1])["missing_only"].GetBoolean(), Is.True);

        // A scope that does not overlap brings no note.
        await world.AddSchemaAsync("other", 1, 1);
        var third = bob.Run("run", "other");
        Assert.That(third.ExitCode, Is.Zero, third.ToString());
        Assert.That(third.Stderr, Does.Not.Contain("drafted this scope"));
    }
}
