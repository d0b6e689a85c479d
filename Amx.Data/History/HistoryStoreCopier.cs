using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History;

/// <param name="RunsCopied">Runs that were not in the destination at all.</param>
/// <param name="RunsAlreadyThere">Runs the destination already had (completed or left alone).</param>
/// <param name="ResultsCopied">Result rows inserted, for new runs and for runs completed here.</param>
/// <param name="RunsCompleted">Runs already there that were missing results or a final state (a run that fell back
/// to the local file when the shared store went away mid-run).</param>
public sealed record CopyOutcome(int RunsCopied, int RunsAlreadyThere, int ResultsCopied, int RunsCompleted = 0);

/// <summary>
/// Copies runs and their results from one store into another, idempotently per (run_id, target_qname): a run that is
/// not there is copied whole; a run that is there gets the results it misses, its counts recomputed from what it
/// then holds, and the source's final state when it only knew the run as running or interrupted.
/// </summary>
public static class HistoryStoreCopier
{
    public static async Task<CopyOutcome> CopyAsync(HistoryStore from, HistoryStore to, CancellationToken ct = default)
    {
        List<HistoryRun> runs;
        await using (var src = from.CreateContext())
            runs = await src.Runs.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(ct);
        if (runs.Count == 0) return new CopyOutcome(0, 0, 0);

        var ids = runs.Select(r => r.RunId).ToList();
        Dictionary<string, HistoryRun> existing;
        await using (var dst = to.CreateContext())
            existing = await dst.Runs.AsNoTracking().Where(r => ids.Contains(r.RunId)).ToDictionaryAsync(r => r.RunId, ct);

        int copied = 0, completed = 0, results = 0;
        foreach (var run in runs)
        {
            List<HistoryResult> rows;
            await using (var src = from.CreateContext())
                rows = await src.Results.AsNoTracking().Where(r => r.RunId == run.RunId).ToListAsync(ct);
            if (!existing.TryGetValue(run.RunId, out var there))
            {
                // Run and results in one transaction: a rerun after a failure finds either both or neither.
                await using var dst = to.CreateContext();
                await using var tx = await dst.Database.BeginTransactionAsync(ct);
                dst.Runs.Add(run);
                dst.Results.AddRange(rows);
                await dst.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                copied++;
                results += rows.Count;
                continue;
            }
            var added = await CompleteAsync(to, there, run, rows, ct);
            if (added >= 0) { completed++; results += added; }
        }
        return new CopyOutcome(copied, existing.Count, results, completed);
    }

    /// <summary>Adds the results the destination's run misses and brings its row up to date; -1 when nothing changed.</summary>
    static async Task<int> CompleteAsync(HistoryStore to, HistoryRun there, HistoryRun source, List<HistoryResult> rows, CancellationToken ct)
    {
        await using var dst = to.CreateContext();
        await using var tx = await dst.Database.BeginTransactionAsync(ct);
        var have = (await dst.Results.Where(r => r.RunId == there.RunId).Select(r => r.TargetQname).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var missing = rows.Where(r => !have.Contains(r.TargetQname)).ToList();
        var takeState = IsUnfinished(there) && !IsUnfinished(source);
        if (missing.Count == 0 && !takeState) return -1;

        dst.Results.AddRange(missing);
        await dst.SaveChangesAsync(ct);
        var run = await dst.Runs.SingleAsync(r => r.RunId == there.RunId, ct);
        if (takeState)
        {
            run.State = source.State;
            run.FinishedAt = source.FinishedAt;
            run.LlmProvider ??= source.LlmProvider;
            run.LlmModel ??= source.LlmModel;
            var meta = RunMetadata.Read(source.MetadataJson);
            meta.LocalFallback = null;
            run.MetadataJson = meta.ToJson();
        }
        run.OkCount = await dst.Results.CountAsync(r => r.RunId == run.RunId && r.Description != null, ct);
        run.FailCount = await dst.Results.CountAsync(r => r.RunId == run.RunId && r.Description == null, ct);
        await dst.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return missing.Count;
    }

    /// <summary>Still running, or shown as failed only because its process went away.</summary>
    static bool IsUnfinished(HistoryRun run) =>
        run.State == RunStates.Running ||
        (run.State == RunStates.Failed && RunMetadata.Read(run.MetadataJson).IsInterrupted);
}
