using Amx.Data.History.Model;
using Amx.Data.Llm.Offline;
using Amx.Data.Warehouse;

namespace Amx.Data.Llm;

/// <summary>
/// The confidence rules every draft passes through, whichever drafter wrote it (docs/drafting-quality.md,
/// "What confidence means"): a description that only restates the table and column names is <c>low</c>, so
/// <c>--accept high</c> never writes it unattended; a column whose name keeps an abbreviation nobody expanded
/// (<c>fid</c>) is never <c>high</c>.
/// </summary>
public static class ConfidenceRules
{
    // Words that carry no evidence of their own.
    static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "of", "for", "each", "per", "one", "row", "rows", "record", "records", "table", "view", "materialized",
        "column", "this", "its", "is", "in", "and", "value", "values", "field", "data", "entry", "entries", "dimension", "fact",
        "s", "attribute", "attributes", "information", "details",
    };

    public static DraftOutcome Apply(DraftOutcome o)
    {
        if (o.Description is null || o.Confidence is null) return o;
        var confidence = Adjust(o.Confidence, o.Description, o.Target.Name);
        return confidence == o.Confidence ? o : new DraftOutcome
        {
            Target = o.Target, Description = o.Description, Alternatives = o.Alternatives, Confidence = confidence, Error = o.Error,
        };
    }

    public static string Adjust(string confidence, string description, QualifiedName target)
    {
        if (IsRestatement(description, target)) return Confidences.Low;
        if (confidence == Confidences.High && HasUnexpandedAbbreviation(target, description)) return Confidences.Medium;
        return confidence;
    }

    static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FillerSpans = Filler.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when every word of the description, apart from filler, is a word of the table or column name
    /// (singular or plural) — nothing a reader could not see from the name. Words as <see cref="Eval.TextScores.Tokenize"/>
    /// cuts them, compared without allocating: every draft of a million-column run passes here, and most stop at
    /// their first word that is not in the name.</summary>
    public static bool IsRestatement(string description, QualifiedName target)
    {
        // The table's words are the same for its fifty columns: kept per thread for the table drafted last.
        if (_tableWords is not { } last || !ReferenceEquals(last.Table, target.Table) && last.Table != target.Table)
            _tableWords = last = (target.Table, WithForms(NameWords.Split(target.Table)));
        var columnWords = target.Column is null ? null : WithForms(NameWords.Split(target.Column));

        var text = description.Normalize(System.Text.NormalizationForm.FormKC);
        Span<char> buffer = stackalloc char[128];
        var sawWord = false;
        for (var i = 0; i < text.Length;)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            var token = text.AsSpan(start, i - start);
            var lower = token.Length <= buffer.Length ? buffer[..token.Length] : new char[token.Length];
            for (var k = 0; k < token.Length; k++) lower[k] = char.ToLowerInvariant(token[k]);
            if (FillerSpans.Contains(lower)) continue;
            if (!InName(last.Words, lower) && (columnWords is null || !InName(columnWords, lower))) return false;
            sawWord = true;
        }
        return sawWord;
    }

    [ThreadStatic] static (string Table, List<string> Words)? _tableWords;

    /// <summary>Each word with its singular and plural.</summary>
    static List<string> WithForms(List<string> words)
    {
        var all = new List<string>(words.Count * 3);
        foreach (var w in words)
        {
            all.Add(w);
            all.Add(Vocabulary.Singular(w));
            all.Add(Vocabulary.Plural(w));
        }
        return all;
    }

    static bool InName(List<string> nameWords, ReadOnlySpan<char> word)
    {
        foreach (var w in nameWords)
            if (word.SequenceEqual(w)) return true;
        return false;
    }

    /// <summary>A column name part that is neither a known word nor an abbreviation amx can expand — unless the
    /// description itself expands it (a glossary's "Customer segment" for <c>seg</c>: a word that starts with the part;
    /// single letters never count as expanded).</summary>
    public static bool HasUnexpandedAbbreviation(QualifiedName target, string? description = null)
    {
        if (target.Column is not { } c) return false;
        List<string>? words = null; // the description's words, only once a cryptic part needs them
        foreach (var part in NameWords.Split(c))
        {
            if (!Vocabulary.IsCryptic(part)) continue;
            if (part.Length < 2) return true;
            words ??= description is null ? [] : Eval.TextScores.Tokenize(description);
            if (!ExpandedIn(words, part)) return true;
        }
        return false;
    }

    static bool ExpandedIn(List<string> words, string part)
    {
        foreach (var w in words)
            if (w.Length > part.Length && w.StartsWith(part, StringComparison.Ordinal)) return true;
        return false;
    }
}
