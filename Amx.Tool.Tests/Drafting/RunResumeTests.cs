using System.Diagnostics;
using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Tests.Drafting;

/// <summary>kill -9 in the middle of a run, then <c>amx run --resume</c>.</summary>
[TestFixture]
public sealed class RunResumeTests
{
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync();

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    [Test]
    public async Task Killed_run_shows_as_interrupted_and_resume_drafts_only_what_is_missing_exactly_once()
    {
        var total = await world.AddSchemaAsync("big", tables: 6, columns: 5);
        var amx = world.Cli("carol");
        world.Llm.Latency = TimeSpan.FromMilliseconds(250);
        var store = await amx.OpenHistoryAsync();

        using var p = amx.Start("run", "big", "--concurrency", "1", "--batch-size", "2");
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        string? runId = null;
        var committed = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && committed < 8)
        {
            await Task.Delay(100);
            await using var db = store.CreateContext();
            runId ??= await db.Runs.Select(r => r.RunId).FirstOrDefaultAsync();
            if (runId is not null) committed = await db.Results.CountAsync(r => r.RunId == runId);
        }
        Assert.That(runId, Is.Not.Null, "the run row exists while drafting");
        p.Kill(); // SIGKILL: no finally block runs
        p.WaitForExit();
        var requestsBeforeKill = world.Llm.Requests.Count;

        List<string> finished;
        await using (var db = store.CreateContext())
            finished = await db.Results.Where(r => r.RunId == runId && r.Description != null).Select(r => r.TargetQname).ToListAsync();
        Assert.That(finished.Count, Is.InRange(8, total - 1), "killed in the middle");
        Assert.That((await DraftingWorld.RunRow(store, runId!)).State, Is.EqualTo(RunStates.Running), "nobody has looked yet");

        var list = amx.Run("history", "list", "--output", "json");
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        var listed = DraftingWorld.Json(list).EnumerateArray().Single(e => e.GetProperty("run_id").GetString() == runId);
        Assert.That(listed.GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(listed.GetProperty("interrupted").GetBoolean(), Is.True);

        world.Llm.Latency = TimeSpan.FromMilliseconds(400);
        using var resuming = amx.Start("run", "--resume", runId!, "--concurrency", "1", "--batch-size", "2", "--output", "json");
        var stdout = resuming.StandardOutput.ReadToEndAsync();
        var stderr = resuming.StandardError.ReadToEndAsync();
        while ((await DraftingWorld.RunRow(store, runId!)).State != RunStates.Running && !resuming.HasExited) await Task.Delay(50);
        // Another command looking while the resumed run drafts must see it alive (its process started after the run did).
        var during = amx.Run("history", "list", "--output", "json");
        var stillRunning = !resuming.HasExited;
        Assert.That(resuming.WaitForExit(TimeSpan.FromMinutes(2)), Is.True);
        resuming.WaitForExit();
        var resume = new AmxCli.Result(resuming.ExitCode, await stdout, await stderr);
        Assert.That(resume.ExitCode, Is.Zero, resume.ToString());
        Assert.That(stillRunning, Is.True, "the resumed run was still drafting when history list looked");
        Assert.That(DraftingWorld.Json(during).EnumerateArray().Single(e => e.GetProperty("run_id").GetString() == runId)
                .GetProperty("state").GetString(), Is.EqualTo("running"), during.ToString());
        Assert.That(resume.Stderr, Does.Contain($"Resuming {runId}: {finished.Count} of {total} targets already drafted."));
        var json = DraftingWorld.Json(resume);
        Assert.That(json.GetProperty("run_id").GetString(), Is.EqualTo(runId));
        Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(total));

        var afterKill = world.Llm.Requests.Skip(requestsBeforeKill).SelectMany(DraftingWorld.QnamesOf).ToList();
        Assert.That(afterKill.Intersect(finished), Is.Empty, "no second request for a target already finished");
        Assert.That(afterKill, Is.Not.Empty);

        var results = await store.GetResultsAsync(runId!);
        Assert.That(results, Has.Count.EqualTo(total), "every target exactly once");
        Assert.That(results.Select(r => r.TargetQname).Distinct().Count(), Is.EqualTo(total));
        Assert.That(results.Select(r => r.Description), Is.All.Not.Null);
        var run = await DraftingWorld.RunRow(store, runId!);
        var meta = DraftingWorld.Meta(run);
        Assert.Multiple(() =>
        {
            Assert.That((run.State, run.OkCount, run.FailCount), Is.EqualTo((RunStates.Drafted, total, 0)));
            Assert.That(meta.ContainsKey("interrupted"), Is.False, "a resumed run that finished is no longer interrupted");
            Assert.That(meta["resumed"].GetInt32(), Is.EqualTo(1));
            Assert.That(run.Who, Is.EqualTo("carol"));
        });
    }

    [Test]
    public void Resume_of_an_unknown_run_is_bad_input()
    {
        var amx = world.Cli();
        var r = amx.Run("run", "--resume", "run_2001-01-01_00-00-001");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("unknown run 'run_2001-01-01_00-00-001'"));
    }
}
