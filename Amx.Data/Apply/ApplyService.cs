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
    public int ChunkSize { get; init; } = 500;
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
        var run = await store.FindRunAsync(runId);
        if (run.State is RunStates.Running)
            throw AmxException.BadInput($"run {run.RunId} is still drafting", $"wait for it to finish, or resume it: amx run --resume {run.RunId}");
        var profile = config.GetDbProfile(options.DbProfile ?? run.DbProfile);
        var provider = WarehouseProviders.For(profile.Backend);
        if (!provider.Dialect.SupportsTableComments && !provider.Dialect.SupportsColumnComments)
            throw AmxException.BadInput($"{profile.Backend.ToConfigName()} has no table or column comments; the descriptions of {run.RunId} stay in the history",
                "amx history show " + run.RunId);

        List<HistoryResult> candidates;
        await using (var db = store.CreateContext())
        {
            var q = db.Results.AsNoTracking().Where(r => r.RunId == run.RunId);
            q = revert
                ? q.Where(r => r.Applied && r.ApplyStatus == ApplyStatuses.Applied)
                : q.Where(r => !r.Applied && r.Description != null && (r.Decision == Decisions.Accepted || r.Decision == Decisions.Edited));
            candidates = await q.OrderBy(r => r.TargetQname).ToListAsync(ct);
        }
        if (candidates.Count == 0)
        {
            notice(revert ? $"Nothing to revert: run {run.RunId} has no applied results."
                          : $"Nothing to apply: run {run.RunId} has no accepted or edited results left. Review first: amx review {run.RunId} --accept high");
            return new ApplySummary(run.RunId, run.State, 0, 0, 0, 0, 0, [], options.DryRun);
        }

        await using var conn = await provider.OpenAsync(profile, ct);
        if (options.DryRun || options.Check)
            return await PreviewAsync(run, provider, conn, candidates, options, revert, ct);

        await using var runLock = await store.TryLockRunAsync(run.RunId, ct)
            ?? throw AmxException.Conflict($"run {run.RunId} is being applied by another amx process right now",
                "wait for it to finish, then run apply again to pick up what is left");

        var items = new List<ApplyItem>();
        var warehouseId = WarehouseIdentity(profile);
        var done = 0;
        foreach (var chunk in candidates.Chunk(options.ChunkSize))
        {
            ct.ThrowIfCancellationRequested();
            items.AddRange(await ApplyChunkAsync(run, provider, conn, warehouseId, chunk, options, revert, ct));
            done += chunk.Length;
            progress?.Report((done, candidates.Count));
        }

        var applied = items.Count(i => i.Status == ApplyStatuses.Applied && i.Detail is null);
        var already = items.Count(i => i.Status == ApplyStatuses.Applied && i.Detail is not null);
        var reverted = items.Count(i => i.Status == ApplyStatuses.Reverted);
        var conflicts = items.Count(i => i.Status == ApplyStatuses.Conflict);
        var failed = items.Count(i => i.Status == ApplyStatuses.Failed);
        await FinishRunAsync(run, revert, ct);
        return new ApplySummary(run.RunId, run.State, revert ? reverted : applied, already, conflicts, failed, 0, items, false);
    }

    async Task<List<ApplyItem>> ApplyChunkAsync(HistoryRun run, IWarehouseProvider provider, DbConnection conn, string warehouseId,
        HistoryResult[] chunk, ApplyOptions options, bool revert, CancellationToken ct)
    {
        var items = new List<ApplyItem>();
        await using var db = store.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Serialise with every other apply of these targets, from any machine, until this transaction ends.
        await using var locks = await store.LockTargetsAsync(db, chunk.Select(r => $"{warehouseId}|{r.TargetQname}"), ct);

        var targets = chunk.Select(r => new CommentTarget(QualifiedName.Parse(r.TargetQname), r.TargetKind)).ToList();
        // Read after taking the locks: whatever another process applied before us is visible now.
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, targets, ct);
        var now = DateTime.UtcNow;
        var rows = await db.Results.Where(r => r.RunId == run.RunId && chunk.Select(c => c.TargetQname).Contains(r.TargetQname))
            .ToDictionaryAsync(r => r.TargetQname, StringComparer.Ordinal, ct);

        for (var i = 0; i < chunk.Length; i++)
        {
            var row = rows[chunk[i].TargetQname];
            var target = targets[i];
            var wanted = revert ? row.PreviousComment : row.Description;
            var expected = revert ? row.Description : row.PreviousComment;
            if (!live.TryGetValue(target, out var current))
            {
                Fail(row, $"{target.Kind.ToLowerInvariant()} {row.TargetQname} no longer exists");
            }
            else if (SameComment(current, wanted))
            {
                // Already holds the wanted text (e.g. an apply killed after the write): record it, write nothing.
                Mark(row, revert, now);
                items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!, "already in place"));
                continue;
            }
            else if (!SameComment(current, expected) && !options.Force)
            {
                row.ApplyStatus = ApplyStatuses.Conflict;
                row.Error = await DescribeConflictAsync(db, row, current, ct);
            }
            else
            {
                try
                {
                    await provider.Comments.WriteAsync(conn, null, target.Name, target.Kind, wanted, ct);
                    Mark(row, revert, now);
                }
                catch (CommentWriteException e)
                {
                    Fail(row, e.Message);
                }
            }
            items.Add(new ApplyItem(row.TargetQname, row.TargetKind, row.ApplyStatus!, row.ApplyStatus == ApplyStatuses.Applied || row.ApplyStatus == ApplyStatuses.Reverted ? null : row.Error));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return items;
    }

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

    /// <summary>"changed by bob (run_…) at … to '…'", or "changed outside amx" when the history does not know.</summary>
    static async Task<string> DescribeConflictAsync(Amx.Data.History.Storage.HistoryDbContext db, HistoryResult row, string? current, CancellationToken ct)
    {
        var last = await db.Results.AsNoTracking()
            .Where(r => r.TargetQname == row.TargetQname && r.RunId != row.RunId && r.AppliedAt != null)
            .OrderByDescending(r => r.AppliedAt).FirstOrDefaultAsync(ct);
        var now = Quote(current);
        return last is not null && SameComment(current, last.ApplyStatus == ApplyStatuses.Reverted ? last.PreviousComment : last.Description)
            ? $"live comment changed since drafting: {last.AppliedBy} {(last.ApplyStatus == ApplyStatuses.Reverted ? "reverted" : "applied")} {now} at {last.AppliedAt:yyyy-MM-dd HH:mm} UTC (run {last.RunId})"
            : $"live comment changed outside amx since drafting: now {now}, expected {Quote(row.PreviousComment)}";
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
        if (!revert && pendingApply == 0)
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


    /// <summary>Identifies the warehouse across machines (profile names may differ between teammates).</summary>
    static string WarehouseIdentity(DbProfile p) =>
        $"{p.Backend.ToConfigName()}://{(p.Host ?? "localhost").ToLowerInvariant()}:{p.Port}/{p.Database ?? p.Path}";
}
