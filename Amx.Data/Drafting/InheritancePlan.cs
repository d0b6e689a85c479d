using System.Collections.Concurrent;
using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Drafting;

/// <summary>An inherited description: the text, the base column it came from, and whether that was a live comment or this run's draft.</summary>
public sealed record Inherited(string Text, string Source, string Origin);

/// <summary>
/// Which view columns take their base column's description (docs/view-lineage.md): a pass-through column inherits
/// the base's draft when the base is drafted in the same run (so bases are drafted first: <see cref="Level"/>),
/// otherwise the base's live comment. Inherited descriptions are byte-for-byte the source text, confidence high.
/// </summary>
public sealed class InheritancePlan
{
    readonly Dictionary<string, TableMeta> _tables;
    readonly Dictionary<string, string> _live = new(StringComparer.Ordinal);
    readonly IReadOnlyDictionary<string, string?> _targets;
    readonly ConcurrentDictionary<string, string> _drafted = new(StringComparer.Ordinal);
    readonly Dictionary<TableMeta, int> _levels = new();

    public InheritancePlan(Catalog catalog, IReadOnlyDictionary<string, string?> targetsOfRun)
    {
        _targets = targetsOfRun;
        _tables = catalog.Tables.ToDictionary(t => t.Name.ToString(), StringComparer.Ordinal);
        foreach (var t in catalog.Tables)
        {
            if (!string.IsNullOrEmpty(t.Comment)) _live[t.Name.ToString()] = t.Comment;
            foreach (var c in t.Columns)
                if (!string.IsNullOrEmpty(c.Comment)) _live[(t.Name with { Column = c.Name }).ToString()] = c.Comment;
        }
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

    /// <summary>Records a finished draft (a base that views may inherit).</summary>
    public void Drafted(string target, string description) => _drafted[target] = description;

    /// <summary>The description a pass-through view column inherits, or null (not pass-through, or no text to take).</summary>
    public Inherited? Inherit(TableMeta table, DraftTarget target)
    {
        if (!target.IsColumn) return null;
        var column = table.Columns.FirstOrDefault(c => c.Name == target.Name.Column);
        if (column?.Lineage?.Source is not { } source) return null;
        var key = source.ToString();
        // A base drafted in this run wins over its live comment: the run is about to replace that comment.
        if (_targets.ContainsKey(key))
            return _drafted.TryGetValue(key, out var draft) ? new Inherited(draft, key, "draft") : null;
        return _live.TryGetValue(key, out var live) ? new Inherited(live, key, "comment") : null;
    }

    /// <summary>For a view's prompt: the descriptions known for the base columns its columns use.</summary>
    public IReadOnlyDictionary<string, string> BaseDescriptions(TableMeta table)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var src in table.Columns.Where(c => c.Lineage is not null).SelectMany(c => c.Lineage!.Sources))
        {
            var key = src.ToString();
            if (_drafted.TryGetValue(key, out var d)) map[key] = d;
            else if (_live.TryGetValue(key, out var l)) map[key] = l;
        }
        return map;
    }
}
