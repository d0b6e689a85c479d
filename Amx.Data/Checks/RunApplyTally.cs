using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;

namespace Amx.Data.Checks;

/// <summary>Counts of one schema (or of the whole run) after a run-apply, as recorded in the history.</summary>
public sealed record RunApplyCounts(int Drafted, int Accepted, int Applied, int Conflicts, int Failed);

/// <summary>
/// The final tally of an unattended run-apply, read back from the history so it says what is recorded, not what
/// the process believes it did. The rows are streamed and counted as they come: a run of a million results holds
/// one counter per schema, not the results.
/// </summary>
public static class RunApplyTally
{
    sealed class Counter
    {
        int drafted, accepted, applied, conflicts, failed;

        public void Add(bool hasDescription, string decision, bool isApplied, string? status)
        {
            if (hasDescription) drafted++;
            if (decision is Decisions.Accepted or Decisions.Edited) accepted++;
            if (isApplied) applied++;
            if (status == ApplyStatuses.Conflict) conflicts++;
            // A draft the LLM did not deliver, or a comment write that failed.
            if (!hasDescription || status == ApplyStatuses.Failed) failed++;
        }

        public RunApplyCounts Counts => new(drafted, accepted, applied, conflicts, failed);
    }

    public static async Task<(RunApplyCounts Total, IReadOnlyDictionary<string, RunApplyCounts> PerSchema)> ReadAsync(
        HistoryStore store, string runId, CancellationToken ct)
    {
        var total = new Counter();
        var perSchema = new Dictionary<string, Counter>(StringComparer.Ordinal);
        await foreach (var r in store.StreamOutcomesAsync(runId, ct))
        {
            var schema = SchemaOf(r.TargetQname);
            if (!perSchema.TryGetValue(schema, out var counter)) perSchema[schema] = counter = new Counter();
            counter.Add(r.HasDescription, r.Decision, r.Applied, r.ApplyStatus);
            total.Add(r.HasDescription, r.Decision, r.Applied, r.ApplyStatus);
        }
        return (total.Counts, perSchema.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value.Counts, StringComparer.Ordinal));
    }

    static string SchemaOf(string qname)
    {
        // Most names need no parsing: no quotes means the schema is everything before the first dot.
        if (!qname.Contains('"')) return qname.IndexOf('.') is var dot and > 0 ? qname[..dot] : qname;
        try { return QualifiedName.Parse(qname).Schema; }
        catch (FormatException) { return qname; }
    }
}
