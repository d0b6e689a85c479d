using System.Text.Json;

namespace Amx.Tool.Tests.Apply;

/// <summary>
/// Issue #14 items 7 and 4 through the real CLI, history rows read with the database's own client: a comment
/// written outside amx is skipped and listed unless asked (dry run says "N new, M replace …" and names the
/// database); a revert records who and when per target and per run, keeps the apply times, shows in
/// history list/show, and words its conflicts for a revert.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class OutsideCommentsAndRevertTests(string backend)
{
    const string Human = "Existing human comment";
    WarehouseWorld _wh = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _wh = await WarehouseWorld.CreateAsync(backend);

    [Test]
    public async Task A_comment_written_outside_amx_is_skipped_unless_asked_and_a_revert_tells_the_whole_story()
    {
        using var alice = _wh.NewCli("alice");
        using var bob = _wh.Teammate(alice, "bob");
        await _wh.CreateTableAsync("human", ["a", "b"]);
        await _wh.SetColumnCommentAsync("human", "b", Human);
        var t = $"{_wh.Schema}.human";
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(alice.Run("run", t)));
        WarehouseWorld.Ok(alice.Run("review", runId, "--accept", "all"));

        var dry = WarehouseWorld.Ok(alice.Run("apply", runId, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain("3 new, 0 replace a comment written outside amx; 1 with a comment written outside amx skipped"), dry.ToString());
        Assert.That(dry.Stdout, Does.Contain(_wh.Schema), "the dry run names the database");
        Assert.That(dry.Stdout, Does.Contain($"-- {t}.b: skipped").And.Contain(Human));

        var applied = WarehouseWorld.Ok(alice.Run("apply", runId, "--yes"));
        Assert.That(applied.Stdout, Does.Contain($"{t}.b").And.Contain("written outside amx"), "the skipped target is listed");
        Assert.That((await _wh.LiveCommentsAsync("human"))[$"{t}.b"], Is.EqualTo(Human), "the human comment is untouched");
        var row = (await _wh.QueryAsync($"SELECT apply_status, applied FROM {_wh.Results} WHERE run_id = '{runId}' AND target_qname = '{t}.b'"))[0];
        Assert.That(row[0], Is.EqualTo("skipped"));
        Assert.That(Convert.ToBoolean(row[1]), Is.False);

        var dryReplace = WarehouseWorld.Ok(alice.Run("apply", runId, "--dry-run", "--replace-outside-comments"));
        Assert.That(dryReplace.Stdout, Does.Contain("0 new, 1 replace a comment written outside amx"), dryReplace.ToString());
        WarehouseWorld.Ok(alice.Run("apply", runId, "--replace-outside-comments", "--yes"));
        var description = (string)(await _wh.QueryAsync($"SELECT description FROM {_wh.Results} WHERE run_id = '{runId}' AND target_qname = '{t}.b'"))[0][0]!;
        Assert.That((await _wh.LiveCommentsAsync("human"))[$"{t}.b"], Is.EqualTo(description), "replaced when asked");

        var appliedTimes = await TimesAsync(runId);
        var runApplied = (await _wh.QueryAsync($"SELECT applied_at, applied_by FROM {_wh.Runs} WHERE run_id = '{runId}'"))[0];

        // A hand edit of one column since the apply: the revert leaves it alone and says why, in revert words.
        await _wh.SetColumnCommentAsync("human", "a", "hand edit");
        var conflict = bob.Run("revert", runId, "--yes");
        Assert.That(conflict.ExitCode, Is.EqualTo(3), conflict.ToString());
        Assert.That(conflict.Stderr, Does.Contain("error: ").And.Contain("not reverted: the comment this run applied was changed outside amx since"));
        Assert.That(conflict.Stderr, Does.Not.Contain("since drafting").And.Not.Contain("re-draft"));

        // Per target: who reverted and when, the original apply time kept.
        var after = await TimesAsync(runId);
        foreach (var (target, (appliedAt, appliedBy, _, _, _)) in appliedTimes.Where(x => x.Key != $"{t}.a"))
        {
            Assert.That(after[target].AppliedAt, Is.EqualTo(appliedAt), $"{target}: apply time kept");
            Assert.That(after[target].AppliedBy, Is.EqualTo(appliedBy));
            Assert.That(after[target].RevertedBy, Is.EqualTo("bob"), target);
            Assert.That(after[target].RevertedAt, Is.Not.Null.And.GreaterThanOrEqualTo(appliedAt!.Value), target);
            Assert.That(after[target].Status, Is.EqualTo("reverted"), target);
        }
        Assert.That(after[$"{t}.a"].Status, Is.EqualTo("conflict"));
        Assert.That(after[$"{t}.a"].RevertedBy, Is.Null);

        // Per run: who reverted and when beside the original apply.
        var run = (await _wh.QueryAsync($"SELECT applied_at, applied_by, reverted_at, reverted_by FROM {_wh.Runs} WHERE run_id = '{runId}'"))[0];
        Assert.That(run[0], Is.EqualTo(runApplied[0]), "the run's apply time is kept");
        Assert.That(run[1], Is.EqualTo(runApplied[1]));
        Assert.That(run[2], Is.Not.Null);
        Assert.That(run[3], Is.EqualTo("bob"));

        var show = WarehouseWorld.Ok(alice.Run("history", "show", runId));
        Assert.That(show.Stdout, Does.Contain("reverted by bob"));
        var list = WarehouseWorld.Ok(alice.Run("history", "list", "--output", "json"));
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var entry = json.RootElement.EnumerateArray().Single(e => e.GetProperty("run_id").GetString() == runId);
            Assert.That(entry.GetProperty("reverted_by").GetString(), Is.EqualTo("bob"));
        }
        var table = WarehouseWorld.Ok(alice.Run("history", "list"));
        Assert.That(table.Stdout.Split('\n').Single(l => l.Contains(runId)), Does.Contain("applied (partly reverted)"));

        // The hand edit goes back to what the run applied; the revert then finishes and the list says reverted.
        var aDescription = (string)(await _wh.QueryAsync($"SELECT description FROM {_wh.Results} WHERE run_id = '{runId}' AND target_qname = '{t}.a'"))[0][0]!;
        await _wh.SetColumnCommentAsync("human", "a", aDescription);
        WarehouseWorld.Ok(bob.Run("revert", runId, "--yes"));
        Assert.That((await _wh.LiveCommentsAsync("human"))[$"{t}.b"], Is.EqualTo(Human), "revert restores the human comment");
        table = WarehouseWorld.Ok(alice.Run("history", "list"));
        Assert.That(table.Stdout.Split('\n').Single(l => l.Contains(runId)), Does.Contain("reverted").And.Not.Contain("applied"));
    }

    async Task<Dictionary<string, (DateTime? AppliedAt, string? AppliedBy, DateTime? RevertedAt, string? RevertedBy, string? Status)>> TimesAsync(string runId) =>
        (await _wh.QueryAsync($"SELECT target_qname, applied_at, applied_by, reverted_at, reverted_by, apply_status FROM {_wh.Results} WHERE run_id = '{runId}' AND decision = 'accepted'"))
        .ToDictionary(r => (string)r[0]!, r => (r[1] as DateTime?, r[2] as string, r[3] as DateTime?, r[4] as string, r[5] as string));
}
