using System.Text.RegularExpressions;
using Amx.Data.Ask;
using Amx.Data.Warehouse.Model;

using Amx.Data.Context;

namespace Amx.Tool.Tests.Export;

/// <summary>
/// The chunk selection as it was before the compact index (commit 6d29c69, verbatim but for its name), kept as the
/// reference the new one must match. Picks, for each table, the context chunks that are about it, best first, within a character budget. Built once
/// per run over the <see cref="ContextLibrary"/> with the BM25 index behind <c>amx ask</c>. A chunk is about a table
/// when it names the table, or names one of its columns and no other table of the run; BM25 on the table's name,
/// column names and comments ranks those. So a paragraph on <c>orders</c> never reaches the prompt of <c>customer</c>,
/// however many words they share. See docs/context-and-export.md.
/// </summary>
sealed partial class ReferenceContextIndex
{
    /// <summary>Default characters of context per table (<c>--context-budget</c>).</summary>
    public const int DefaultBudget = 4000;
    const int MinColumnNameLength = 4;

    readonly IReadOnlyList<ContextChunk> chunks;
    readonly Bm25Index<int> bm25 = new();
    /// <summary>Lower-case identifier → chunks that contain it as a whole word.</summary>
    readonly Dictionary<string, List<int>> identifiers = new(StringComparer.Ordinal);
    readonly HashSet<string> tableNames;
    /// <summary>Per chunk: the run's table names it mentions.</summary>
    readonly List<string[]> mentions = [];

    public ReferenceContextIndex(ContextLibrary library, IEnumerable<TableMeta> tables)
    {
        chunks = library.Chunks;
        tableNames = tables.Select(t => t.Name.Table.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < chunks.Count; i++)
        {
            bm25.Add(i, chunks[i].Text);
            var ids = Identifiers(chunks[i].Text).ToList();
            mentions.Add(ids.Where(tableNames.Contains).ToArray());
            foreach (var id in ids)
            {
                if (!identifiers.TryGetValue(id, out var list)) identifiers[id] = list = [];
                if (list.Count == 0 || list[^1] != i) list.Add(i);
            }
        }
    }

    public IReadOnlyList<ContextChunk> Select(TableMeta table, int budget)
    {
        if (chunks.Count == 0 || budget <= 0) return [];
        var name = table.Name.Table.ToLowerInvariant();
        var naming = identifiers.GetValueOrDefault(name) ?? [];
        var candidates = new HashSet<int>(naming);
        var columnNames = table.Columns.Select(c => c.Name.ToLowerInvariant()).Where(c => c.Length >= MinColumnNameLength && c != name).ToHashSet(StringComparer.Ordinal);
        foreach (var c in columnNames)
            if (identifiers.TryGetValue(c, out var list))
                foreach (var i in list)
                    if (!candidates.Contains(i) && !NamesOtherTable(i, name)) candidates.Add(i);
        if (candidates.Count == 0) return [];

        var query = string.Join(' ', new[] { table.Name.Table, table.Comment ?? "" }
            .Concat(table.Columns.Take(200).Select(c => c.Name + " " + c.Comment)));
        var ranked = bm25.SearchAmong(query, candidates)
            .Select(x => x.Item)
            .Concat(candidates.Order()) // chunks that share no ranked word still count when they name the table
            .Distinct();
        var picked = new List<ContextChunk>();
        var used = 0;
        foreach (var i in ranked)
        {
            var size = chunks[i].Text.Length + chunks[i].Source.Length + 24;
            if (used + size > budget) continue;
            used += size;
            picked.Add(chunks[i]);
        }
        return picked;
    }

    bool NamesOtherTable(int chunk, string self) => mentions[chunk].Any(t => t != self);

    /// <summary>Words that can be identifiers, lower case; <c>sales.orders</c> gives <c>sales</c> and <c>orders</c>.</summary>
    static IEnumerable<string> Identifiers(string text) =>
        IdentifierPattern().Matches(text).Select(m => m.Value.ToLowerInvariant()).Distinct();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_$]*")]
    private static partial Regex IdentifierPattern();
}

/// <summary>The tokenizer as it was before it handed out spans (commit 6d29c69, verbatim but for its name).</summary>
static class ReferenceTokenizer
{
    public static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "of", "in", "on", "for", "to", "is", "are", "which", "what", "where", "who", "how", "do", "does",
        "column", "columns", "table", "tables", "hold", "holds", "store", "stores", "contain", "contains", "find", "field", "i", "we", "and", "or", "s",
    };

    static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["addr"] = "address", ["amt"] = "amount", ["qty"] = "quantity", ["cust"] = "customer", ["nm"] = "name",
        ["dt"] = "date", ["ts"] = "timestamp", ["desc"] = "description", ["cd"] = "code", ["no"] = "number", ["num"] = "number",
        ["nbr"] = "number", ["pct"] = "percent", ["emp"] = "employee", ["dept"] = "department", ["id"] = "identifier",
        ["flg"] = "flag", ["cnt"] = "count", ["ord"] = "order", ["prod"] = "product", ["mail"] = "email", ["tel"] = "phone",
    };

    public static IEnumerable<string> Tokens(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var word = new System.Text.StringBuilder();
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var boundary = !char.IsLetterOrDigit(c)
                           || (char.IsUpper(c) && word.Length > 0 && char.IsLower(word[^1]));
            if (boundary && word.Length > 0)
            {
                foreach (var t in Normalise(word.ToString().ToLowerInvariant())) yield return t;
                word.Clear();
            }
            if (char.IsLetterOrDigit(c)) word.Append(c);
        }
    }

    static IEnumerable<string> Normalise(string w)
    {
        if (Abbreviations.TryGetValue(w, out var full)) { yield return full; yield break; }
        if (w == "e" ) yield break;
        yield return Stem(w);
    }

    /// <summary>A light plural fold: emails→email, addresses→address, categories→category.</summary>
    // Ordinal comparisons: culture-aware EndsWith made indexing megabytes of context documents take seconds.
    static string Stem(string w) =>
        w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal) ? w[..^3] + "y"
        : w.Length > 4 && (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("xes", StringComparison.Ordinal)) ? w[..^2]
        : w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) ? w[..^1]
        : w;
}
