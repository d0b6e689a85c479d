using System.Text;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// A column's definition as <c>SHOW CREATE TABLE</c> prints it (type, charset/collation, default, ON UPDATE,
/// AUTO_INCREMENT, generated expression, nullability, INVISIBLE, CHECK …), with its COMMENT clause cut out, so
/// <c>MODIFY COLUMN</c> can restate it unchanged apart from the comment.
/// </summary>
public sealed record MySqlColumnDefinition(string Column, string Head, string Tail)
{
    /// <summary>The definition with no COMMENT clause.</summary>
    public string DefinitionWithoutComment => (Head + " " + Tail).Trim();

    /// <summary>
    /// The definition with <c>COMMENT literal</c> where the old one stood, else before a column CHECK (which must
    /// come last), else at the end; null literal = no comment.
    /// </summary>
    public string WithComment(string? literal) =>
        literal is null ? DefinitionWithoutComment : (Head + " COMMENT " + literal + " " + Tail).Trim();

    /// <summary>
    /// The definition with an SRID attribute (<c>REF_SYSTEM_ID=n</c> / <c>SRID n</c>) right after the type, unless it
    /// already carries one: MariaDB's <c>SHOW CREATE TABLE</c> leaves it out although the column has it.
    /// </summary>
    public MySqlColumnDefinition WithSrid(string keyword, string clause)
    {
        var tokens = Tokenize(Head);
        if (tokens.Any(t => t.Kind == TokenKind.Word && t.Value.Equals(keyword, StringComparison.OrdinalIgnoreCase)) || tokens.Count < 2)
            return this;
        var at = tokens[1].End;
        if (tokens.Count > 2 && tokens[2] is { Kind: TokenKind.Symbol, Value: "(" })
            at = tokens.Skip(2).First(t => t is { Kind: TokenKind.Symbol, Value: ")" }).End;
        return this with { Head = Head[..at] + " " + clause + Head[at..] };
    }

    /// <summary>A definition line with every <c>COMMENT 'x'</c> / <c>COMMENT='x'</c> cut out (for comparing definitions).</summary>
    public static string WithoutComments(string line)
    {
        var tokens = Tokenize(line);
        var sb = new StringBuilder();
        var from = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != TokenKind.Word || !tokens[i].Value.Equals("COMMENT", StringComparison.OrdinalIgnoreCase)) continue;
            var j = i + 1;
            if (j < tokens.Count && tokens[j] is { Kind: TokenKind.Symbol, Value: "=" }) j++;
            if (j >= tokens.Count || tokens[j].Kind != TokenKind.String) continue;
            sb.Append(line, from, tokens[i].Start - from);
            from = tokens[j].End;
            i = j;
        }
        sb.Append(line, from, line.Length - from);
        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).TrimEnd(',', ' ');
    }

    /// <summary>The quoted column name a definition line starts with, or null for other lines (keys, options).</summary>
    public static string? ColumnOf(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] != '`') return null;
        var tokens = Tokenize(trimmed);
        return tokens.Count > 0 && tokens[0].Kind == TokenKind.Identifier ? tokens[0].Value : null;
    }

    /// <summary>Finds the column's line in a <c>SHOW CREATE TABLE</c> text; null when the column is not there.</summary>
    public static MySqlColumnDefinition? FromCreateTable(string createTable, string column)
    {
        // Called once per column of a table: lines that cannot name this column are skipped without tokenizing them.
        var backticked = "`" + column.Replace("`", "``") + "`";
        foreach (var raw in createTable.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || (line[0] != '`' && line[0] != '"')) continue;
            if (line[0] == '`' && !line.StartsWith(backticked, StringComparison.Ordinal)) continue;
            var tokens = Tokenize(line);
            if (tokens.Count == 0 || tokens[0].Kind != TokenKind.Identifier || tokens[0].Value != column) continue;
            if (line.EndsWith(',')) line = line[..^1];
            var (head, tail) = SplitAtComment(line, Tokenize(line));
            return new MySqlColumnDefinition(column, head, tail);
        }
        return null;
    }

    static (string Head, string Tail) SplitAtComment(string line, List<Token> tokens)
    {
        var depth = 0;
        int? check = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Symbol) depth += t.Value == "(" ? 1 : t.Value == ")" ? -1 : 0;
            if (depth != 0 || t.Kind != TokenKind.Word) continue;
            if (t.Value.Equals("COMMENT", StringComparison.OrdinalIgnoreCase) && i + 1 < tokens.Count && tokens[i + 1].Kind == TokenKind.String)
                return (line[..t.Start].Trim(), line[tokens[i + 1].End..].Trim());
            if (t.Value.Equals("CHECK", StringComparison.OrdinalIgnoreCase)) check ??= t.Start;
        }
        return check is { } at ? (line[..at].Trim(), line[at..].Trim()) : (line.Trim(), "");
    }

    enum TokenKind { Identifier, String, Word, Symbol }

    readonly record struct Token(TokenKind Kind, string Value, int Start, int End);

    /// <summary>Enough of MySQL's lexer for one definition line: quoted identifiers, string literals, words, symbols.</summary>
    static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (c is '`' or '"' or '\'')
            {
                var sb = new StringBuilder();
                i++;
                while (i < s.Length)
                {
                    if (s[i] == '\\' && c != '`' && i + 1 < s.Length) { sb.Append(s[i + 1]); i += 2; continue; }
                    if (s[i] == c)
                    {
                        if (i + 1 < s.Length && s[i + 1] == c) { sb.Append(c); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                tokens.Add(new Token(c == '\'' ? TokenKind.String : TokenKind.Identifier, sb.ToString(), start, i));
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '$')) i++;
                tokens.Add(new Token(TokenKind.Word, s[start..i], start, i));
            }
            else
            {
                i++;
                tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start, i));
            }
        }
        return tokens;
    }
}
