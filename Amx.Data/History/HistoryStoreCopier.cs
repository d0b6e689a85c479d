using Amx.Data.History.Model;

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
        var runs = await from.ReadAsync(r => r.AllRunsAsync(ct), ct);
        if (runs.Count == 0) return new CopyOutcome(0, 0, 0);
        var existing = await to.ReadAsync(r => r.RunsNamedAsync(runs.Select(r => r.RunId).ToList(), ct), ct);

        int copied = 0, completed = 0, results = 0;
        foreach (var run in runs)
        {
            var rows = await from.ReadAsync(r => r.ResultsAsync(run.RunId, full: true, ct), ct);
            if (!existing.TryGetValue(run.RunId, out var there))
            {
                // Run and results in one transaction: a rerun after a failure finds either both or neither.
                await to.InsertRunWithResultsAsync(run, rows, ct);
                copied++;
                results += rows.Count;
                continue;
            }
            // The source's final state when the destination only knew the run as running or interrupted.
            Action<HistoryRun>? takeState = IsUnfinished(there) && !IsUnfinished(run)
                ? r =>
                {
                    r.State = run.State;
                    r.FinishedAt = run.FinishedAt;
                    r.LlmProvider ??= run.LlmProvider;
                    r.LlmModel ??= run.LlmModel;
                    var meta = RunMetadata.Read(run.MetadataJson);
                    meta.LocalFallback = null;
                    r.MetadataJson = meta.ToJson();
                }
                : null;
            var added = await to.CompleteRunAsync(there, rows, takeState, ct);
            if (added >= 0) { completed++; results += added; }
        }
        return new CopyOutcome(copied, existing.Count, results, completed);
    }

    /// <summary>Still running, or shown as failed only because its process went away.</summary>
    static bool IsUnfinished(HistoryRun run) =>
        run.State == RunStates.Running ||
        (run.State == RunStates.Failed && RunMetadata.Read(run.MetadataJson).IsInterrupted);
}
