namespace Amx.Tool.Output;

/// <summary>A GitHub-flavoured markdown table; pipes and line breaks inside cells are escaped.</summary>
public sealed class MarkdownFormatter : IOutputFormatter
{
    public void Write(TextWriter writer, OutputTable table)
    {
        writer.WriteLine("| " + string.Join(" | ", table.Columns.Select(Escape)) + " |");
        writer.WriteLine("|" + string.Concat(table.Columns.Select(_ => "---|")));
        foreach (var row in table.Rows) writer.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        foreach (var line in table.Footer) { writer.WriteLine(); writer.WriteLine(line); }
    }

    public static string Escape(string? cell) =>
        (cell ?? "").Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r\n", "<br>").Replace("\n", "<br>");
}
