using System.Text;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// Turns a definition read with <c>character_set_results = binary</c> into statement text without losing a byte:
/// the server prints a binary column's default as its raw bytes inside quotes, which are often not valid UTF-8
/// (<c>x'C328'</c>, <c>0xFF00</c>). Such a literal becomes a hex literal of exactly those bytes; everything else
/// is UTF-8 (the server's metadata character set) and is kept as printed.
/// </summary>
public static class MySqlBinaryText
{
    static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static string ToStatementText(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length + 16);
        var plainStart = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == (byte)'`')
            {
                i = SkipQuoted(bytes, i, (byte)'`', backslashEscapes: false);
                continue;
            }
            if (b != (byte)'\'') { i++; continue; }
            var end = SkipQuoted(bytes, i, (byte)'\'', backslashEscapes: true);
            var raw = bytes.AsSpan(i, end - i);
            if (!IsUtf8(raw))
            {
                sb.Append(Decode(bytes.AsSpan(plainStart, i - plainStart)));
                sb.Append("X'").Append(Convert.ToHexString(Unescape(raw[1..^1]))).Append('\'');
                plainStart = end;
            }
            i = end;
        }
        sb.Append(Decode(bytes.AsSpan(plainStart)));
        return sb.ToString();
    }

    /// <summary>A value read binary: its text when it is valid UTF-8, else 0x + hex (so comparisons see every byte).</summary>
    public static string Show(byte[] bytes) => IsUtf8(bytes) ? Encoding.UTF8.GetString(bytes) : "0x" + Convert.ToHexString(bytes);

    static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try { StrictUtf8.GetCharCount(bytes); return true; }
        catch (DecoderFallbackException) { return false; }
    }

    // Only reached for valid UTF-8 spans (invalid literals were cut out), but stays lossless-safe anyway.
    static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The index just past the closing quote (a doubled quote stays inside; backslash escapes the next byte).</summary>
    static int SkipQuoted(byte[] s, int start, byte quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < s.Length)
        {
            if (backslashEscapes && s[i] == (byte)'\\' && i + 1 < s.Length) { i += 2; continue; }
            if (s[i] == quote)
            {
                if (i + 1 < s.Length && s[i + 1] == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return s.Length;
    }

    /// <summary>The bytes a MySQL string literal's body stands for (backslash escapes and doubled quotes resolved).</summary>
    public static byte[] Unescape(ReadOnlySpan<byte> body)
    {
        var result = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (b == (byte)'\'' && i + 1 < body.Length && body[i + 1] == (byte)'\'') { result.Add(b); i++; continue; }
            if (b != (byte)'\\' || i + 1 >= body.Length) { result.Add(b); continue; }
            var e = body[++i];
            result.Add(e switch
            {
                (byte)'0' => 0,
                (byte)'b' => 8,
                (byte)'n' => 10,
                (byte)'r' => 13,
                (byte)'t' => 9,
                (byte)'Z' => 26,
                _ => e, // \\ \' \" and any other character stand for themselves
            });
        }
        return result.ToArray();
    }
}
