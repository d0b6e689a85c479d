using System.Text;
using Spectre.Console.Rendering;

namespace Amx.Tool.Output;

/// <summary>
/// Aligned plain text for large tables (a run's 100,000 results): Spectre lays out every cell in memory before the
/// first byte is written, which costs tens of seconds and gigabytes at that size. One pass measures the columns,
/// the second writes row by row. Cells stay on one line (control characters become spaces); a column is padded to
/// at most <see cref="MaxPad"/> cells, longer texts are written whole and push the rest of their row right.
/// </summary>
public sealed class PlainTableFormatter : IOutputFormatter
{
    const int MaxPad = 60;
    const string Gap = "  ";

    public void Write(TextWriter writer, OutputTable table)
    {
        var widths = Measure(table.Columns, table.Rows);
        var line = new StringBuilder();
        WriteRow(writer, line, table.Columns, widths);
        foreach (var row in table.Rows) WriteRow(writer, line, row, widths);
        foreach (var footer in table.Footer) writer.WriteLine(footer);
    }

    /// <summary>Column widths for these rows (each at most <see cref="MaxPad"/>); a streamed table measures its first rows only.</summary>
    public static int[] Measure(IReadOnlyList<string> columns, IEnumerable<string?[]> rows)
    {
        var n = columns.Count;
        var widths = columns.Select(c => Width(c)).ToArray();
        foreach (var row in rows)
            for (var i = 0; i < n; i++)
                if (row[i] is { Length: > 0 } cell && widths[i] < MaxPad)
                    widths[i] = Math.Max(widths[i], Math.Min(MaxPad, Width(OneLine(cell))));
        return widths;
    }

    public static void WriteRow(TextWriter writer, StringBuilder line, IReadOnlyList<string?> cells, int[] widths)
    {
        line.Clear();
        for (var i = 0; i < cells.Count; i++)
        {
            var text = OneLine(cells[i] ?? "");
            line.Append(text);
            if (i < cells.Count - 1) line.Append(' ', Math.Max(0, widths[i] - Width(text))).Append(Gap);
        }
        writer.WriteLine(line.ToString().TrimEnd());
    }

    /// <summary>Terminal cells the text takes (wide CJK and emoji count two), as Spectre measures them.</summary>
    static int Width(string text)
    {
        // Latin text below the combining marks (U+0300) is one cell per char: skip Spectre's per-rune lookup.
        foreach (var c in text)
            if (c >= '\u0300') return new Segment(text).CellCount();
        return text.Length;
    }

    static string OneLine(string text)
    {
        foreach (var c in text)
            if (char.IsControl(c)) return string.Create(text.Length, text, (span, t) => { for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? ' ' : t[i]; });
        return text;
    }
}
