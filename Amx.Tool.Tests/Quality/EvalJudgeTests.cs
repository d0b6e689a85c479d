using System.Text.Json;
using System.Text.Json.Nodes;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.TestSupport;
using Amx.Tool.Tests.Drafting;

namespace Amx.Tool.Tests.Quality;

/// <summary>
/// <c>amx eval --judge</c> through the fake LLM server: the judge sees the draft and the human text as data, its score
/// and one-line reason are parsed, recorded and shown; an answer it cannot read is said so, not guessed. Eval runs are
/// refused by the verbs that decide, write or ship drafts.
/// </summary>
[TestFixture]
public sealed class EvalJudgeTests
{
    const string JudgeMarker = "You compare two descriptions";

    static readonly Dictionary<string, string> Human = new()
    {
        ["sales.customer.c_email"] = "Email address",
        ["sales.orders"] = "Orders placed by customers, one row per order.",
        ["sales.orders.total_amt"] = "Total amount of the order, tax included.",
    };

    [Test]
    public async Task Judge_scores_and_reasons_are_parsed_recorded_and_shown_and_eval_runs_are_refused()
    {
        await using var world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("""
            COMMENT ON TABLE sales.orders IS 'Orders placed by customers, one row per order.';
            COMMENT ON COLUMN sales.orders.total_amt IS 'Total amount of the order, tax included.';
            """, world.WarehouseDb);
        var scored = new Dictionary<string, double> { ["sales.customer.c_email"] = 0.75, ["sales.orders"] = 0.5 };
        world.Llm.Responder = req =>
        {
            if (!req.Body.Contains(JudgeMarker)) return FakeLlmServer.ValidAnswer(req);
            var target = JsonNode.Parse(req.UserTexts().Last())!["target"]!.GetValue<string>();
            // One answer in prose: the judge did not follow the format.
            if (!scored.TryGetValue(target, out var score)) return FakeReply.Answer("I would say they mostly agree, more or less.");
            return FakeReply.Answer($"```json\n{{\"score\": {score.ToString(System.Globalization.CultureInfo.InvariantCulture)}, \"reason\": \"Both describe {target}.\"}}\n```");
        };
        var amx = world.Cli("alice");

        var before = world.Llm.Requests.Count;
        var r = amx.Run("eval", "sales", "--llm-profile", "fake", "--judge", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stderr, Does.Contain("warning: 1 judge answer(s) could not be read"), r.ToString());
        var json = DraftingWorld.Json(r);
        var evalId = json.GetProperty("run_id").GetString()!;
        var targets = json.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("target").GetString()!);
        Assert.That(targets.Keys, Is.EquivalentTo(Human.Keys));

