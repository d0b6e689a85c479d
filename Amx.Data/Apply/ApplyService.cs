using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.Apply;

public sealed record ApplyOptions
{
    public bool DryRun { get; init; }
    public bool Force { get; init; }
    public bool Check { get; init; }
    /// <summary>Override the run's db profile (same database under another profile name).</summary>
    public string? DbProfile { get; init; }
    /// <summary>Targets per history transaction; each holds one advisory lock per target until its commit.</summary>
    public int ChunkSize { get; init; } = 1000;
    /// <summary>Let the server rebuild a table where it cannot change a comment as metadata only (MySQL/MariaDB).</summary>
    public bool AllowTableRebuild { get; init; }
    /// <summary>Replace live comments that amx did not write (by default those targets are skipped and listed).</summary>
    public bool ReplaceOutsideComments { get; init; }
}

/// <summary>The status words of <see cref="ApplyItem"/>: the history's apply statuses plus the dry run's own.</summary>
public static class ApplyItemStatuses
{
    public const string Applied = ApplyStatuses.Applied;
    public const string Reverted = ApplyStatuses.Reverted;
    public const string Conflict = ApplyStatuses.Conflict;
    public const string Failed = ApplyStatuses.Failed;
    public const string Skipped = ApplyStatuses.Skipped;
    public const string WouldApply = "would-apply";
    public const string InPlace = "in-place";
    public const string Missing = "missing";
    public const string TooLong = "too-long";
    public const string NoPrivilege = "no-privilege";

    /// <summary>Statuses that count as a failure in a dry run.</summary>
    public static bool IsPreviewFailure(string status) => status is Missing or TooLong or Failed or NoPrivilege;
}

/// <summary>What apply (or revert) does with one target: decided once, for the dry run and the real apply alike.</summary>
public enum TargetAction
{
    /// <summary>The object is gone.</summary>
    Missing,
    /// <summary>The live comment already holds the wanted text.</summary>
    InPlace,
    /// <summary>Longer than the backend allows.</summary>
    TooLong,
    /// <summary>The live comment is not what the run expects (someone changed it).</summary>
    Conflict,
    /// <summary>The live comment was written outside amx: skipped unless the user asked to replace such comments.</summary>
    OutsideAmx,
    /// <summary>Written.</summary>
    Write,
}

/// <summary>One target's classification; ReplacesOutside: a write that replaces a comment amx did not write.</summary>
public sealed record ClassifiedTarget(HistoryResult Row, CommentTarget Target, TargetAction Action, string? Current, string? Wanted, string? Expected, bool ReplacesOutside);

/// <summary>One target's outcome, for the report.</summary>
public sealed record ApplyItem(string Target, string Kind, string Status, string? Detail, IReadOnlyList<string>? Statements = null, bool ReplacesOutside = false);

/// <summary>
/// What apply (or revert) did. A real apply lists in <see cref="Items"/> only the targets that were not simply written
/// (conflicts, failures, skips, already in place) and counts the rest; a dry run lists every target unless the service
/// has an item sink, which then receives them all as they are decided. Either way a million targets need no list.
/// </summary>
public sealed record ApplySummary(string RunId, string State, int Applied, int AlreadyApplied, int Conflicts, int Failed, int Skipped, IReadOnlyList<ApplyItem> Items, bool DryRun)
{
    /// <summary>The database the comments go to, as the user knows it ("mariadb database shop on db1:3306, profile wh").</summary>
    public string Database { get; init; } = "";
    /// <summary>Writes where no comment was (dry run: would be).</summary>
    public int New { get; init; }
    /// <summary>Writes that replace a comment written outside amx.</summary>
    public int ReplaceOutside { get; init; }
    /// <summary>A dry run's targets that would be written.</summary>
    public int WouldApply { get; init; }

    /// <summary>A write where no comment was, counted in <see cref="New"/>.</summary>
    public static bool IsNew(ApplyItem i) =>
        (i.Status == ApplyItemStatuses.WouldApply || i.Status == ApplyItemStatuses.Applied && i.Detail is null) && !i.ReplacesOutside;

    public ExitCode ExitCode => Conflicts > 0 ? ExitCode.Conflict : Failed > 0 ? ExitCode.Partial : ExitCode.Ok;
}

