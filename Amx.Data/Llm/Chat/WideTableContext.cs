using System.Text.Json.Nodes;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm.Chat;

/// <summary>
/// The context of one batch of a table too wide to list whole within the request budget: the table's identity,
/// comment and keys; the batch's own columns (as targets, with their metadata and profiles); a bounded selection of
/// the other columns (key columns always, then neighbours by position, columns sharing the batch's name prefixes,
/// commented columns); and a summary of the rest (count, name patterns, type mix). Its size does not depend on the
/// table's width, so the bytes sent for a table grow linearly with it (docs/llm.md).
/// </summary>
public static class WideTableContext
{
    const int Neighbours = 3, SamePrefix = 4, MaxKeyColumns = 64, MaxCommentChars = 160, SummaryEntries = 10;

    /// <summary>Characters given to the selection of other columns: a small share of the request budget.</summary>
    public static int SelectionChars(int maxChars) => Math.Clamp(maxChars / 20, 600, 4000);

    public static string Message(DraftRequest request, int maxAlternatives, int maxChars)
    {
        var table = request.Table;
        var byName = table.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var ordered = table.Columns.OrderBy(c => c.Ordinal).ToList();
        var targetNames = request.Targets.Where(t => t.IsColumn).Select(t => t.Name.Column!).ToHashSet(StringComparer.Ordinal);

        var targets = new JsonArray();
        foreach (var t in request.Targets)
        {
            var o = new JsonObject { ["kind"] = DraftPrompt.KindOf(t), ["name"] = DraftPrompt.NameOf(t) };
            if (t.IsColumn && byName.TryGetValue(t.Name.Column!, out var c))
            {
                o["type"] = c.DataType;
                if (!c.IsNullable) o["nullable"] = false;
                if (c.Default is not null) o["default"] = c.Default;
                if (c.Comment is not null) o["comment"] = c.Comment;
                if (c.Profile is { } p) o["profile"] = DraftPrompt.Profile(p);
            }
            targets.Add(o);
        }

        var keys = KeyColumns(table).Where(n => !targetNames.Contains(n) && byName.ContainsKey(n)).Take(MaxKeyColumns).ToList();
        var chosen = new List<ColumnMeta>(keys.Select(n => byName[n]));
        var taken = new HashSet<string>(targetNames.Concat(keys), StringComparer.Ordinal);
        var budget = SelectionChars(maxChars);
        var used = 0;
        foreach (var c in Candidates(ordered, targetNames))
        {
            if (!taken.Add(c.Name)) continue;
            var size = Entry(c).ToJsonString(DraftPrompt.Json).Length + 1;
            if (used + size > budget) break;
            used += size;
            chosen.Add(c);
        }
        chosen = chosen.OrderBy(c => c.Ordinal).ToList();

        var t0 = DraftPrompt.TableIdentity(table);
        t0["column_count"] = table.Columns.Count;
        var selection = new JsonArray(chosen.Select(c => (JsonNode)Entry(c)).ToArray());
        t0["other_columns"] = selection;
        var rest = ordered.Where(c => !taken.Contains(c.Name)).ToList();
        t0["columns_summary"] = Summary(rest);
        var doc = DraftPrompt.Document(request, t0, targets, maxAlternatives);
        var text = doc.ToJsonString(DraftPrompt.Json);
        // Over budget (huge comments or profiles in the batch): the optional selection goes first, keys stay.
        while (text.Length > maxChars && selection.Count > 0)
        {
            var last = selection.Select((n, i) => (n, i)).LastOrDefault(x => !keys.Contains(x.n![0]!.GetValue<string>()));
            if (last.n is null) break;
            selection.RemoveAt(last.i);
            text = doc.ToJsonString(DraftPrompt.Json);
        }
        return text;
    }

    /// <summary>Primary, unique and foreign key columns, in that order.</summary>
    public static IEnumerable<string> KeyColumns(TableMeta table) =>
        table.PrimaryKey.Concat(table.UniqueKeys.SelectMany(k => k)).Concat(table.ForeignKeys.SelectMany(f => f.Columns)).Distinct(StringComparer.Ordinal);

    /// <summary>Other columns by usefulness: neighbours of the batch, columns sharing its prefixes, commented columns.</summary>
    static IEnumerable<ColumnMeta> Candidates(List<ColumnMeta> ordered, HashSet<string> targets)
    {
        var positions = ordered.Select((c, i) => (c, i)).Where(x => targets.Contains(x.c.Name)).Select(x => x.i).ToList();
        if (positions.Count > 0)
        {
            var (first, last) = (positions.Min(), positions.Max());
            for (var d = 1; d <= Neighbours; d++)
            {
                if (first - d >= 0) yield return ordered[first - d];
                if (last + d < ordered.Count) yield return ordered[last + d];
            }
        }
        var prefixes = targets.Select(ColumnGroups.Prefix).ToHashSet(StringComparer.Ordinal);
        foreach (var c in ordered.Where(c => !targets.Contains(c.Name) && prefixes.Contains(ColumnGroups.Prefix(c.Name))).Take(SamePrefix))
            yield return c;
        foreach (var c in ordered.Where(c => !string.IsNullOrWhiteSpace(c.Comment)))
            yield return c;
    }

    /// <summary>A listed other column: <c>[name, type]</c> or <c>[name, type, comment]</c> (compact: many per request).</summary>
    static JsonArray Entry(ColumnMeta c)
    {
        var a = new JsonArray(JsonValue.Create(c.Name), JsonValue.Create(c.DataType));
        if (!string.IsNullOrWhiteSpace(c.Comment))
            a.Add(JsonValue.Create(c.Comment.Length <= MaxCommentChars ? c.Comment : c.Comment[..MaxCommentChars] + "…"));
        return a;
    }

    static JsonObject Summary(List<ColumnMeta> rest) => new()
    {
        ["not_listed"] = rest.Count,
        ["name_patterns"] = new JsonArray(rest.GroupBy(c => ColumnGroups.Pattern(c.Name)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(SummaryEntries).Select(g => (JsonNode)new JsonObject { ["pattern"] = g.Key, ["count"] = g.Count() }).ToArray()),
        ["types"] = new JsonArray(rest.GroupBy(c => c.DataType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(SummaryEntries).Select(g => (JsonNode)new JsonObject { ["type"] = g.Key, ["count"] = g.Count() }).ToArray()),
    };
}
