namespace Amx.Data.Llm.Offline;

/// <summary>Splits identifiers into lower-case words: snake_case, kebab-case, camelCase, PascalCase, HTTPServer, line2, and
/// concatenated lower-case words (<c>modifieddate</c> → modified date, via <see cref="WordList"/>).</summary>
public static class NameWords
{
    public static List<string> Split(string name)
    {
        var words = new List<string>(4);
        // A word is always a run of the name's own characters: name[start..end), lowered in one allocation.
        var start = 0;
        void Flush(int end)
        {
            if (end > start)
            {
                var word = string.Create(end - start, (name, start), static (span, s) => s.name.AsSpan(s.start, span.Length).ToLowerInvariant(span));
                if (WordList.Segment(word) is { } pieces) words.AddRange(pieces);
                else words.Add(word);
            }
            start = end;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c)) { Flush(i); start = i + 1; continue; }
            if (i > start)
            {
                var prev = name[i - 1];
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var boundary =
                    (char.IsUpper(c) && char.IsLower(prev))                                  // firstName
                    || (char.IsUpper(c) && char.IsUpper(prev) && char.IsLower(next))       // HTTPServer
                    || (char.IsDigit(c) != char.IsDigit(prev));                             // line2, 2ndLine
                if (boundary) Flush(i);
            }
        }
        Flush(name.Length);
        return words;
    }
}
