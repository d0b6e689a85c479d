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
    /// <summary>Targets per history transaction.</summary>
    /// <summary>Targets per history transaction; each holds one advisory lock per target until its commit.</summary>
    public int ChunkSize { get; init; } = 1000;
}

/// <summary>One target's outcome, for the report.</summary>
public sealed record ApplyItem(string Target, string Kind, string Status, string? Detail, IReadOnlyList<string>? Statements = null);

public sealed record ApplySummary(string RunId, string State, int Applied, int AlreadyApplied, int Conflicts, int Failed, int Skipped, IReadOnlyList<ApplyItem> Items, bool DryRun)
{
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
public sealed class ApplyService(HistoryStore store, AmxConfig config, AmxEnvironment env, Action<string> notice, IProgress<(int Done, int Total)>? progress = null)
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

        await using var conn = await provider.OpenAsync(profile, ct);
        if (options.DryRun || options.Check)
            return await PreviewAsync(run, provider, conn, await CandidatesAsync(run, revert, ct), options, revert, ct);

        // Taken before reading what is left, so a second apply of the same run never works from a stale list.
        await using var runLock = await store.TryLockRunAsync(run.RunId, ct)
            ?? throw AmxException.Conflict($"run {run.RunId} is being applied by another amx process right now",
                "wait for it to finish, then run apply again to pick up what is left");
        run = await store.FindRunAsync(run.RunId, ct); // as the previous holder of the lock left it
        var candidates = await CandidatesAsync(run, revert, ct);
        if (candidates.Count == 0)
        {
            notice(revert ? $"Nothing to revert: run {run.RunId} has no applied results."
                          : $"Nothing to apply: run {run.RunId} has no accepted or edited results left. Review first: amx review {run.RunId} --accept high");
            if (!revert) await FinishRunAsync(run, revert, ct);
            return new ApplySummary(run.RunId, run.State, 0, 0, 0, 0, 0, [], false);
        }

        var items = new List<ApplyItem>();
        var warehouseId = await provider.ServerInfo.IdentityAsync(conn, ct);
        var done = 0;
        foreach (var chunk in candidates.Chunk(options.ChunkSize))
        {
            ct.ThrowIfCancellationRequested();
            items.AddRange(await ApplyChunkAsync(run, provider, conn, warehouseId, chunk, options, revert, ct));
            done += chunk.Length;
            progress?.Report((done, candidates.Count));
        }