        // The judge prompts: one per drafted target, each carrying that target's draft and human text as JSON data.
        var judged = world.Llm.Requests.Skip(before).Where(x => x.Body.Contains(JudgeMarker)).ToList();
        Assert.That(judged, Has.Count.EqualTo(3));
        foreach (var request in judged)
        {
            var doc = JsonNode.Parse(request.UserTexts().Last())!;
            var target = doc["target"]!.GetValue<string>();
            Assert.Multiple(() =>
            {
                Assert.That(doc["reference"]!.GetValue<string>(), Is.EqualTo(Human[target]), target);
                Assert.That(doc["draft"]!.GetValue<string>(), Is.EqualTo(targets[target].GetProperty("draft").GetString()), target);
                Assert.That(doc["draft"]!.GetValue<string>(), Does.StartWith("Drafted description of "), "the fake's draft");
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(targets["sales.customer.c_email"].GetProperty("judge").GetDouble(), Is.EqualTo(0.75));
            Assert.That(targets["sales.customer.c_email"].GetProperty("judge_reason").GetString(), Is.EqualTo("Both describe sales.customer.c_email."));
            Assert.That(targets["sales.orders"].GetProperty("judge").GetDouble(), Is.EqualTo(0.5));
            Assert.That(targets["sales.orders.total_amt"].GetProperty("judge").ValueKind, Is.EqualTo(JsonValueKind.Null), "unreadable: no score");
            Assert.That(targets["sales.orders.total_amt"].GetProperty("judge_reason").GetString(),
                Is.EqualTo("unreadable judge answer: I would say they mostly agree, more or less."));
            // The mean leaves the unreadable answer out: (0.75 + 0.5) / 2.
            Assert.That(json.GetProperty("groups")[0].GetProperty("judge").GetDouble(), Is.EqualTo(0.625).Within(1e-9));
        });

        // Recorded: per result (typed metadata) and per run.
        var store = await amx.OpenHistoryAsync();
        var results = (await store.GetResultsAsync(evalId)).ToDictionary(x => x.TargetQname);
        var email = ResultMetadata.Read(results["sales.customer.c_email"].MetadataJson);
        var unreadable = ResultMetadata.Read(results["sales.orders.total_amt"].MetadataJson);
        Assert.Multiple(() =>
        {
            Assert.That(email.JudgeScore, Is.EqualTo(0.75));
            Assert.That(email.JudgeReason, Is.EqualTo("Both describe sales.customer.c_email."));
            Assert.That(email.TokenF1, Is.EqualTo(targets["sales.customer.c_email"].GetProperty("token_f1").GetDouble()));
            Assert.That(unreadable.JudgeScore, Is.Null);
            Assert.That(unreadable.JudgeReason, Does.StartWith("unreadable judge answer"));
        });
        var runMeta = DraftingWorld.Meta(await DraftingWorld.RunRow(store, evalId));
        Assert.That(runMeta["mean_judge"].GetDouble(), Is.EqualTo(0.625).Within(1e-9));
        Assert.That(runMeta["judge_unreadable"].GetInt32(), Is.EqualTo(1));

        // Shown by history show: the table has score, reason and the human text; json the typed metadata.
        var show = amx.Run("history", "show", evalId, "--output", "csv");
        Assert.That(show.ExitCode, Is.Zero, show.ToString());
        Assert.That(show.Stdout, Does.Contain("Both describe sales.customer.c_email.").And.Contain("0.750").And.Contain("judge_reason")
            .And.Contain("Total amount of the order, tax included.").And.Contain("unreadable judge answer"), show.ToString());
        var showJson = DraftingWorld.Json(amx.Run("history", "show", evalId, "--output", "json"));
        var shown = showJson.GetProperty("results").EnumerateArray().Single(x => x.GetProperty("target").GetString() == "sales.orders");
        Assert.That(shown.GetProperty("metadata").GetProperty("judge_score").GetDouble(), Is.EqualTo(0.5));
        Assert.That(shown.GetProperty("metadata").GetProperty("judge_reason").GetString(), Is.EqualTo("Both describe sales.orders."));
        // And by eval's own table output.
        var table = amx.Run("eval", "sales", "--llm-profile", "fake", "--judge");
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.Stdout, Does.Contain("judge_reason").And.Contain("judge=0.625"), table.ToString());
        var csv = amx.Run("eval", "sales", "--llm-profile", "fake", "--judge", "--output", "csv");
        Assert.That(csv.Stdout, Does.Contain("Both describe sales.orders."), csv.ToString());

