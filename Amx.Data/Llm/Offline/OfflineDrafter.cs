using System.Diagnostics;
using Amx.Data.Llm.Chat;

namespace Amx.Data.Llm.Offline;

/// <summary>
/// The <c>offline</c> provider: deterministic drafts from names, types, keys and profile statistics, no network.
/// Same input, same output, on any machine. Thread-safe (stateless).
/// </summary>
public sealed class OfflineDrafter(DrafterOptions? options = null) : IDescriptionDrafter
{
    readonly DrafterOptions options = options ?? new DrafterOptions();

    /// <summary>Changes whenever the drafting rules change, so eval runs can tell drafter versions apart.</summary>
    public const string Version = "3";

    public string Provider => "offline";
    public string Model => "offline";
    public bool SendsPrompts => false;
    public bool RatesConfidence => true;

    public Task<DraftBatchResult> DraftAsync(DraftRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Draft(request));
    }

    public DraftBatchResult Draft(DraftRequest request)
    {
        var clock = Stopwatch.StartNew();
        var table = request.Table;
        var words = TableWords.Of(table);
        var maxAlternatives = Math.Max(0, request.MaxAlternatives ?? options.MaxAlternatives);
        var columns = new ColumnCursor(table.Columns);
        var outcomes = new List<DraftOutcome>(request.Targets.Count);
        foreach (var target in request.Targets)
        {
            if (target.Name.TableName != table.Name)
            {
                outcomes.Add(DraftOutcome.Failed(target, $"not part of table {table.Name}"));
                continue;
            }
            OfflineDraft draft;
            if (!target.IsColumn) draft = TableDescriber.Describe(table, words, maxAlternatives);
            else if (columns.Find(target.Name.Column!) is { } column) draft = ColumnDescriber.Describe(table, words, column, maxAlternatives);
            else { outcomes.Add(DraftOutcome.Failed(target, $"no column {target.Name.Column} in {table.Name}")); continue; }
            // A glossary entry for the column's name is the team's own word for it (docs/context-and-export.md).
            if (target.IsColumn && options.Glossary?.Lookup(target.Name.Column!) is { } meaning)
                draft = new OfflineDraft(meaning, new[] { draft.Description }.Concat(draft.Alternatives).Take(maxAlternatives).ToList(), Amx.Data.History.Model.Confidences.High);

            var text = Limit(DescriptionText.Clean(draft.Description));
            var alternatives = new List<string>(draft.Alternatives.Count);
            foreach (var a in draft.Alternatives)
                if (Limit(DescriptionText.Clean(a)) is var alternative && alternative != text) alternatives.Add(alternative);
            outcomes.Add(ConfidenceRules.Apply(new DraftOutcome
            {
                Target = target,
                Description = text,
                Alternatives = alternatives,
                Confidence = draft.Confidence,
            }));
        }
        return new DraftBatchResult { Outcomes = outcomes, Duration = clock.Elapsed, Calls = 0 };
    }

    /// <summary>Finds a batch's columns by name; batches name them in the table's order, so the search starts after the
    /// last one found (no dictionary per batch).</summary>
    struct ColumnCursor(IReadOnlyList<Warehouse.Model.ColumnMeta> columns)
    {
        int _next;

        public Warehouse.Model.ColumnMeta? Find(string name)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                var at = (_next + i) % columns.Count;
                if (!string.Equals(columns[at].Name, name, StringComparison.Ordinal)) continue;
                _next = at + 1;
                return columns[at];
            }
            return null;
        }
    }

    string Limit(string text) => text.Length <= options.MaxDescriptionLength ? text : text[..(options.MaxDescriptionLength - 1)] + "…";

    public void Dispose() { }
}
