using System.Text;

namespace Amx.Data.Llm.Chat;

/// <summary>
/// What we do to a drafted text before keeping it. An LLM answer is data: it is stored and later written as a
/// comment through a parameterised value, never executed. We still normalise it so it prints and round-trips
/// cleanly (CSV/YAML export, terminals): runs of white space (incl. newlines and tabs) become one space, other
/// control and format characters are dropped, the ends are trimmed. Nothing else is changed.
/// Empty results and texts longer than <see cref="DrafterOptions.MaxDescriptionLength"/> are rejected.
/// </summary>
public static class DescriptionText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (IsClean(text)) return text;
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c)) { pendingSpace = sb.Length > 0; continue; }
            var cat = char.GetUnicodeCategory(c);
            if (cat is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format) continue;
            if (pendingSpace) { sb.Append(' '); pendingSpace = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>True when <see cref="Clean"/> would give the text back unchanged: single spaces between words only, no
    /// other whitespace, no control or format character (every offline draft; most LLM ones).</summary>
    static bool IsClean(string text)
    {
        if (text[0] == ' ' || text[^1] == ' ') return false;
        var prevSpace = false;
        foreach (var c in text)
        {
            if (c == ' ')
            {
                if (prevSpace) return false;
                prevSpace = true;
                continue;
            }
            prevSpace = false;
            if (c < 0x7F ? c < 0x20 : char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control
                    or System.Globalization.UnicodeCategory.Format) return false;
        }
        return true;
    }

    /// <summary>Null when acceptable, else the reason.</summary>
    public static string? Problem(string cleaned, int maxLength) =>
        cleaned.Length == 0 ? "empty description"
        : cleaned.Length > maxLength ? $"description longer than {maxLength} characters"
        : null;
}