        // An eval run is not for review, apply, revert, run --resume or export: exit 2, one error line and a hint, nothing changed.
        foreach (var args in new[]
                 {
                     new[] { "review", evalId, "--accept", "all" }, new[] { "apply", evalId, "--yes" }, new[] { "revert", evalId, "--yes" },
                     new[] { "run", "--resume", evalId }, new[] { "export", evalId, "--format", "json" }, new[] { "export", evalId, "--format", "sql" },
                 })
        {
            var refused = amx.Run(args);
            Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
            var lines = refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines.Count(l => l.StartsWith("error: ")), Is.EqualTo(1), refused.ToString());
            Assert.That(refused.Stderr, Does.Contain($"error: run {evalId} is an eval run (amx eval)").And.Contain("hint: see its scores with: amx history show " + evalId),
                string.Join(" ", args));
            Assert.That(refused.Stdout, Is.Empty, string.Join(" ", args));
        }
        var after = (await store.GetResultsAsync(evalId)).ToDictionary(x => x.TargetQname);
        Assert.That(after.Values.Select(x => x.Decision), Is.All.EqualTo(Decisions.Pending), "review changed nothing");
        Assert.That(after.Values.Any(x => x.Applied), Is.False);
        Assert.That((await DraftingWorld.RunRow(store, evalId)).State, Is.EqualTo(RunStates.Drafted));

        // A draft run is still accepted by the same verbs (the refusal is about the kind, not every run).
        var draft = amx.Run("run", "sales.orders", "--llm-profile", "fake", "--output", "json");
        Assert.That(draft.ExitCode, Is.Zero, draft.ToString());
        var draftId = DraftingWorld.Json(draft).GetProperty("run_id").GetString()!;
        Assert.That(amx.Run("export", draftId, "--format", "json").ExitCode, Is.Zero);

        // --judge with the offline drafter: refused before anything is recorded.
        DraftingWorld.Check(amx, "add-llm-profile", "off", "--provider", "offline");
        var runs = (await DraftingWorld.Runs(store)).Count;
        var offline = amx.Run("eval", "sales", "--llm-profile", "off", "--judge");
        Assert.That(offline.ExitCode, Is.EqualTo(2), offline.ToString());
        Assert.That(offline.Stderr, Does.Contain("error: --judge needs a networked llm profile; 'off' is offline"));
        Assert.That((await DraftingWorld.Runs(store)).Count, Is.EqualTo(runs));
    }

    [Test]
    public void Judge_answers_parse_or_are_unreadable()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Amx.Data.Eval.Judge.Parse("{\"score\": 0.9, \"reason\": \"Same meaning.\"}"), Is.EqualTo((0.9, "Same meaning.")));
            Assert.That(Amx.Data.Eval.Judge.Parse("Sure!\n```json\n{\"score\": \"1\", \"reason\": \"two\\nlines\"}\n```"), Is.EqualTo((1.0, "two lines")));
            Assert.That(Amx.Data.Eval.Judge.Parse("{\"score\": 7}"), Is.EqualTo((1.0, "")), "clamped");
            Assert.That(Amx.Data.Eval.Judge.Parse("{\"reason\": \"no score\"}"), Is.Null);
            Assert.That(Amx.Data.Eval.Judge.Parse("{\"score\": \"high\"}"), Is.Null);
            Assert.That(Amx.Data.Eval.Judge.Parse("score: 0.5"), Is.Null);
            Assert.That(Amx.Data.Eval.Judge.Parse("{\"score\": 0.5,"), Is.Null);
            Assert.That(Amx.Data.Eval.Judge.Parse(""), Is.Null);
        });
    }

    [Test]
    public void Result_metadata_reads_what_is_stored_and_writes_the_same_keys()
    {
        // As amx wrote them before the typed record (the eval's with explicit nulls, the switch's with switched_from null).
        var inherited = ResultMetadata.Read("""{"source":"pagila.city.city","source_text":"draft"}""");
        var eval = ResultMetadata.Read("""{"token_f1":0.4,"rouge_l":0.3333,"judge_score":null,"judge_reason":null}""");
        var switched = ResultMetadata.Read("""{"llm_profile":"offline","llm_provider":"offline","llm_model":"offline","switched_from":null}""");
        var newer = ResultMetadata.Read("""{"source":"a.b.c","future_key":[1,2]}""");
        var broken = ResultMetadata.Read("not json");
        Assert.Multiple(() =>
        {
            Assert.That((inherited.Source, inherited.SourceText), Is.EqualTo(("pagila.city.city", "draft")));
            Assert.That((eval.TokenF1, eval.RougeL, eval.JudgeScore, eval.JudgeReason), Is.EqualTo((0.4, 0.3333, (double?)null, (string?)null)));
            Assert.That((switched.LlmProfile, switched.SwitchedFrom), Is.EqualTo(("offline", (string?)null)));
            Assert.That(newer.ToJson(), Is.EqualTo("""{"source":"a.b.c","future_key":[1,2]}"""), "unknown keys kept");
            Assert.That(broken.Other!["unreadable_metadata"].GetString(), Is.EqualTo("not json"));
            Assert.That(ResultMetadata.Read(null).ToJson(), Is.Null);
            // Written with the keys the stored rows already use.
            Assert.That(new ResultMetadata { Source = "s.t.c", SourceText = "comment" }.ToJson(), Is.EqualTo("""{"source":"s.t.c","source_text":"comment"}"""));
            Assert.That(new ResultMetadata { TokenF1 = 0.5, RougeL = 0.25, JudgeScore = 1, JudgeReason = "ok" }.ToJson(),
                Is.EqualTo("""{"token_f1":0.5,"rouge_l":0.25,"judge_score":1,"judge_reason":"ok"}"""));
            Assert.That(new ResultMetadata { LlmProfile = "p", LlmProvider = "openai", LlmModel = "m", SwitchedFrom = "q" }.ToJson(),
                Is.EqualTo("""{"llm_profile":"p","llm_provider":"openai","llm_model":"m","switched_from":"q"}"""));
        });
    }
}
