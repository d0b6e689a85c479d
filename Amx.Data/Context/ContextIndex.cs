using System.Runtime.CompilerServices;
using Amx.Data.Ask;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Context;

/// <summary>
/// Picks, for each table, the context chunks that are about it, best first, within a character budget. Built once
/// per run over the <see cref="ContextLibrary"/>. A chunk is about a table when it names the table, or names one of its
/// columns and no other table of the run; BM25 (the scoring and tokens of <see cref="Bm25Index{T}"/> behind
/// <c>amx ask</c>) on the table's name, column names and comments ranks those. So a paragraph on <c>orders</c> never
/// reaches the prompt of <c>customer</c>, however many words they share. See docs/context-and-export.md.
/// </summary>
/// <remarks>
/// Megabytes of documents make tens of thousands of chunks, so the index is compact: terms are interned to ids, each
/// chunk keeps its distinct term ids (ascending) with their counts in two arrays, and only the identifiers a
/// <see cref="Select"/> can ask about (the run's table names and column names) are recorded, found by one scan without
/// a regex or a string per word. A dictionary per chunk and every identifier as a string cost seconds of indexing and
/// garbage collection. Selection ranks only each table's candidates, with the very arithmetic of <c>Bm25Index</c>, so
/// results are unchanged (Amx.Tool.Tests/Export/ContextIndexTests).
/// </remarks>
public sealed class ContextIndex
{
    /// <summary>Default characters of context per table (<c>--context-budget</c>).</summary>
    public const int DefaultBudget = 4000;
    const int MinColumnNameLength = 4;
    const double K1 = 1.2, B = 0.75;

    readonly IReadOnlyList<ContextChunk> chunks;
    readonly Dictionary<string, int> termIds = new(StringComparer.Ordinal);
    readonly List<int> docFreq = [];
    readonly int[][] docTerms;
    readonly int[][] docCounts;
    readonly int[] docLength;
    long totalLength;

    /// <summary>A recorded identifier (lower case): the chunks that contain it as a whole word, and whether it is one of the run's tables.</summary>
    sealed class Identifier
    {
        public List<int> Chunks { get; } = [];
        public bool IsTable { get; set; }
    }

    readonly Dictionary<string, Identifier> identifiers = new(StringComparer.Ordinal);
    /// <summary>Per chunk: the run's table names it mentions (null: none).</summary>
    readonly List<string>?[] mentions;

