using Amx.Data.History.Model;

namespace Amx.Data.History;

/// <summary>One row of <c>history compare</c>: a target and each run's description.</summary>
public sealed record ComparisonRow(string Target, string? Left, string? Right, string Status);

/// <summary>
/// Pairs two runs' results by target_qname (docs/history-store.md): <c>same</c>, <c>diff</c>, or <c>&lt;who&gt; added</c>
/// when only that side has a description.
/// </summary>
public static class RunComparison
{
    public const string Same = "same";
    public const string Diff = "diff";

    public static IEnumerable<ComparisonRow> Compare(HistoryRun left, IEnumerable<HistoryResult> leftResults,
        HistoryRun right, IEnumerable<HistoryResult> rightResults, string? filter = null) =>
        Compare(left, leftResults.Select(r => (r.TargetQname, r.Description)), right, rightResults.Select(r => (r.TargetQname, r.Description)), filter);

    public static IEnumerable<ComparisonRow> Compare(HistoryRun left, IEnumerable<(string Target, string? Description)> leftResults,
        HistoryRun right, IEnumerable<(string Target, string? Description)> rightResults, string? filter = null)
    {
        var l = leftResults.Where(r => Matches(r.Target, filter)).ToDictionary(r => r.Target, r => r.Description, StringComparer.Ordinal);
        var r = rightResults.Where(x => Matches(x.Target, filter)).ToDictionary(x => x.Target, x => x.Description, StringComparer.Ordinal);
        foreach (var target in l.Keys.Union(r.Keys).Order(Utf8Order.Comparer))
        {
            var a = l.GetValueOrDefault(target);
            var b = r.GetValueOrDefault(target);
            var status = (a, b) switch
            {
                (null, null) => Same,
                (not null, null) => $"{left.Who} added",
                (null, not null) => $"{right.Who} added",
                _ => string.Equals(a, b, StringComparison.Ordinal) ? Same : Diff,
            };
            yield return new ComparisonRow(target, a, b, status);
        }
    }

    static bool Matches(string target, string? filter) =>
        string.IsNullOrEmpty(filter) || target.StartsWith(filter, StringComparison.Ordinal);
}

/// <summary>
/// Orders strings by their UTF-8 bytes (= code point order), the order of the descriptions hash. UTF-16 ordinal order
/// differs only where a surrogate (U+D800–DFFF) meets U+E000–FFFF: surrogates encode code points above U+FFFF, so they
/// must sort after; the first differing char pair is fixed up that way, everything else is a plain ordinal compare.
/// </summary>
public sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Comparer = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length) return x.Length.CompareTo(y.Length);
        return CodePointRank(x[common]).CompareTo(CodePointRank(y[common]));
    }

    static int CodePointRank(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
