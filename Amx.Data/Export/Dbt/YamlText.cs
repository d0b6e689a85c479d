using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Amx.Data.Export.Dbt;

/// <summary>
/// Writes a description (untrusted text) as a YAML scalar that reads back as exactly that text: plain when nothing
/// in it can mean anything else, a literal block (<c>|-</c>) for multi-line text in block context, else double-quoted
/// with escapes. An existing quoted value keeps its quoting style where the text allows.
/// </summary>
public static partial class YamlText
{
    static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        { "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~" };

    /// <param name="indent">Spaces before the block's content lines (literal blocks only).</param>
    /// <param name="flow">Inside a flow collection: no plain text with commas or brackets, no block scalars.</param>
    /// <param name="preferred">The style of the value being replaced, if any.</param>
    public static string Scalar(string value, int indent, string newline, bool flow, ScalarStyle? preferred = null)
    {
        var multiLine = value.Contains('\n');
        if (!multiLine && preferred == ScalarStyle.SingleQuoted && Printable(value))
            return "'" + value.Replace("'", "''") + "'";
        if (!multiLine && preferred == ScalarStyle.DoubleQuoted) return DoubleQuoted(value);
        if (!multiLine && Plain(value) && !(flow && value.Contains(','))) return value;
        if (multiLine && !flow && LiteralBlockFits(value))
        {
            var sb = new StringBuilder("|-");
            foreach (var line in value.Split('\n'))
            {
                sb.Append(newline);
                if (line.Length > 0) sb.Append(' ', indent).Append(line);
            }
            return sb.ToString();
        }
        return DoubleQuoted(value);
    }

    /// <summary>A plain scalar: starts with a letter, holds no indicator that could start a comment, a mapping, an
    /// anchor or a flow collection, and is not a word YAML reads as a boolean or null.</summary>
    public static bool Plain(string value) => PlainPattern().IsMatch(value) && !Reserved.Contains(value);

    static bool Printable(string value) => value.All(c => c == '\t' || !(char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF'));

    /// <summary>A literal block keeps every character as is; it cannot carry control characters or a carriage return,
    /// and leading or trailing line breaks or a first line starting with a space would need indicators.</summary>
    static bool LiteralBlockFits(string value) =>
        Printable(value.Replace("\n", "")) && !value.Contains('\r') && !value.Contains('\t') &&
        !value.StartsWith('\n') && !value.EndsWith('\n') && !value.StartsWith(' ') && !value.EndsWith(' ');

    public static string DoubleQuoted(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF')
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        return sb.Append('"').ToString();
    }

    // Letters, digits, spaces and harmless punctuation (a comma only outside flow collections); no ':' '#' brackets,
    // no quote first, no trailing space.
    [GeneratedRegex(@"^[\p{L}][\p{L}\p{N} .,()/%'_;+=\-]*(?<! )$")]
    private static partial Regex PlainPattern();
}
