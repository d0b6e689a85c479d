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

    /// <summary>Finds the column's line in a <c>SHOW CREATE TABLE</c> text; null when the column is not there.</summary>
    public static MySqlColumnDefinition? FromCreateTable(string createTable, string column)
    {
        foreach (var raw in createTable.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || (line[0] != '`' && line[0] != '"')) continue;
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
