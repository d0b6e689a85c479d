using System.Text;

namespace Amx.Data.Warehouse;

/// <summary>
/// The <c>target_qname</c> of docs/history-store.md: <c>schema.table[.column]</c> with names exactly as the catalog spells
/// them; a part containing <c>.</c>, <c>"</c> or white space is double-quoted with inner quotes doubled.
/// </summary>
public readonly record struct QualifiedName(string Schema, string Table, string? Column = null)
{
    public bool IsColumn => Column is not null;

    public QualifiedName TableName => new(Schema, Table);

    public override string ToString()
    {
        // The common case, three plain parts, in one allocation (every draft of a million-column run is named here).
        if (!NeedsQuotes(Schema) && !NeedsQuotes(Table) && (Column is null || !NeedsQuotes(Column)))
            return Column is null ? string.Concat(Schema, ".", Table) : string.Concat(Schema, ".", Table, ".", Column);
        var sb = new StringBuilder();
        Append(sb, Schema);
        sb.Append('.');
        Append(sb, Table);
        if (Column is not null) { sb.Append('.'); Append(sb, Column); }
        return sb.ToString();
    }

    static void Append(StringBuilder sb, string part)
    {
        if (NeedsQuotes(part)) sb.Append('"').Append(part.Replace("\"", "\"\"")).Append('"');
        else sb.Append(part);
    }

    static bool NeedsQuotes(string part)
    {
        if (part.Length == 0) return true;
        foreach (var c in part)
            if (c == '.' || c == '"' || char.IsWhiteSpace(c)) return true;
        return false;
    }

    /// <summary>Parses a qname or a scope (1 to 3 parts); returns false on malformed quoting.</summary>
    public static bool TryParseParts(string text, out List<string> parts)
    {
        parts = [];
        var i = 0;
        while (i <= text.Length)
        {
            var sb = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) return false;
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(text[i++]);
                }
                if (i < text.Length && text[i] != '.') return false;
            }
            else
            {
                while (i < text.Length && text[i] != '.') sb.Append(text[i++]);
                if (sb.Length == 0) return false;
            }
            parts.Add(sb.ToString());
            if (i >= text.Length) break;
            i++; // skip '.'
            if (i == text.Length) return false; // trailing dot
        }
        return parts.Count is >= 1 and <= 3;
    }

    public static QualifiedName Parse(string text)
    {
        if (!TryParseParts(text, out var p) || p.Count < 2)
            throw new FormatException($"'{text}' is not a qualified name (schema.table or schema.table.column)");
        return new QualifiedName(p[0], p[1], p.Count == 3 ? p[2] : null);
    }
}
