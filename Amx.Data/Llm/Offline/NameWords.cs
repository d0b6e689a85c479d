using System.Text;

namespace Amx.Data.Llm.Offline;

/// <summary>Splits identifiers into lower-case words: snake_case, kebab-case, camelCase, PascalCase, HTTPServer, line2, and
/// concatenated lower-case words (<c>modifieddate</c> → modified date, via <see cref="WordList"/>).</summary>
public static class NameWords
{
    public static List<string> Split(string name)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        void Flush()
        {
            if (sb.Length == 0) return;
            var word = sb.ToString().ToLowerInvariant();
            sb.Clear();
            if (WordList.Segment(word) is { } pieces) words.AddRange(pieces);
            else words.Add(word);
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c)) { Flush(); continue; }
            if (sb.Length > 0)
            {
                var prev = name[i - 1];
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var boundary =
                    (char.IsUpper(c) && char.IsLower(prev))                                  // firstName
                    || (char.IsUpper(c) && char.IsUpper(prev) && char.IsLower(next))       // HTTPServer
                    || (char.IsDigit(c) != char.IsDigit(prev));                             // line2, 2ndLine
                if (boundary) Flush();
            }
            sb.Append(c);
        }
        Flush();
        return words;
    }
}