        var applied = items.Count(i => i.Status == ApplyStatuses.Applied && i.Detail is null);
        var already = items.Count(i => i.Status is ApplyStatuses.Applied or ApplyStatuses.Reverted && i.Detail is not null);
        var reverted = items.Count(i => i.Status == ApplyStatuses.Reverted && i.Detail is null);
        var conflicts = items.Count(i => i.Status == ApplyStatuses.Conflict);
        var failed = items.Count(i => i.Status == ApplyStatuses.Failed);
        await FinishRunAsync(run, revert, ct);
        return new ApplySummary(run.RunId, run.State, revert ? reverted : applied, already, conflicts, failed, 0, items, false);
    }

    async Task<List<HistoryResult>> CandidatesAsync(HistoryRun run, bool revert, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var q = db.Results.AsNoTracking().Where(r => r.RunId == run.RunId);
        q = revert ? q.Where(IsRevertable) : q.Where(IsApplicable);
        return await q.OrderBy(r => r.TargetQname).ToListAsync(ct);
    }

    static readonly System.Linq.Expressions.Expression<Func<HistoryResult, bool>> IsApplicable =
        r => !r.Applied && r.Description != null && (r.Decision == Decisions.Accepted || r.Decision == Decisions.Edited);
    // Applied and not yet reverted; a revert that failed or met a conflict keeps applied = true, so it stays retryable.
    static readonly System.Linq.Expressions.Expression<Func<HistoryResult, bool>> IsRevertable = r => r.Applied;

    async Task<List<ApplyItem>> ApplyChunkAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, string warehouseId,
        HistoryResult[] chunk, ApplyOptions options, bool revert, CancellationToken ct)
    {
        var items = new List<ApplyItem>();
        await using var db = store.CreateContext();
        // Opened by us, so EF keeps it open after the commit: session locks (MariaDB GET_LOCK) are released on it then.
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Serialise with every other apply of these targets, from any machine, until this transaction ends.
        await using var locks = await store.LockTargetsAsync(db, chunk.Select(r => $"{warehouseId}|{r.TargetQname}"), ct);

        // The candidates were read under the run lock: no other apply or revert of this run can have touched them.
        var rows = chunk.ToList();
        var targets = rows.Select(r => new CommentTarget(QualifiedName.Parse(r.TargetQname), r.TargetKind)).ToList();
        // Read after taking the locks: whatever another process applied before us is visible now.
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, targets, ct);
        var now = DateTime.UtcNow;

        var writes = new List<(HistoryResult Row, CommentWrite Write)>();
        var conflicts = new List<(HistoryResult Row, string? Current, string? Expected)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var target = targets[i];
            var wanted = revert ? row.PreviousComment : row.Description;
            var expected = revert ? row.Description : row.PreviousComment;
            if (!live.TryGetValue(target, out var current))
                Fail(row, $"{KindWord(target.Kind)} {row.TargetQname} no longer exists");
            else if (SameComment(current, wanted))
            {
                // Already holds the wanted text (e.g. an apply killed after the write): record it, write nothing.
                Mark(row, revert, now);
                items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!, "already in place"));
            }
            else if (!SameComment(current, expected) && !options.Force)
                conflicts.Add((row, current, expected));
            else
                writes.Add((row, new CommentWrite(target, wanted)));
        }

        await DescribeConflictsAsync(db, conflicts, ct);
        // Each target commits on its own on the warehouse: one failure never undoes another.
        var failures = await provider.Comments.WriteManyAsync(conn, writes.Select(w => w.Write).ToList(), ct);
        foreach (var (row, write) in writes)
        {
            if (failures.TryGetValue(write.Target, out var failure)) Fail(row, failure.Message);
            else Mark(row, revert, now);
        }
        var inPlace = items.Select(i => i.Target).ToHashSet(StringComparer.Ordinal);
        foreach (var row in rows.Where(r => !inPlace.Contains(r.TargetQname)))
            items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!,
                row.ApplyStatus is ApplyStatuses.Applied or ApplyStatuses.Reverted ? null : row.Error));
        await SaveAsync(db, run.RunId, rows, revert, now, ct);
        await tx.CommitAsync(ct);
        return items;
    }

    /// <summary>
    /// Records the chunk's outcomes in its transaction: the targets now in place in one go (they all get the same
    /// status, time and user), conflicts and failures row by row (each has its own message).
    /// </summary>
    async Task SaveAsync(Amx.Data.History.Storage.HistoryDbContext db, string runId, List<HistoryResult> rows, bool revert, DateTime now, CancellationToken ct)
    {
        var status = revert ? ApplyStatuses.Reverted : ApplyStatuses.Applied;
        foreach (var r in rows.Where(r => r.ApplyStatus != status))
        {
            var entry = db.Results.Attach(r);
            entry.Property(x => x.ApplyStatus).IsModified = true;
            entry.Property(x => x.Error).IsModified = true;
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var done = rows.Where(r => r.ApplyStatus == status).Select(r => r.TargetQname).ToList();
        if (done.Count > 0) await store.MarkResultsAsync(db, runId, done, !revert, status, now, env.User, ct);
    }

    static string KindWord(string kind) => kind == TargetKinds.MaterializedView ? "materialized view" : kind.ToLowerInvariant();

    void Mark(HistoryResult row, bool revert, DateTime now)
    {
        if (revert)
        {
            row.Applied = false;
            row.ApplyStatus = ApplyStatuses.Reverted;
        }
        else
        {
            row.Applied = true;
            row.ApplyStatus = ApplyStatuses.Applied;
        }
        row.AppliedAt = now;
        row.AppliedBy = env.User;
        row.Error = null;
    }

    static void Fail(HistoryResult row, string error)
    {
        row.ApplyStatus = ApplyStatuses.Failed;
        row.Error = error;
    }

    /// <summary>Records each conflict as "bob applied '…' at … (run …)", or "changed outside amx" when the history does not know.</summary>
    static async Task DescribeConflictsAsync(Amx.Data.History.Storage.HistoryDbContext db, List<(HistoryResult Row, string? Current, string? Expected)> conflicts, CancellationToken ct)
    {
        if (conflicts.Count == 0) return;
        var runId = conflicts[0].Row.RunId;
        var names = conflicts.Select(c => c.Row.TargetQname).ToList();
        var others = await db.Results.AsNoTracking()
            .Where(r => names.Contains(r.TargetQname) && r.RunId != runId && r.AppliedAt != null)
            .Select(r => new { r.TargetQname, r.RunId, r.AppliedAt, r.AppliedBy, r.ApplyStatus, r.Description, r.PreviousComment })
            .ToListAsync(ct);
        var lastByTarget = others.GroupBy(o => o.TargetQname, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(o => o.AppliedAt).First(), StringComparer.Ordinal);
        foreach (var (row, current, expected) in conflicts)
        {
            row.ApplyStatus = ApplyStatuses.Conflict;
            var now = Quote(current);
            var reverted = lastByTarget.TryGetValue(row.TargetQname, out var last) && last.ApplyStatus == ApplyStatuses.Reverted;
            row.Error = last is not null && SameComment(current, reverted ? last.PreviousComment : last.Description)
                ? $"live comment changed since drafting: {last.AppliedBy} {(reverted ? "reverted it to" : "applied")} {now} at {last.AppliedAt:yyyy-MM-dd HH:mm:ss} UTC (run {last.RunId})"
                : $"live comment changed outside amx since drafting: now {now}, expected {Quote(expected)}";
        }
    }

    static string Quote(string? s) => s is null ? "(no comment)" : "\"" + (s.Length > 60 ? s[..57] + "…" : s) + "\"";

    /// <summary>No comment and an empty comment are the same thing on PostgreSQL and MySQL (COMMENT IS '' drops it).</summary>
    static bool SameComment(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);

    async Task FinishRunAsync(HistoryRun run, bool revert, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var pendingApply = await db.Results.CountAsync(r => r.RunId == run.RunId && !r.Applied && r.Description != null
            && (r.Decision == Decisions.Accepted || r.Decision == Decisions.Edited), ct);
        var anyApplied = await db.Results.AnyAsync(r => r.RunId == run.RunId && r.Applied, ct);
        if (!revert && pendingApply == 0 && anyApplied)
        {
            run.State = RunStates.Applied;
            run.AppliedAt = DateTime.UtcNow;
            run.AppliedBy = env.User;
        }
        else if (revert && !anyApplied && run.State == RunStates.Applied)
        {
            run.State = RunStates.Reviewed;
        }
        await store.UpdateRunAsync(run);
    }

    async Task<ApplySummary> PreviewAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, List<HistoryResult> candidates,
        ApplyOptions options, bool revert, CancellationToken ct)
    {
        var targets = candidates.Select(r => new CommentTarget(QualifiedName.Parse(r.TargetQname), r.TargetKind)).ToList();
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, targets, ct);
        var items = new List<ApplyItem>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var r = candidates[i];
            var wanted = revert ? r.PreviousComment : r.Description;
            var expected = revert ? r.Description : r.PreviousComment;
            if (!live.TryGetValue(targets[i], out var current))
            {
                items.Add(new ApplyItem(r.TargetQname, r.TargetKind, "missing", "object no longer exists"));
                continue;
            }
            if (SameComment(current, wanted))
            {
                items.Add(new ApplyItem(r.TargetQname, r.TargetKind, "in-place", "already holds this text"));
                continue;
            }
            if (wanted is not null && provider.Dialect.MaxLengthFor(r.TargetKind) is { } max && provider.Dialect.MeasureLength(wanted) > max)
            {
                items.Add(new ApplyItem(r.TargetQname, r.TargetKind, "too-long",
                    $"{provider.Dialect.MeasureLength(wanted)} long; {provider.Dialect.BackendName} allows {max} (shorten it: amx review {run.RunId} --set {r.TargetQname}=…)"));
                continue;
            }
            var conflict = !SameComment(current, expected) && !options.Force;
            IReadOnlyList<string> sql;
            try { sql = await provider.Comments.RenderStatementsAsync(conn, targets[i].Name, targets[i].Kind, wanted, ct); }
            catch (CommentWriteException e) { items.Add(new ApplyItem(r.TargetQname, r.TargetKind, "failed", e.Message)); continue; }
            items.Add(new ApplyItem(r.TargetQname, r.TargetKind, conflict ? "conflict" : "would-apply",
                conflict ? $"live comment is {Quote(current)}, drafted against {Quote(expected)}" : null, sql));
        }
        if (options.Check && provider.Privileges is { } checker)
            foreach (var (target, problem) in await checker.CheckAsync(conn, targets, ct))
                items.Add(new ApplyItem(target.Name.ToString(), target.Kind, "no-privilege", problem));
        return new ApplySummary(run.RunId, run.State, 0, 0, items.Count(i => i.Status == "conflict"),
            items.Count(i => i.Status is "missing" or "too-long" or "failed" or "no-privilege"), 0, items, true);
    }

}
