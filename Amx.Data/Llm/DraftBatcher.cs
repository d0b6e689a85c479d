using Amx.Data.Llm.Chat;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm;

/// <summary>
/// Cuts one table's targets into batches. A table whose full listing fits the request budget is cut as always:
/// <c>--batch-size</c> targets in ordinal order. A wider table is cut by name prefix (<c>addr_*</c>, <c>attr_0001…</c>
/// stay together so their descriptions agree), up to twice <c>--batch-size</c> targets per batch: its context is a
/// fixed-size selection (<see cref="WideTableContext"/>), and bigger batches spread that cost over more targets.
/// See docs/llm.md.
/// </summary>
public static class DraftBatcher
{
    /// <summary>Room kept for the system prompt when deciding whether a table fits.</summary>
    const int SystemPromptAllowance = 2500;

    public static bool IsWide(TableMeta table, int maxRequestChars) =>
        DraftPrompt.FullMessage(new DraftRequest { Table = table, Targets = [DraftTarget.ForTable(table)] }, 0).Length
        + SystemPromptAllowance > maxRequestChars;

    /// <param name="maxRequestChars">The request budget; null when the drafter sends no prompt (offline), and every
    /// table is cut by <paramref name="batchSize"/> alone.</param>
    public static IEnumerable<IReadOnlyList<DraftTarget>> Batches(TableMeta table, IReadOnlyList<DraftTarget> targets, int batchSize, int? maxRequestChars)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
        if (targets.Count <= batchSize || maxRequestChars is not { } budget || !IsWide(table, budget))
        {
            foreach (var chunk in targets.Chunk(batchSize)) yield return chunk;
            yield break;
        }
        var wideSize = batchSize * 2;
        var firstOrdinal = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordinals = table.Columns.ToDictionary(c => c.Name, c => c.Ordinal, StringComparer.Ordinal);
        int Ordinal(DraftTarget t) => t.IsColumn && ordinals.TryGetValue(t.Name.Column!, out var o) ? o : 0;
        foreach (var c in table.Columns.OrderBy(c => c.Ordinal)) firstOrdinal.TryAdd(ColumnGroups.Prefix(c.Name), c.Ordinal);

        // The table target first, then column groups in the order their first column appears.
        var groups = targets.GroupBy(t => t.IsColumn ? ColumnGroups.Prefix(t.Name.Column!) : "")
            .OrderBy(g => g.Key.Length == 0 ? -1 : firstOrdinal.GetValueOrDefault(g.Key))
            .Select(g => g.OrderBy(Ordinal).ToList());
        var batch = new List<DraftTarget>(wideSize);
        foreach (var group in groups)
        {
            // A group that fits a batch is not split across two.
            if (group.Count <= wideSize && batch.Count + group.Count > wideSize && batch.Count > 0)
            {
                yield return batch;
                batch = new List<DraftTarget>(wideSize);
            }
            foreach (var t in group)
            {
                batch.Add(t);
                if (batch.Count == wideSize)
                {
                    yield return batch;
                    batch = new List<DraftTarget>(wideSize);
                }
            }
        }
        if (batch.Count > 0) yield return batch;
    }
}
