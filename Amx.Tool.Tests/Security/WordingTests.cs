using Amx.Tool.Tests.Drafting;

namespace Amx.Tool.Tests.Security;

/// <summary>Issue #13 item 9: counts are worded for their number ("1 conflict", never "1 conflicts" or "conflict(s)").</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class WordingTests
{
    [Test]
    public async Task One_conflict_is_one_conflict()
    {
        await using var world = await DraftingWorld.CreateAsync();
        var amx = world.Cli();
        var run = DraftingWorld.Check(amx, "run", "sales.customer", "--accept", "all", "--output", "json");
        var runId = DraftingWorld.Json(run).GetProperty("run_id").GetString()!;
        // Someone changes the live comment the draft was based on: apply must leave that one target alone.
        await world.Pg.ExecuteAsync("COMMENT ON COLUMN sales.customer.c_email IS 'Changed by a colleague'", world.WarehouseDb);

        var dry = amx.Run("apply", runId, "--dry-run");
        Assert.That(dry.Stdout, Does.Contain(", 1 conflict, nothing changed."), dry.ToString());
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.Stderr, Does.Contain("error: 1 conflict left alone; sales.customer.c_email"));
        Assert.That(r.Stdout, Does.Contain("already in place, 1 conflict, 0 failed"));
        Assert.That(r.Stdout + r.Stderr + dry.Stdout, Does.Not.Contain("conflict(s)").And.Not.Contain("1 conflicts"));
    }
}
