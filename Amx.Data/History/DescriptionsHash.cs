using System.Security.Cryptography;
using System.Text;
using Amx.Data.History.Model;

namespace Amx.Data.History;

/// <summary>
/// The descriptions hash of docs/history-store.md: SHA-256 (lower-case hex) of the run's results in PostgreSQL
/// <c>COPY … TO STDOUT</c> text format (target_qname, target_kind, confidence, description), rows in UTF-8 byte order,
/// so a DBA gets the same digest with <c>psql -c "COPY (…ORDER BY target_qname COLLATE \"C\") TO STDOUT" | sha256sum</c>.
/// </summary>
public static class DescriptionsHash
{
    /// <summary>The digest of a run with no results (SHA-256 of no bytes).</summary>
    public static readonly string OfNothing = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    public static string Compute(IEnumerable<HistoryResult> results) =>
        Compute(results.Select(r => (r.TargetQname, (string?)r.TargetKind, r.Confidence, r.Description)));

    public static string Compute(IEnumerable<(string Qname, string? Kind, string? Confidence, string? Description)> rows)
    {
        var sorted = rows.ToList();
        if (!IsSorted(sorted)) sorted.Sort((a, b) => Utf8Order.Comparer.Compare(a.Qname, b.Qname));
        var hasher = new Hasher();
        foreach (var r in sorted) hasher.Add(r.Qname, r.Kind, r.Confidence, r.Description);
        return hasher.Finish();
    }

    /// <summary>
    /// The hash fed one row at a time, in UTF-8 order of the target name, so a million results stream through it
    /// (<c>history show --hash-only</c>) without being held. Reused buffers: no string and no byte array per row.
    /// </summary>
    public sealed class Hasher : IDisposable
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        readonly StringBuilder _sb = new();
        char[] _chars = new char[1024];
        byte[] _bytes = new byte[4096];

        public void Add(string qname, string? kind, string? confidence, string? description)
        {
            _sb.Clear();
            CopyText.Field(_sb, qname).Append('\t');
            CopyText.Field(_sb, kind).Append('\t');
            CopyText.Field(_sb, confidence).Append('\t');
            CopyText.Field(_sb, description).Append('\n');
            // A surrogate pair is never split: the line is encoded whole.
            if (_chars.Length < _sb.Length) _chars = new char[_sb.Length * 2];
            _sb.CopyTo(0, _chars, _sb.Length);
            var needed = Encoding.UTF8.GetMaxByteCount(_sb.Length);
            if (_bytes.Length < needed) _bytes = new byte[needed];
            var n = Encoding.UTF8.GetBytes(_chars, 0, _sb.Length, _bytes, 0);
            _hash.AppendData(_bytes, 0, n);
        }

        public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public void Dispose() => _hash.Dispose();
    }

    static bool IsSorted(List<(string Qname, string? Kind, string? Confidence, string? Description)> rows)
    {
        for (var i = 1; i < rows.Count; i++)
            if (Utf8Order.Comparer.Compare(rows[i - 1].Qname, rows[i].Qname) > 0) return false;
        return true;
    }
}
