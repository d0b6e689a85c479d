using System.Security.Cryptography;
using System.Text;
using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History;

/// <summary>
/// The descriptions hash of docs/history-store.md: SHA-256 (lower-case hex) of the run's results in PostgreSQL
/// <c>COPY … TO STDOUT</c> text format (target_qname, target_kind, confidence, description), rows in UTF-8 byte order,
/// so a DBA gets the same digest with <c>psql -c "COPY (…ORDER BY target_qname COLLATE \"C\") TO STDOUT" | sha256sum</c>.
/// </summary>
public static class DescriptionsHash
{
    public static string Compute(IEnumerable<HistoryResult> results) =>
        Compute(results.Select(r => (r.TargetQname, (string?)r.TargetKind, r.Confidence, r.Description)));

    public static string Compute(IEnumerable<(string Qname, string? Kind, string? Confidence, string? Description)> rows)
    {
        var sorted = rows.ToList();
        if (!IsSorted(sorted)) sorted.Sort((a, b) => Utf8Order.Comparer.Compare(a.Qname, b.Qname));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sb = new StringBuilder();
        var chars = new char[1024];
        var bytes = new byte[4096];
        foreach (var r in sorted)
        {
            sb.Clear();
            Field(sb, r.Qname).Append('\t');
            Field(sb, r.Kind).Append('\t');
            Field(sb, r.Confidence).Append('\t');
            Field(sb, r.Description).Append('\n');
            // Reused buffers: no string and no byte array per row (a surrogate pair is never split: the line is encoded whole).
            if (chars.Length < sb.Length) chars = new char[sb.Length * 2];
            sb.CopyTo(0, chars, sb.Length);
            var needed = Encoding.UTF8.GetMaxByteCount(sb.Length);
            if (bytes.Length < needed) bytes = new byte[needed];
            var n = Encoding.UTF8.GetBytes(chars, 0, sb.Length, bytes, 0);
            hash.AppendData(bytes, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Reads only the four hashed columns of the run from the store.</summary>
    public static async Task<string> ComputeAsync(HistoryStore store, string runId, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var rows = await db.Results.AsNoTracking().Where(r => r.RunId == runId)
            .Select(r => new { r.TargetQname, r.TargetKind, r.Confidence, r.Description }).ToListAsync(ct);
        return Compute(rows.Select(r => (r.TargetQname, (string?)r.TargetKind, r.Confidence, r.Description)));
    }

    static bool IsSorted(List<(string Qname, string? Kind, string? Confidence, string? Description)> rows)
    {
        for (var i = 1; i < rows.Count; i++)
            if (Utf8Order.Comparer.Compare(rows[i - 1].Qname, rows[i].Qname) > 0) return false;
        return true;
    }

    static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create("\\\b\f\n\r\t\v");

    /// <summary>One value in COPY text format: \N for NULL; backslash and BS, FF, LF, CR, TAB, VT escaped.</summary>
    static StringBuilder Field(StringBuilder sb, string? value)
    {
        if (value is null) return sb.Append("\\N");
        if (value.AsSpan().IndexOfAny(Escaped) < 0) return sb.Append(value); // the common case: nothing to escape
        foreach (var c in value)
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default: sb.Append(c); break;
            }
        return sb;
    }
}
