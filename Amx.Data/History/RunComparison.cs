using System.Runtime.CompilerServices;
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
            yield return Row($"{left.Who} added", $"{right.Who} added", target, l.GetValueOrDefault(target), r.GetValueOrDefault(target));
    }

    /// <summary>
    /// The same rows as <see cref="Compare(HistoryRun, IEnumerable{ValueTuple{string, string}}, HistoryRun, IEnumerable{ValueTuple{string, string}}, string?)"/>,
    /// as a merge join of two cursors that are each in UTF-8 byte order (<see cref="HistoryReader.OrderedDescriptionsAsync"/>):
    /// one row of each side in memory, whatever the runs' size.
    /// </summary>
    public static async IAsyncEnumerable<ComparisonRow> MergeAsync(HistoryRun left, IAsyncEnumerable<(string Target, string? Description)> leftRows,
        HistoryRun right, IAsyncEnumerable<(string Target, string? Description)> rightRows, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string leftAdded = $"{left.Who} added", rightAdded = $"{right.Who} added";
        await using var l = leftRows.GetAsyncEnumerator(ct);
        await using var r = rightRows.GetAsyncEnumerator(ct);
        var hasL = await l.MoveNextAsync();
        var hasR = await r.MoveNextAsync();
        while (hasL || hasR)
        {
            var c = !hasL ? 1 : !hasR ? -1 : Utf8Order.Comparer.Compare(l.Current.Target, r.Current.Target);
            if (c < 0) yield return Row(leftAdded, rightAdded, l.Current.Target, l.Current.Description, null);
            else if (c > 0) yield return Row(leftAdded, rightAdded, r.Current.Target, null, r.Current.Description);
            else yield return Row(leftAdded, rightAdded, l.Current.Target, l.Current.Description, r.Current.Description);
            if (c <= 0) hasL = await l.MoveNextAsync();
            if (c >= 0) hasR = await r.MoveNextAsync();
        }
    }

    static ComparisonRow Row(string leftAdded, string rightAdded, string target, string? a, string? b) => new(target, a, b, (a, b) switch
    {
        (null, null) => Same,
        (not null, null) => leftAdded,
        (null, not null) => rightAdded,
        _ => string.Equals(a, b, StringComparison.Ordinal) ? Same : Diff,
    });

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

/// <summary>A store handed rows back out of UTF-8 byte order (a collation that is not what <c>ByteOrder</c> promised).</summary>
public sealed class ByteOrderException(string previous, string next)
    : Exception($"the history store returned '{next}' after '{previous}', which is not UTF-8 byte order");
