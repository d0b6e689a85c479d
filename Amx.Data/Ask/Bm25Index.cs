namespace Amx.Data.Ask;

/// <summary>
/// Okapi BM25 over small documents (a target's name parts, type, comment and latest description).
/// Ranking catalog entries is amx's own business, so it is written here rather than pulled in.
/// </summary>
public sealed class Bm25Index<T>
{
    const double K1 = 1.2, B = 0.75;
    readonly List<(T Item, Dictionary<string, int> Terms, int Length)> _docs = [];
    readonly Dictionary<string, int> _docFreq = new(StringComparer.Ordinal);
    /// <summary>Term → the documents holding it: a search visits only those, not every document.</summary>
    readonly Dictionary<string, List<int>> _postings = new(StringComparer.Ordinal);
    long _totalLength;

    public int Count => _docs.Count;

    public void Add(T item, string text)
    {
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var token in Tokenizer.Tokens(text))
        {
            terms[token] = terms.GetValueOrDefault(token) + 1;
            length++;
        }
        foreach (var t in terms.Keys)
        {
            _docFreq[t] = _docFreq.GetValueOrDefault(t) + 1;
            if (!_postings.TryGetValue(t, out var list)) _postings[t] = list = [];
            list.Add(_docs.Count);
        }
        _docs.Add((item, terms, length));
        _totalLength += length; // a running total: averaging on every Add made indexing a large catalog quadratic
    }

    /// <summary>Ranks only the given documents (positions in the order they were added): cheap when they are few,
    /// however common the query's words are in the whole index.</summary>
    public IReadOnlyList<(T Item, double Score)> SearchAmong(string query, IEnumerable<int> documents)
    {
        var q = Tokenizer.Tokens(query).Where(t => !Tokenizer.StopWords.Contains(t)).Distinct().ToList();
        if (q.Count == 0 || _docs.Count == 0) return [];
        var n = _docs.Count;
        var avgLength = Math.Max(1.0, (double)_totalLength / n);
        var idf = q.Where(_docFreq.ContainsKey).ToDictionary(t => t, t => Math.Log(1 + (n - _docFreq[t] + 0.5) / (_docFreq[t] + 0.5)));
        var scored = new List<(int Doc, double Score)>();
        foreach (var i in documents)
        {
            var d = _docs[i];
            double score = 0;
            foreach (var (t, w) in idf)
                if (d.Terms.TryGetValue(t, out var tf))
                    score += w * tf * (K1 + 1) / (tf + K1 * (1 - B + B * d.Length / avgLength));
            if (score > 0) scored.Add((i, score));
        }
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Doc).Select(x => (_docs[x.Doc].Item, x.Score)).ToList();
    }

    /// <param name="filter">Only documents whose item passes are ranked (null: all).</param>
    public IReadOnlyList<(T Item, double Score)> Search(string query, int top, Func<T, bool>? filter = null)
    {
        var q = Tokenizer.Tokens(query).Where(t => !Tokenizer.StopWords.Contains(t)).Distinct().ToList();
        if (q.Count == 0 || _docs.Count == 0) return [];
        var n = _docs.Count;
        var avgLength = Math.Max(1.0, (double)_totalLength / n);
        var scores = new Dictionary<int, double>();
        foreach (var t in q)
        {
            if (!_postings.TryGetValue(t, out var docs)) continue;
            var df = _docFreq[t];
            var idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
            foreach (var i in docs)
            {
                var d = _docs[i];
                if (filter is not null && !filter(d.Item)) continue;
                var tf = d.Terms[t];
                scores[i] = scores.GetValueOrDefault(i) + idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * d.Length / avgLength));
            }
        }
        return scores.Where(x => x.Value > 0)
            .OrderByDescending(x => x.Value).ThenBy(x => x.Key)
            .Take(top)
            .Select(x => (_docs[x.Key].Item, x.Value))
            .ToList();
    }
}

/// <summary>Lower-case word tokens; splits snake_case and camelCase, expands common abbreviations, folds plurals.</summary>
public static class Tokenizer
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
        var tokens = new List<string>();
        if (!string.IsNullOrEmpty(text)) ForEach(text, t => tokens.Add(t.ToString()));
        return tokens;
    }

    public delegate void TokenAction(ReadOnlySpan<char> token);

    /// <summary>The tokens of <see cref="Tokens"/>, handed over as spans of a scratch buffer: no string per word, for
    /// indexing megabytes of context documents (a string per word made that take seconds).</summary>
    // Optimised at once: a run's indexing is over before tiered compilation would promote these loops.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void ForEach(ReadOnlySpan<char> text, TokenAction action)
    {
        Span<char> buffer = stackalloc char[128];
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var letter = char.IsLetterOrDigit(c);
            // A word is a run of letters and digits, cut where a capital follows a small letter (camelCase).
            var boundary = !letter || (char.IsUpper(c) && start >= 0 && char.IsLower(text[i - 1]));
            if (boundary && start >= 0)
            {
                var word = text[start..i];
                var lower = word.Length <= buffer.Length ? buffer[..word.Length] : new char[word.Length];
                word.ToLowerInvariant(lower);
                Normalise(lower, action);
                start = -1;
            }
            if (letter && start < 0) start = i;
        }
    }

    static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup = Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static void Normalise(Span<char> w, TokenAction action)
    {
        if (AbbreviationLookup.TryGetValue(w, out var full)) { action(full); return; }
        if (w is ['e']) return;
        action(Stem(w));
    }

    /// <summary>A light plural fold: emails→email, addresses→address, categories→category.</summary>
    static ReadOnlySpan<char> Stem(Span<char> w)
    {
        if (w.Length > 4 && w.EndsWith("ies"))
        {
            w[^3] = 'y';
            return w[..^2];
        }
        if (w.Length > 4 && (w.EndsWith("sses") || w.EndsWith("xes"))) return w[..^2];
        if (w.Length > 3 && w[^1] == 's' && !w.EndsWith("ss") && !w.EndsWith("us")) return w[..^1];
        return w;
    }
}
