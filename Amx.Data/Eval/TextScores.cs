using System.Text;

namespace Amx.Data.Eval;

/// <summary>
/// Lexical agreement between a draft and the human comment (docs/drafting-quality.md, "Scores"). Tokenizer: Unicode
/// NFKC, lower case (invariant), tokens are maximal runs of letters or digits; everything else separates; no stop
/// words removed, no stemming. Token-F1 counts the multiset overlap; ROUGE-L is the F-measure (β = 1) of the longest
/// common token subsequence. Both are 1 for identical token lists and 0 when either side has no token.
/// </summary>
public static class TextScores
{
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text)) return tokens;
        var sb = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (sb.Length > 0) { tokens.Add(sb.ToString()); sb.Clear(); }
        }
        if (sb.Length > 0) tokens.Add(sb.ToString());
        return tokens;
    }

    public static double TokenF1(string? candidate, string? reference) => TokenF1(Tokenize(candidate), Tokenize(reference));

    public static double TokenF1(IReadOnlyList<string> candidate, IReadOnlyList<string> reference)
    {
        if (candidate.Count == 0 || reference.Count == 0) return 0;
        var counts = reference.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var overlap = 0;
        foreach (var t in candidate)
            if (counts.TryGetValue(t, out var n) && n > 0) { overlap++; counts[t] = n - 1; }
        if (overlap == 0) return 0;
        double p = (double)overlap / candidate.Count, r = (double)overlap / reference.Count;
        return 2 * p * r / (p + r);
    }

    public static double RougeL(string? candidate, string? reference) => RougeL(Tokenize(candidate), Tokenize(reference));

    public static double RougeL(IReadOnlyList<string> candidate, IReadOnlyList<string> reference)
    {
        if (candidate.Count == 0 || reference.Count == 0) return 0;
        // Two rows of the LCS table are enough.
        var prev = new int[reference.Count + 1];
        var cur = new int[reference.Count + 1];
        for (var i = 1; i <= candidate.Count; i++)
        {
            for (var j = 1; j <= reference.Count; j++)
                cur[j] = string.Equals(candidate[i - 1], reference[j - 1], StringComparison.Ordinal)
                    ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            (prev, cur) = (cur, prev);
        }
        var lcs = prev[reference.Count];
        if (lcs == 0) return 0;
        double p = (double)lcs / candidate.Count, r = (double)lcs / reference.Count;
        return 2 * p * r / (p + r);
    }
}
