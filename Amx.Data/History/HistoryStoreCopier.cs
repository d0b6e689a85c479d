using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History;

public sealed record CopyOutcome(int RunsCopied, int RunsAlreadyThere, int ResultsCopied);

/// <summary>Copies runs and their results from one store into another; runs already there (by run_id) are left alone.</summary>
public static class HistoryStoreCopier
{
    public static async Task<CopyOutcome> CopyAsync(HistoryStore from, HistoryStore to, CancellationToken ct = default)
    {
        List<HistoryRun> runs;
        await using (var src = from.CreateContext())
            runs = await src.Runs.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(ct);
        if (runs.Count == 0) return new CopyOutcome(0, 0, 0);

        var ids = runs.Select(r => r.RunId).ToList();
        HashSet<string> existing;
        await using (var dst = to.CreateContext())
            existing = (await dst.Runs.AsNoTracking().Where(r => ids.Contains(r.RunId)).Select(r => r.RunId).ToListAsync(ct)).ToHashSet();

        int copied = 0, results = 0;
        foreach (var run in runs.Where(r => !existing.Contains(r.RunId)))
        {
            List<HistoryResult> rows;
            await using (var src = from.CreateContext())
                rows = await src.Results.AsNoTracking().Where(r => r.RunId == run.RunId).ToListAsync(ct);
            // Run and results in one transaction: a rerun after a failure finds either both or neither.
            await using var dst = to.CreateContext();
            await using var tx = await dst.Database.BeginTransactionAsync(ct);
            dst.Runs.Add(run);
            dst.Results.AddRange(rows);
            await dst.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            copied++;
            results += rows.Count;
        }
        return new CopyOutcome(copied, existing.Count, results);
    }
}
