using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;

namespace Amx.Data.Checks;

/// <summary>Counts of one schema (or of the whole run) after a run-apply, as recorded in the history.</summary>
public sealed record RunApplyCounts(int Drafted, int Accepted, int Applied, int Conflicts, int Failed);

/// <summary>
/// The final tally of an unattended run-apply, read back from the history so it says what is recorded, not what
/// the process believes it did. The store counts them (a few rows per schema come back, not a million names), and
/// memory holds one counter per schema.
/// </summary>
public static class RunApplyTally
{
    sealed class Counter
    {
        int drafted, accepted, applied, conflicts, failed;

        public void Add(OutcomeCount c)
        {
            drafted += c.Drafted;
            accepted += c.Accepted;
            applied += c.Applied;
            conflicts += c.Conflicts;
            failed += c.Failed;
        }

        public RunApplyCounts Counts => new(drafted, accepted, applied, conflicts, failed);
    }

    public static async Task<(RunApplyCounts Total, IReadOnlyDictionary<string, RunApplyCounts> PerSchema)> ReadAsync(
        HistoryStore store, string runId, CancellationToken ct) =>
        Of((await store.ReadAsync(r => r.RunTallyAsync(runId, ct), ct)).Outcomes);

    /// <summary>The tally of outcomes already read (a run that drafted and applied nothing since its closing tally).</summary>
    public static (RunApplyCounts Total, IReadOnlyDictionary<string, RunApplyCounts> PerSchema) Of(IEnumerable<OutcomeCount> outcomes)
    {
        var total = new Counter();
        var perSchema = new Dictionary<string, Counter>(StringComparer.Ordinal);
        foreach (var c in outcomes)
        {
            var schema = SchemaOf(c.Key);
            if (!perSchema.TryGetValue(schema, out var counter)) perSchema[schema] = counter = new Counter();
            counter.Add(c);
            total.Add(c);
        }
        return (total.Counts, perSchema.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value.Counts, StringComparer.Ordinal));
    }

    static string SchemaOf(string key)
    {
        // A plain key is the schema already; a quoted name came back whole and is parsed.
        if (!key.Contains('"')) return key;
        try { return QualifiedName.Parse(key).Schema; }
        catch (FormatException) { return key; }
    }
}
