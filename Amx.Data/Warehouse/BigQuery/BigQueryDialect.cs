using System.Globalization;
using System.Text;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>
/// GoogleSQL (BigQuery): backtick-quoted identifiers in which a backslash escapes, string literals with C-style
/// escapes. The schema is a dataset; tables are named <c>`project`.`dataset`.`table`</c> when the project is known.
/// Limits (BigQuery quotas page): a table or view description holds at most 16,384 characters, a column
/// description at most 1,024.
/// </summary>
public sealed class BigQueryDialect : WarehouseDialect
{
    public static readonly BigQueryDialect Instance = new();

    public const int MaxTableDescription = 16_384, MaxColumnDescription = 1_024;

    public override string BackendName => "BigQuery";
    public override string QuoteIdentifier(string name) => "`" + Escape(name, '`') + "`";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    public override int? MaxTableCommentLength => MaxTableDescription;
    public override int? MaxColumnCommentLength => MaxColumnDescription;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["INFORMATION_SCHEMA"];

    /// <summary><c>`project`.`dataset`.`table`</c>, or <c>`dataset`.`table`</c> (the job's project) without a project.</summary>
    public string QuoteTable(string? project, QualifiedName name) =>
        (string.IsNullOrEmpty(project) ? "" : QuoteIdentifier(project) + ".") + QuoteTable(name);

    /// <summary>
    /// A single-quoted string literal. GoogleSQL literals read backslash escapes and may not hold a raw newline
    /// (outside triple quotes), so <c>\</c> and <c>'</c> are escaped with a backslash and every control character
    /// becomes <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>. Everything else (quotes, backticks, emoji) is kept as is.
    /// </summary>
    public static string Literal(string text)
    {
        if (text.Contains('\0')) throw new ArgumentException("BigQuery descriptions cannot contain NUL");
        return "'" + Escape(text, '\'') + "'";
    }

    static string Escape(string text, char quote)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (char.IsControl(c)) sb.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Reads a GoogleSQL string literal as <c>INFORMATION_SCHEMA.TABLE_OPTIONS.option_value</c> shows a description:
    /// single, double or triple quotes, an optional <c>r</c> (raw) prefix, and the escapes \a \b \f \n \r \t \v \\ \?
    /// \" \' \` \ooo \xhh \uhhhh \Uhhhhhhhh. Throws <see cref="FormatException"/> on anything else.
    /// </summary>
    public static string ParseLiteral(string literal)
    {
        var s = literal.Trim();
        var raw = s.Length > 0 && s[0] is 'r' or 'R';
        if (raw) s = s[1..];
        if (s.Length < 2 || s[0] is not ('\'' or '"')) throw new FormatException("not a string literal");
        var delimiter = s.Length >= 6 && s[1] == s[0] && s[2] == s[0] ? new string(s[0], 3) : s[0].ToString();
        if (!s.EndsWith(delimiter, StringComparison.Ordinal) || s.Length < 2 * delimiter.Length) throw new FormatException("unterminated string literal");
        var body = s[delimiter.Length..^delimiter.Length];
        if (raw) return body;
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= body.Length) throw new FormatException("a literal ends with a backslash");
            var e = body[i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '?' or '"' or '\'' or '`': sb.Append(e); break;
                case 'x' or 'X': sb.Append((char)Hex(body, ref i, 2)); break;
                case 'u': sb.Append((char)Hex(body, ref i, 4)); break;
                case 'U': sb.Append(char.ConvertFromUtf32(Hex(body, ref i, 8))); break;
                case >= '0' and <= '7':
                    if (i + 2 >= body.Length) throw new FormatException("an octal escape needs three digits");
                    sb.Append((char)Convert.ToInt32(body.Substring(i, 3), 8));
                    i += 2;
                    break;
                default: throw new FormatException($"unknown escape \\{e}");
            }
        }
        return sb.ToString();
    }

    static int Hex(string body, ref int i, int digits)
    {
        if (i + digits >= body.Length) throw new FormatException("a hex escape is cut short");
        var value = int.Parse(body.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        i += digits;
        return value;
    }
}
