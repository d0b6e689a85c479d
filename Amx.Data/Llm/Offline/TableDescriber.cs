using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm.Offline;

/// <summary>A table's offline draft: what a row is (from the primary key), what it links to, its main attributes.</summary>
public static class TableDescriber
{
    public static OfflineDraft Describe(TableMeta table, TableWords tw, int maxAlternatives)
    {
        var words = tw.RawWords;
        var cryptic = words.Count == 0 || words.Any(Vocabulary.IsCryptic);
        var kindPhrase = tw.KindPhrase(table.Kind);
        var fkColumns = table.ForeignKeys.SelectMany(f => f.Columns).ToHashSet(StringComparer.Ordinal);

        var grain = table.PrimaryKey.Count > 1
            ? Join(table.PrimaryKey.Select(c => KeySubject(c, tw)).ToList())
            : tw.Entity;
        var first = Role(table, tw) ?? (table.Kind == TargetKinds.Table || table.PrimaryKey.Count > 0
            ? $"{kindPhrase} of {tw.Plural}, one row per {grain}."
            : $"{kindPhrase} of {tw.Plural}.");

        var sentences = new List<string> { first };
        var refs = table.ForeignKeys.Select(f => f.References.ToString()).Distinct().ToList();
        if (refs.Count > 0)
            sentences.Add($"Links to {Join(refs.Take(5).ToList())}{(refs.Count > 5 ? $" and {refs.Count - 5} more" : "")}.");
        var attributes = table.Columns.OrderBy(c => c.Ordinal)
            .Where(c => !table.PrimaryKey.Contains(c.Name) && !fkColumns.Contains(c.Name))
            .Select(c => AttributeName(c, tw)).Where(a => a.Length > 0).Distinct().ToList();
        if (attributes.Count > 0)
            sentences.Add($"Attributes include {Join(attributes.Take(5).ToList(), attributes.Count > 5 ? $"{attributes.Count - 5} more" : null)}.");

        var description = string.Join(' ', sentences);
        // Never high: keys and columns show a table's shape, not what it is for, and its purpose is what a reader
        // needs from a table comment (on the documented corpus every offline table draft scored below the columns).
        var confidence = cryptic ? Confidences.Low : Confidences.Medium;
        var alternatives = new List<string>();
        foreach (var alt in new[] { $"{ColumnDescriber.Cap(tw.Plural)}: {table.Columns.Count} columns.", first })
            if (alternatives.Count < maxAlternatives && alt != description && !alternatives.Contains(alt)) alternatives.Add(alt);
        return new OfflineDraft(description, alternatives, confidence);
    }

    static readonly HashSet<string> HistoryWords = new(StringComparer.Ordinal) { "history", "log", "logs", "audit", "event", "events", "changes", "archive" };
    static readonly HashSet<string> LabelWords = new(StringComparer.Ordinal) { "name", "code", "description", "label", "title", "desc", "text" };

    /// <summary>The table's role when its shape shows one: a link table between two others, a history/log, a lookup list.</summary>
    static string? Role(TableMeta table, TableWords tw)
    {
        if (table.Kind != TargetKinds.Table) return null;
        var refs = table.ForeignKeys.Select(f => f.References).Distinct().ToList();
        var fkColumns = table.ForeignKeys.SelectMany(f => f.Columns).ToHashSet(StringComparer.Ordinal);
        var others = table.Columns.Count(c => !fkColumns.Contains(c.Name) && !table.PrimaryKey.Contains(c.Name));
        if (refs.Count == 2 && others <= 2 && (table.PrimaryKey.Count == 0 || table.PrimaryKey.All(fkColumns.Contains)))
        {
            var a = TableWords.Of(new TableMeta { Name = refs[0], Kind = TargetKinds.Table });
            var b = TableWords.Of(new TableMeta { Name = refs[1], Kind = TargetKinds.Table });
            return $"Link table between {a.Plural} and {b.Plural}: one row per {a.Entity} and {b.Entity} pair.";
        }
        if (tw.RawWords.Count > 1 && HistoryWords.Contains(tw.RawWords[^1]))
        {
            var subject = ColumnDescriber.Phrase(tw.RawWords.Take(tw.RawWords.Count - 1).ToList());
            return $"History of {subject} changes and events, one row per recorded event.";
        }
        if (table.PrimaryKey.Count == 1 && table.Columns.Count <= 4 && table.ForeignKeys.Count == 0
            && table.Columns.Any(c => NameWords.Split(c.Name).Any(LabelWords.Contains)))
            return $"Lookup list of {tw.Plural}: each code or name with its identifier.";
        return null;
    }

    static string KeySubject(string column, TableWords tw)
    {
        var words = NameWords.Split(column);
        if (words.Count > 1 && tw.IsColumnPrefix(words[0])) words.RemoveAt(0);
        if (words.Count > 1 && words[^1] is "id" or "sk" or "key") words.RemoveAt(words.Count - 1);
        return ColumnDescriber.Phrase(words);
    }

    static string AttributeName(ColumnMeta column, TableWords tw)
    {
        var words = NameWords.Split(column.Name);
        if (words.Count > 1 && tw.IsColumnPrefix(words[0])) words.RemoveAt(0);
        return ColumnDescriber.Phrase(words);
    }

    /// <summary>"a", "a and b", "a, b and c"; with <paramref name="more"/>: "a, b and 3 more".</summary>
    static string Join(IReadOnlyList<string> items, string? more = null)
    {
        var all = more is null ? items : items.Append(more).ToList();
        return all.Count switch
        {
            0 => "",
            1 => all[0],
            _ => string.Join(", ", all.Take(all.Count - 1)) + " and " + all[^1],
        };
    }
}
