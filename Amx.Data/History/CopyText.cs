using System.Buffers;
using System.Globalization;
using System.Text;

namespace Amx.Data.History;

/// <summary>
/// PostgreSQL's <c>COPY</c> text format: the one text both the descriptions hash is defined over and the shared
/// store's bulk insert sends (a row is a line, values split by TAB, <c>\N</c> for NULL).
/// </summary>
public static class CopyText
{
    static readonly SearchValues<char> Escaped = SearchValues.Create("\\\b\f\n\r\t\v");

    /// <summary>One value: <c>\N</c> for NULL; backslash and BS, FF, LF, CR, TAB, VT escaped, so no value can end a
    /// line, split a row or read as the end-of-data marker.</summary>
    public static StringBuilder Field(StringBuilder sb, string? value)
    {
        if (value is null) return sb.Append("\\N");
        var span = value.AsSpan();
        while (true)
        {
            var at = span.IndexOfAny(Escaped);
            if (at < 0) return sb.Append(span); // the common case: nothing (more) to escape
            sb.Append(span[..at]).Append(span[at] switch
            {
                '\\' => "\\\\", '\b' => "\\b", '\f' => "\\f", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => "\\v",
            });
            span = span[(at + 1)..];
        }
    }

    /// <summary>A <c>timestamptz</c> value in UTC, to the microsecond (the column's own precision).</summary>
    public static StringBuilder Field(StringBuilder sb, DateTime? value)
    {
        if (value is null) return sb.Append("\\N");
        var utc = value.Value.Kind == DateTimeKind.Local ? value.Value.ToUniversalTime() : value.Value;
        return sb.Append(utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append("+00");
    }

    public static StringBuilder Field(StringBuilder sb, bool value) => sb.Append(value ? 't' : 'f');
}
