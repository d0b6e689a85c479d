using Amx.Data.History.Model;

namespace Amx.Data.History;

/// <summary>One row of <c>history compare</c>: a target and each run's description.</summary>
public sealed record ComparisonRow(string Target, string? Left, string? Right, string Status);

/// <summary>
/// Pairs two runs' results by target_qname (DESIGN.md §4): <c>same</c>, <c>diff</c>, or <c>&lt;who&gt; added</c>
/// when only that side has a description.
/// </summary>
public static class RunComparison
{
    public const string Same = "same";
    public const string Diff = "diff";

    public static IEnumerable<ComparisonRow> Compare(HistoryRun left, IEnumerable<HistoryResult> leftResults,
        HistoryRun right, IEnumerable<HistoryResult> rightResults, string? filter = null)
    {
        var l = leftResults.Where(r => Matches(r, filter)).ToDictionary(r => r.TargetQname, r => r.Description, StringComparer.Ordinal);
        var r = rightResults.Where(x => Matches(x, filter)).ToDictionary(x => x.TargetQname, x => x.Description, StringComparer.Ordinal);
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

    static bool Matches(HistoryResult r, string? filter) =>
        string.IsNullOrEmpty(filter) || r.TargetQname.StartsWith(filter, StringComparison.Ordinal);
}

/// <summary>Orders strings by their UTF-8 bytes (code point order), the order of the descriptions hash.</summary>
public sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Comparer = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var ex = x.EnumerateRunes();
        var ey = y.EnumerateRunes();
        while (true)
        {
            var hx = ex.MoveNext();
            var hy = ey.MoveNext();
            if (!hx || !hy) return hx == hy ? 0 : hx ? 1 : -1;
            var c = ex.Current.Value.CompareTo(ey.Current.Value);
            if (c != 0) return c;
        }
    }
}
