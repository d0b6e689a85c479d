using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;

namespace Amx.Data.Checks;

/// <summary>Counts of one schema (or of the whole run) after a run-apply, as recorded in the history.</summary>
public sealed record RunApplyCounts(int Drafted, int Accepted, int Applied, int Conflicts, int Failed)
{
    public static RunApplyCounts Of(IReadOnlyCollection<HistoryResult> rows) => new(
        rows.Count(r => r.Description is not null),
        rows.Count(r => r.Decision is Decisions.Accepted or Decisions.Edited),
        rows.Count(r => r.Applied),
        rows.Count(r => r.ApplyStatus == ApplyStatuses.Conflict),
        // A draft the LLM did not deliver, or a comment write that failed.
        rows.Count(r => r.Description is null || r.ApplyStatus == ApplyStatuses.Failed));
}

/// <summary>
/// The final tally of an unattended run-apply, read back from the history in one query so it says what is
/// recorded, not what the process believes it did.
/// </summary>
public static class RunApplyTally
{
    public static async Task<(RunApplyCounts Total, IReadOnlyDictionary<string, RunApplyCounts> PerSchema)> ReadAsync(
        HistoryStore store, string runId, CancellationToken ct)
    {
        var rows = await store.GetResultsAsync(runId, ct);
        var perSchema = rows.GroupBy(r => SchemaOf(r.TargetQname), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => RunApplyCounts.Of(g.ToList()), StringComparer.Ordinal);
        return (RunApplyCounts.Of(rows.ToList()), perSchema);
    }

    static string SchemaOf(string qname)
    {
        try { return QualifiedName.Parse(qname).Schema; }
        catch (FormatException) { return qname; }
    }
}