    public ContextIndex(ContextLibrary library, IEnumerable<TableMeta> tables)
    {
        chunks = library.Chunks;
        var n = chunks.Count;
        docTerms = new int[n][];
        docCounts = new int[n][];
        docLength = new int[n];
        mentions = new List<string>?[n];
        foreach (var t in tables)
        {
            var name = t.Name.Table.ToLowerInvariant();
            Want(name).IsTable = true;
            foreach (var c in t.Columns)
            {
                var column = c.Name.ToLowerInvariant();
                if (column.Length >= MinColumnNameLength) Want(column);
            }
        }

        var counter = new TermCounter(this);
        var lookup = identifiers.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < n; i++)
        {
            counter.Count(i, chunks[i].Text);
            RecordIdentifiers(i, chunks[i].Text, lookup);
        }
    }

    /// <summary>Counts a chunk's terms into its compact arrays: per term id its count, and the ids touched — no dictionary per chunk.</summary>
    sealed class TermCounter
    {
        readonly ContextIndex index;
        readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> terms;
        readonly List<int> scratch = [];
        readonly List<int> touched = [];
        readonly Tokenizer.TokenAction add;
        int length;

        public TermCounter(ContextIndex index)
        {
            this.index = index;
            terms = index.termIds.GetAlternateLookup<ReadOnlySpan<char>>();
            add = Add;
        }

        // Optimised at once: a run's indexing is over before tiered compilation would promote these loops.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Count(int chunk, string text)
        {
            touched.Clear();
            length = 0;
            Tokenizer.ForEach(text, add);
            var ids = touched.ToArray();
            Array.Sort(ids);
            var tf = new int[ids.Length];
            for (var k = 0; k < ids.Length; k++)
            {
                tf[k] = scratch[ids[k]];
                scratch[ids[k]] = 0;
                index.docFreq[ids[k]]++;
            }
            index.docTerms[chunk] = ids;
            index.docCounts[chunk] = tf;
            index.docLength[chunk] = length;
            index.totalLength += length;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Add(ReadOnlySpan<char> token)
        {
            if (!terms.TryGetValue(token, out var id))
            {
                id = index.docFreq.Count;
                index.termIds[token.ToString()] = id;
                index.docFreq.Add(0);
                scratch.Add(0);
            }
            if (scratch[id]++ == 0) touched.Add(id);
            length++;
        }
    }

    /// <summary>Records which of the wanted identifiers (the run's table and column names) the chunk names, and which tables it mentions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RecordIdentifiers(int chunk, string text, Dictionary<string, Identifier>.AlternateLookup<ReadOnlySpan<char>> lookup)
    {
        Span<char> buffer = stackalloc char[256];
        var i = 0;
        while (i < text.Length)
        {
            if (!IsStart(text[i])) { i++; continue; }
            var start = i++;
            while (i < text.Length && IsPart(text[i])) i++;
            var len = i - start;
            var lower = len <= buffer.Length ? buffer[..len] : new char[len];
            text.AsSpan(start, len).ToLowerInvariant(lower);
            if (!lookup.TryGetValue(lower, out var found)) continue;
            if (found.Chunks.Count > 0 && found.Chunks[^1] == chunk) continue;
            found.Chunks.Add(chunk);
            if (found.IsTable) (mentions[chunk] ??= []).Add(lower.ToString());
        }
    }

    Identifier Want(string name)
    {
        if (!identifiers.TryGetValue(name, out var id)) identifiers[name] = id = new Identifier();
        return id;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<ContextChunk> Select(TableMeta table, int budget)
    {
        if (chunks.Count == 0 || budget <= 0) return [];
        var name = table.Name.Table.ToLowerInvariant();
        var candidates = new HashSet<int>(ChunksNaming(name));
        var columnNames = table.Columns.Select(c => c.Name.ToLowerInvariant()).Where(c => c.Length >= MinColumnNameLength && c != name).ToHashSet(StringComparer.Ordinal);
        foreach (var c in columnNames)
            foreach (var i in ChunksNaming(c))
                if (!candidates.Contains(i) && !NamesOtherTable(i, name)) candidates.Add(i);
        if (candidates.Count == 0) return [];

        var query = string.Join(' ', new[] { table.Name.Table, table.Comment ?? "" }
            .Concat(table.Columns.Take(200).Select(c => c.Name + " " + c.Comment)));
        // Ranked chunks first; then chunks that share no ranked word still count when they name the table.
        var order = Rank(query, candidates);
        var rest = candidates.ToArray();
        Array.Sort(rest);
        var seen = new HashSet<int>();
        var picked = new List<ContextChunk>();
        var used = 0;
        foreach (var list in new[] { order, rest })
            foreach (var i in list)
            {
                if (!seen.Add(i)) continue;
                var size = chunks[i].Text.Length + chunks[i].Source.Length + 24;
                if (used + size > budget) continue;
                used += size;
                picked.Add(chunks[i]);
            }
        return picked;
    }

    /// <summary>BM25 over the candidates only, best first, ties by position; the formula and the order of its sums are
    /// <see cref="Bm25Index{T}.SearchAmong"/>'s, so scores are bit-identical. Plain loops, not LINQ over tuples: those
    /// generic instantiations are compiled on first use, which costs a short run more than the ranking.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int[] Rank(string query, HashSet<int> candidates)
    {
        var n = chunks.Count;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var terms = new List<(int Id, double Idf)>();
        var any = false;
        foreach (var t in Tokenizer.Tokens(query))
        {
            if (Tokenizer.StopWords.Contains(t) || !distinct.Add(t)) continue;
            any = true;
            if (termIds.TryGetValue(t, out var id))
            {
                var df = docFreq[id];
                terms.Add((id, Math.Log(1 + (n - df + 0.5) / (df + 0.5))));
            }
        }
        if (!any || n == 0) return [];
        var avgLength = Math.Max(1.0, (double)totalLength / n);
        var docs = new List<int>();
        var scores = new List<double>();
        foreach (var i in candidates)
        {
            double score = 0;
            var ids = docTerms[i];
            foreach (var (id, w) in terms)
            {
                var k = Array.BinarySearch(ids, id);
                if (k < 0) continue;
                var tf = docCounts[i][k];
                score += w * tf * (K1 + 1) / (tf + K1 * (1 - B + B * docLength[i] / avgLength));
            }
            if (score > 0) { docs.Add(i); scores.Add(score); }
        }
        var result = docs.ToArray();
        var keys = scores.ToArray();
        // Descending score, ties by position: a total order, so an unstable sort gives the same order as OrderBy.ThenBy.
        var index = new int[result.Length];
        for (var k = 0; k < index.Length; k++) index[k] = k;
        Array.Sort(index, (a, b) => keys[a] != keys[b] ? keys[b].CompareTo(keys[a]) : result[a].CompareTo(result[b]));
        var ordered = new int[index.Length];
        for (var k = 0; k < index.Length; k++) ordered[k] = result[index[k]];
        return ordered;
    }

    /// <summary>Chunks holding <paramref name="identifier"/> (lower case) as a whole word. Names of tables not given to the
    /// constructor are not recorded; they are looked up by a scan (read-only, so concurrent selects stay safe).</summary>
    IEnumerable<int> ChunksNaming(string identifier)
    {
        if (identifiers.TryGetValue(identifier, out var found)) return found.Chunks;
        var list = new List<int>();
        for (var i = 0; i < chunks.Count; i++)
            foreach (var (start, len) in IdentifierSpans(chunks[i].Text))
                if (len == identifier.Length && chunks[i].Text.AsSpan(start, len).Equals(identifier, StringComparison.OrdinalIgnoreCase))
                {
                    list.Add(i);
                    break;
                }
        return list;
    }

    bool NamesOtherTable(int chunk, string self) => mentions[chunk]?.Any(t => t != self) ?? false;

    /// <summary>Words that can be identifiers (<c>[A-Za-z_][A-Za-z0-9_$]*</c>); <c>sales.orders</c> gives <c>sales</c> and <c>orders</c>.</summary>
    static IEnumerable<(int Start, int Length)> IdentifierSpans(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!IsStart(text[i])) { i++; continue; }
            var start = i++;
            while (i < text.Length && IsPart(text[i])) i++;
            yield return (start, i - start);
        }
    }

    static bool IsStart(char c) => char.IsAsciiLetter(c) || c == '_';
    static bool IsPart(char c) => IsStart(c) || char.IsAsciiDigit(c) || c == '$';
}