/// <summary>
/// <c>amx apply</c> and <c>amx revert</c>: compare-and-set comment writes under a per-target lock on the history
/// host. A target is written only when its live comment still equals what the run expects (the comment the draft
/// was based on, or for a revert the text the run applied); otherwise it is a conflict naming who changed it.
/// Each target commits on its own on the warehouse, so one failure never undoes another; the history records
/// every outcome, and a target whose comment already holds the wanted text (a crash after the write) is just
/// marked applied — nothing is applied twice.
/// </summary>
/// <remarks><paramref name="itemSink"/> receives every target's outcome of a real apply as it is decided (in name order), for
/// output that lists them all without holding them.</remarks>
public sealed class ApplyService(HistoryStore store, AmxConfig config, AmxEnvironment env, Action<string> notice, IProgress<(int Done, int Total)>? progress = null,
    Action<ApplyItem>? itemSink = null)
{
    public Task<ApplySummary> ApplyAsync(string runId, ApplyOptions options, CancellationToken ct) =>
        ExecuteAsync(runId, options, revert: false, ct);

    public Task<ApplySummary> RevertAsync(string runId, ApplyOptions options, CancellationToken ct) =>
        ExecuteAsync(runId, options, revert: true, ct);

    async Task<ApplySummary> ExecuteAsync(string runId, ApplyOptions options, bool revert, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId, ct);
        if (run.State is RunStates.Running)
            throw AmxException.BadInput($"run {run.RunId} is still drafting", $"wait for it to finish, or resume it: amx run --resume {run.RunId}");
        var profile = config.GetDbProfile(options.DbProfile ?? run.DbProfile);
        var provider = WarehouseProviders.For(profile.Backend);
        if (!provider.Dialect.SupportsTableComments && !provider.Dialect.SupportsColumnComments)
            throw AmxException.BadInput($"{profile.Backend.ToConfigName()} has no table or column comments; the descriptions of {run.RunId} stay in the history",
                "amx history show " + run.RunId);
        var database = $"{profile.Backend.ToConfigName()} database {profile.Database ?? profile.Path} on {profile.Location} (profile {profile.Name})";

        await using var conn = await provider.OpenAsync(profile, ct);
        if (options.DryRun || options.Check)
            return await PreviewAsync(run, provider, conn, options, revert, ct) with { Database = database };

        // Taken before reading what is left, so a second apply of the same run never works from a stale list.
        await using var runLock = await store.TryLockRunAsync(run.RunId, ct)
            ?? throw AmxException.Conflict($"run {run.RunId} is being applied by another amx process right now",
                "wait for it to finish, then run apply again to pick up what is left");
        run = await store.FindRunAsync(run.RunId, ct); // as the previous holder of the lock left it
        var tally = await store.ReadAsync(r => r.ApplyTallyAsync(run.RunId, revert, ct), ct);
        var total = tally.Pending;
        if (total == 0)
        {
            notice(revert ? $"Nothing to revert: run {run.RunId} has no applied results."
                          : $"Nothing to apply: run {run.RunId} has no accepted or edited results left. Review first: amx review {run.RunId} --accept high");
            // Under the run lock nothing changed since the count: its tally is the run's (a second read scanned the run again).
            if (!revert) await FinishRunAsync(run, revert, ct, tally);
            return new ApplySummary(run.RunId, run.State, 0, 0, 0, 0, 0, [], false) { Database = database };
        }

        // Plain writes are only counted: the summary keeps the targets that need a word (conflicts, failures, skips).
        var counts = new ItemCounts(revert ? ApplyStatuses.Reverted : ApplyStatuses.Applied);
        var warehouseId = await provider.ServerInfo.IdentityAsync(conn, ct);
        var done = 0;
        // Chunk by chunk in name order, so memory holds one chunk of rows, not the whole run.
        await foreach (var chunk in store.ApplyCandidateChunksAsync(run.RunId, revert, options.ChunkSize, ct))
        {
            ct.ThrowIfCancellationRequested();
            foreach (var item in await ApplyChunkAsync(run, provider, conn, warehouseId, chunk.ToArray(), options, revert, ct))
            {
                itemSink?.Invoke(item);
                if (!counts.Add(item)) counts.Kept.Add(item);
            }
            done += chunk.Count;
            progress?.Report((done, Math.Max(done, total)));
        }

        await FinishRunAsync(run, revert, ct);
        return counts.Summary(run, dryRun: false) with { Database = database };
    }

    /// <summary>
    /// The counts of a summary, added one target at a time, and the targets it lists: the same rules for the real
    /// apply and the preview (whose statuses are its own words: would-apply, in-place, missing, too-long, no-privilege).
    /// </summary>
    sealed class ItemCounts(string writtenStatus)
    {
        int _written, _already, _conflicts, _failed, _skipped, _wouldApply, _fresh, _replaced;
        public List<ApplyItem> Kept { get; } = [];

        /// <summary>Counts the item; true when it is a plain write (written where the run expected, nothing to say).</summary>
        public bool Add(ApplyItem item)
        {
            var plain = item.Status == writtenStatus && item.Detail is null;
            if (plain) _written++;
            else if (item.Status == writtenStatus) _already++;
            if (item.Status == ApplyItemStatuses.Conflict) _conflicts++;
            if (ApplyItemStatuses.IsPreviewFailure(item.Status)) _failed++;
            if (item.Status == ApplyItemStatuses.Skipped) _skipped++;
            if (item.Status == ApplyItemStatuses.WouldApply) _wouldApply++;
            if (ApplySummary.IsNew(item)) _fresh++;
            if (item.ReplacesOutside) _replaced++;
            return plain;
        }

        public ApplySummary Summary(HistoryRun run, bool dryRun) =>
            new(run.RunId, run.State, _written, _already, _conflicts, _failed, _skipped, Kept, dryRun)
            {
                New = _fresh, ReplaceOutside = _replaced, WouldApply = _wouldApply,
            };
    }

    /// <summary>
    /// What amx applied (or restored by a revert) to these targets that is their live comment now: whether amx wrote it,
    /// and who (<see cref="DescribeConflict"/>). Rows whose texts differ from the live comment are never needed.
    /// </summary>
    async Task<Dictionary<string, List<AppliedText>>> AmxHistoryAsync(IReadOnlyList<HistoryResult> rows, IReadOnlyList<CommentTarget> targets,
        IReadOnlyDictionary<CommentTarget, string?> live, CancellationToken ct)
    {
        var current = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++) current[rows[i].TargetQname] = live.GetValueOrDefault(targets[i]);
        var applied = await store.ReadAsync(r => r.AppliedToAsync(current.Select(c => (c.Key, c.Value)).ToList(), ct), ct);
        return applied
            .Where(r => SameComment(r.Description, current[r.TargetQname]) || SameComment(r.PreviousComment, current[r.TargetQname]))
            .Select(r => new AppliedText(r.TargetQname, r.RunId, r.AppliedAt, r.AppliedBy, r.RevertedAt, r.RevertedBy, r.Description, r.PreviousComment))
            .GroupBy(r => r.TargetQname, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    sealed record AppliedText(string TargetQname, string RunId, DateTime? AppliedAt, string? AppliedBy, DateTime? RevertedAt, string? RevertedBy,
        string? Description, string? PreviousComment);

    static CommentTarget TargetOf(HistoryResult row) => new(QualifiedName.Parse(row.TargetQname), row.TargetKind);

    /// <summary>The one classification of each target, shared by the dry run and the real apply.</summary>
    static List<ClassifiedTarget> Classify(IReadOnlyList<HistoryResult> rows, IReadOnlyDictionary<CommentTarget, string?> live,
        Dictionary<string, List<AppliedText>> amx, WarehouseDialect dialect, ApplyOptions options, bool revert)
    {
        var result = new List<ClassifiedTarget>(rows.Count);
        foreach (var row in rows)
        {
            var target = TargetOf(row);
            var wanted = revert ? row.PreviousComment : row.Description;
            var expected = revert ? row.Description : row.PreviousComment;
            live.TryGetValue(target, out var current);
            // A comment amx did not write: not empty and not the text any amx apply recorded for this target.
            var outside = !revert && !string.IsNullOrEmpty(current)
                && !(amx.TryGetValue(row.TargetQname, out var applied) && applied.Any(a => SameComment(a.Description, current)));
            var action =
                !live.ContainsKey(target) ? TargetAction.Missing
                : SameComment(current, wanted) ? TargetAction.InPlace
                : wanted is not null && dialect.MaxLengthFor(row.TargetKind) is { } max && dialect.MeasureLength(wanted) > max ? TargetAction.TooLong
                : !SameComment(current, expected) && !options.Force ? TargetAction.Conflict
                : outside && !options.ReplaceOutsideComments ? TargetAction.OutsideAmx
                : TargetAction.Write;
            result.Add(new ClassifiedTarget(row, target, action, current, wanted, expected, action == TargetAction.Write && outside));
        }
        return result;
    }

    async Task<List<ApplyItem>> ApplyChunkAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, string warehouseId,
        HistoryResult[] chunk, ApplyOptions options, bool revert, CancellationToken ct)
    {
        var items = new List<ApplyItem>();
        // One plain connection and transaction per chunk; it stays open after the commit, so session locks (MariaDB
        // GET_LOCK) are released on it then.
        var (db, tx) = await store.BeginAsync(ct);
        await using var connection = db;
        await using var transaction = tx;
        // Serialise with every other apply of these targets, from any machine, until this transaction ends.
        await using var locks = await store.LockTargetsAsync(db, tx, chunk.Select(r => $"{warehouseId}|{r.TargetQname}"), ct);

        // The candidates were read under the run lock: no other apply or revert of this run can have touched them.
        var rows = chunk.ToList();
        // Read after taking the locks: whatever another process applied before us is visible now.
        var targets = rows.Select(TargetOf).ToList();
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, targets, ct);
        var amx = await AmxHistoryAsync(rows, targets, live, ct);
        var now = DateTime.UtcNow;

        var writes = new List<ClassifiedTarget>();
        var replacesOutside = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Classify(rows, live, amx, provider.Dialect, options, revert))
        {
            var row = c.Row;
            switch (c.Action)
            {
                case TargetAction.Missing:
                    Fail(row, $"{KindWord(c.Target.Kind)} {row.TargetQname} no longer exists");
                    break;
                case TargetAction.InPlace:
                    // Already holds the wanted text (e.g. an apply killed after the write): record it, write nothing.
                    Mark(row, revert, now);
                    items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!, "already in place"));
                    break;
                case TargetAction.Conflict:
                    row.ApplyStatus = ApplyStatuses.Conflict;
                    row.Error = DescribeConflict(c, amx, revert);
                    break;
                case TargetAction.OutsideAmx:
                    row.ApplyStatus = ApplyStatuses.Skipped;
                    row.Error = $"live comment {Quote(c.Current)} was written outside amx; left alone (replace it with --replace-outside-comments)";
                    break;
                default: // TooLong goes to the writer too, which refuses it with the backend's limit
                    writes.Add(c);
                    if (c.ReplacesOutside) replacesOutside.Add(row.TargetQname);
                    break;
            }
        }

        // Each target commits on its own on the warehouse: one failure never undoes another.
        var failures = await provider.Comments.WriteManyAsync(conn, writes.Select(w => new CommentWrite(w.Target, w.Wanted)).ToList(),
            new CommentWriteOptions(options.AllowTableRebuild), ct);
        foreach (var w in writes)
        {
            if (failures.TryGetValue(w.Target, out var failure)) Fail(w.Row, failure.Message);
            else Mark(w.Row, revert, now);
        }
        var inPlace = items.Select(i => i.Target).ToHashSet(StringComparer.Ordinal);
        foreach (var row in rows.Where(r => !inPlace.Contains(r.TargetQname)))
            items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!,
                row.ApplyStatus is ApplyStatuses.Applied or ApplyStatuses.Reverted ? null : row.Error,
                ReplacesOutside: replacesOutside.Contains(row.TargetQname) && row.ApplyStatus == ApplyStatuses.Applied));
        await SaveAsync(db, tx, run.RunId, rows, revert, now, ct);
        await tx.CommitAsync(ct);
        return items;
    }

    /// <summary>
    /// Records the chunk's outcomes in its transaction: the targets now in place in one go (they all get the same
    /// status, time and user), conflicts and failures row by row (each has its own message).
    /// </summary>
    async Task SaveAsync(DbConnection db, DbTransaction tx, string runId, List<HistoryResult> rows, bool revert, DateTime now, CancellationToken ct)
    {
        var status = revert ? ApplyStatuses.Reverted : ApplyStatuses.Applied;
        foreach (var r in rows.Where(r => r.ApplyStatus != status))
            await store.MarkOutcomeAsync(db, tx, runId, r.TargetQname, r.ApplyStatus, r.Error, ct);
        var done = rows.Where(r => r.ApplyStatus == status).Select(r => r.TargetQname).ToList();
        if (done.Count > 0) await store.MarkResultsAsync(db, tx, runId, done, !revert, status, now, env.User, ct);
    }

    static string KindWord(string kind) => kind == TargetKinds.MaterializedView ? "materialized view" : kind.ToLowerInvariant();

    /// <summary>A revert keeps the original apply time and user and records its own (reverted_at / reverted_by).</summary>
    void Mark(HistoryResult row, bool revert, DateTime now)
    {
        if (revert)
        {
            row.Applied = false;
            row.ApplyStatus = ApplyStatuses.Reverted;
            row.RevertedAt = now;
            row.RevertedBy = env.User;
        }
        else
        {
            row.Applied = true;
            row.ApplyStatus = ApplyStatuses.Applied;
            row.AppliedAt = now;
            row.AppliedBy = env.User;
        }
        row.Error = null;
    }

    static void Fail(HistoryResult row, string error)
    {
        row.ApplyStatus = ApplyStatuses.Failed;
        row.Error = error;
    }

    /// <summary>
    /// "bob applied '…' at … (run …)" when the history knows who wrote the live comment, else "changed outside amx";
    /// worded for what the user was doing (a revert finds the run's text replaced, an apply finds the draft's base changed).
    /// </summary>
    static string DescribeConflict(ClassifiedTarget c, Dictionary<string, List<AppliedText>> amx, bool revert)
    {
        var row = c.Row;
        var now = Quote(c.Current);
        var others = amx.TryGetValue(row.TargetQname, out var list) ? list.Where(a => a.RunId != row.RunId).ToList() : [];
        var byApply = others.Where(a => SameComment(c.Current, a.Description)).OrderByDescending(a => a.AppliedAt).FirstOrDefault();
        var byRevert = others.Where(a => a.RevertedAt != null && SameComment(c.Current, a.PreviousComment)).OrderByDescending(a => a.RevertedAt).FirstOrDefault();
        var who = byRevert is not null && (byApply is null || byRevert.RevertedAt > byApply.AppliedAt)
            ? $"{byRevert.RevertedBy} reverted it to {now} at {byRevert.RevertedAt:yyyy-MM-dd HH:mm:ss} UTC (run {byRevert.RunId})"
            : byApply is not null ? $"{byApply.AppliedBy} applied {now} at {byApply.AppliedAt:yyyy-MM-dd HH:mm:ss} UTC (run {byApply.RunId})"
            : null;
        return revert
            ? who is not null
                ? $"not reverted: the comment this run applied was replaced since: {who}"
                : $"not reverted: the comment this run applied was changed outside amx since: now {now}, this run applied {Quote(c.Expected)}"
            : who is not null
                ? $"live comment changed since drafting: {who}"
                : $"live comment changed outside amx since drafting: now {now}, expected {Quote(c.Expected)}";
    }

    static string Quote(string? s) => s is null ? "(no comment)" : "\"" + (s.Length > 60 ? s[..57] + "…" : s) + "\"";

    /// <summary>No comment and an empty comment are the same thing on PostgreSQL and MySQL (COMMENT IS '' drops it).</summary>
    static bool SameComment(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);

    /// <summary>The run's state after an apply or revert, from its apply tally (<paramref name="known"/>: one read already made for an apply).</summary>
    async Task FinishRunAsync(HistoryRun run, bool revert, CancellationToken ct, (int Pending, int Applied, int Reverted)? known = null)
    {
        var (pendingApply, applied, reverted) = known ?? await store.ReadAsync(r => r.ApplyTallyAsync(run.RunId, revert: false, ct), ct);
        var anyApplied = applied > 0;
        if (!revert && pendingApply == 0 && anyApplied)
        {
            run.State = RunStates.Applied;
            run.AppliedAt = DateTime.UtcNow;
            run.AppliedBy = env.User;
        }
        else if (revert)
        {
            // The run's apply time and user stay; the revert is recorded beside them.
            if (reverted > 0)
            {
                run.RevertedAt = DateTime.UtcNow;
                run.RevertedBy = env.User;
            }
            if (!anyApplied && run.State == RunStates.Applied) run.State = RunStates.Reviewed;
        }
        await store.UpdateRunOutcomeAsync(run, ct);
    }

    /// <summary>
    /// The dry run (and --check): the real apply's classification and statements, chunk by chunk in name order, so a
    /// preview of a million targets holds one chunk. Items go to the item sink when there is one, else into the summary.
    /// </summary>
    async Task<ApplySummary> PreviewAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, ApplyOptions options, bool revert, CancellationToken ct)
    {
        // A preview writes nothing: no status of its own is a plain write, so every item is counted by its word.
        var counts = new ItemCounts(ApplyStatuses.Applied);
        await foreach (var chunk in store.ApplyCandidateChunksAsync(run.RunId, revert, options.ChunkSize, ct))
            foreach (var item in await PreviewChunkAsync(run, provider, conn, chunk, options, revert, ct))
            {
                counts.Add(item);
                if (itemSink is null) counts.Kept.Add(item);
                else itemSink(item);
            }
        return counts.Summary(run, dryRun: true);
    }

    async Task<List<ApplyItem>> PreviewChunkAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, List<HistoryResult> candidates,
        ApplyOptions options, bool revert, CancellationToken ct)
    {
        var targets = candidates.Select(TargetOf).ToList();
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, targets, ct);
        var amx = await AmxHistoryAsync(candidates, targets, live, ct);
        var items = new List<ApplyItem>();
        foreach (var c in Classify(candidates, live, amx, provider.Dialect, options, revert))
        {
            var (r, dialect) = (c.Row, provider.Dialect);
            ApplyItem Item(string status, string? detail, IReadOnlyList<string>? sql = null) =>
                new(r.TargetQname, r.TargetKind, status, detail, sql, c.ReplacesOutside);
            switch (c.Action)
            {
                case TargetAction.Missing: items.Add(Item(ApplyItemStatuses.Missing, "object no longer exists")); continue;
                case TargetAction.InPlace: items.Add(Item(ApplyItemStatuses.InPlace, "already holds this text")); continue;
                case TargetAction.TooLong:
                    items.Add(Item(ApplyItemStatuses.TooLong,
                        $"{dialect.MeasureLength(c.Wanted!)} long; {dialect.BackendName} allows {dialect.MaxLengthFor(r.TargetKind)} (shorten it: amx review {run.RunId} --set {r.TargetQname}=…)"));
                    continue;
                case TargetAction.OutsideAmx:
                    items.Add(Item(ApplyItemStatuses.Skipped, $"live comment {Quote(c.Current)} was written outside amx; left alone (replace it with --replace-outside-comments)"));
                    continue;
            }
            IReadOnlyList<string> sql;
            try { sql = await provider.Comments.RenderStatementsAsync(conn, c.Target.Name, c.Target.Kind, c.Wanted, ct); }
            catch (CommentWriteException e) { items.Add(Item(ApplyItemStatuses.Failed, e.Message)); continue; }
            items.Add(c.Action == TargetAction.Conflict
                ? Item(ApplyItemStatuses.Conflict, revert
                    ? $"live comment is {Quote(c.Current)}, this run applied {Quote(c.Expected)}"
                    : $"live comment is {Quote(c.Current)}, drafted against {Quote(c.Expected)}", sql)
                : Item(ApplyItemStatuses.WouldApply, c.ReplacesOutside ? $"replaces {Quote(c.Current)}, a comment written outside amx" : null, sql));
        }
        if (options.Check && provider.Privileges is { } checker)
            foreach (var (target, problem) in await checker.CheckAsync(conn, live.Keys.ToList(), ct))
                items.Add(new ApplyItem(target.Name.ToString(), target.Kind, ApplyItemStatuses.NoPrivilege, problem));
        return items;
    }

}
