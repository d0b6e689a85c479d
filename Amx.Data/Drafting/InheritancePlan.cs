using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Drafting;

/// <summary>An inherited description: the text, the base column it came from, and whether that was a live comment or this run's draft.</summary>
public sealed record Inherited(string Text, string Source, string Origin, string Confidence);

/// <summary>
/// Which view columns take their base column's description (docs/view-lineage.md): a pass-through column inherits
/// the base's draft when the base is drafted in the same run (so bases are drafted first: <see cref="Level"/>),
/// otherwise the base's live comment. Inherited descriptions are byte-for-byte the source text; confidence is high
/// from a live comment, and the base draft's own confidence from a draft (a weak base stays weak in its views).
/// The run's drafts are not kept here: before a level of views the caller reads its bases' results back from the
/// history store (<see cref="UseRunResults"/>), so a run over a million columns remembers none of them in memory.
/// </summary>
public sealed class InheritancePlan
{
    static readonly IReadOnlyDictionary<string, RunResult> NoResults = new Dictionary<string, RunResult>();

    readonly Dictionary<string, TableMeta> _tables;
    readonly Dictionary<string, string> _live = new(StringComparer.Ordinal);
    readonly Dictionary<TableMeta, int> _levels = new();
    IReadOnlyDictionary<string, RunResult> _run = NoResults;

    /// <summary>A result of this run for a base column: its draft, or null text when drafting it failed.</summary>
    public readonly record struct RunResult(string? Text, string? Confidence);

    public InheritancePlan(Catalog catalog, IReadOnlyDictionary<string, string>? outsideComments = null)
    {
        foreach (var (k, v) in outsideComments ?? new Dictionary<string, string>()) _live[k] = v;
        _tables = catalog.Tables.ToDictionary(t => t.Name.ToString(), StringComparer.Ordinal);
        foreach (var t in catalog.Tables)
        {
            if (!string.IsNullOrEmpty(t.Comment)) _live[t.Name.ToString()] = t.Comment;
            foreach (var c in t.Columns)
                if (!string.IsNullOrEmpty(c.Comment)) _live[(t.Name with { Column = c.Name }).ToString()] = c.Comment;
        }
    }

    /// <summary>True when some column of the catalog has lineage (there is something to inherit).</summary>
    public static bool HasLineage(Catalog catalog) => catalog.Tables.Any(t => t.Columns.Any(c => c.Lineage is not null));

    /// <summary>The base columns the given views read: what <see cref="UseRunResults"/> needs.</summary>
    public static IReadOnlyCollection<string> Sources(IEnumerable<TableMeta> views) =>
        views.SelectMany(t => t.Columns).Where(c => c.Lineage is not null).SelectMany(c => c.Lineage!.Sources)
            .Select(q => q.ToString()).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>This run's results for base columns, read back from the store once they are committed.</summary>
    public void UseRunResults(IReadOnlyDictionary<string, RunResult> results) => _run = results;
    /// <summary>The live comments of base columns that views in the catalog read but the scope did not (one query per kind).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadOutsideCommentsAsync(Warehouse.IWarehouseProvider provider,
        System.Data.Common.DbConnection connection, Catalog catalog, CancellationToken ct)
    {
        var known = catalog.Tables.Select(t => t.Name).ToHashSet();
        var outside = catalog.Tables.SelectMany(t => t.Columns).Where(c => c.Lineage?.Source is not null)
            .Select(c => c.Lineage!.Source!.Value).Where(q => !known.Contains(q.TableName)).Distinct()
            .Select(q => new Warehouse.CommentTarget(q, TargetKinds.Column)).ToList();
        if (outside.Count == 0) return new Dictionary<string, string>();
        var live = await provider.Comments.ReadLiveCommentsAsync(connection, null, outside, ct);
        return live.Where(kv => !string.IsNullOrEmpty(kv.Value)).ToDictionary(kv => kv.Key.Name.ToString(), kv => kv.Value!, StringComparer.Ordinal);
    }

    /// <summary>0 for tables; a view is one level above the deepest view it reads from.</summary>
    public int Level(TableMeta table) => Level(table, 0);

    int Level(TableMeta table, int guard)
    {
        if (_levels.TryGetValue(table, out var known)) return known;
        if (table.Kind == TargetKinds.Table || guard > 32) return 0;
        var level = 1;
        foreach (var src in table.Columns.Where(c => c.Lineage is not null).SelectMany(c => c.Lineage!.Sources))
            if (_tables.TryGetValue(src.TableName.ToString(), out var baseTable) && baseTable != table)
                level = Math.Max(level, Level(baseTable, guard + 1) + 1);
        _levels[table] = level;
        return level;
    }

    /// <summary>The description a pass-through view column inherits, or null (not pass-through, or no text to take).</summary>
    public Inherited? Inherit(ColumnMeta? column)
    {
        if (column?.Lineage?.Source is not { } source) return null;
        var key = source.ToString();
        // A base drafted in this run wins over its live comment: the run is about to replace that comment. A base
        // whose drafting failed gives nothing (the view column is drafted itself).
        if (_run.TryGetValue(key, out var draft))
            return draft.Text is null ? null : new Inherited(draft.Text, key, "draft", draft.Confidence ?? Confidences.Low);
        return _live.TryGetValue(key, out var live) ? new Inherited(live, key, "comment", Confidences.High) : null;
    }

    /// <summary>For a view's prompt: the descriptions known for the base columns its columns use.</summary>
    public IReadOnlyDictionary<string, string> BaseDescriptions(TableMeta table)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var src in table.Columns.Where(c => c.Lineage is not null).SelectMany(c => c.Lineage!.Sources))
        {
            var key = src.ToString();
            if (_run.TryGetValue(key, out var d) && d.Text is not null) map[key] = d.Text;
            else if (_live.TryGetValue(key, out var l)) map[key] = l;
        }
        return map;
    }
}
