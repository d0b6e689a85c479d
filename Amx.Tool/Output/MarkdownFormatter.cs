namespace Amx.Tool.Output;

/// <summary>A GitHub-flavoured markdown table; pipes and line breaks inside cells are escaped.</summary>
public sealed class MarkdownFormatter : IOutputFormatter
{
    public void Write(TextWriter writer, OutputTable table)
    {
        WriteHeader(writer, table.Columns);
        foreach (var row in table.Rows) WriteRow(writer, row);
        foreach (var line in table.Footer) { writer.WriteLine(); writer.WriteLine(line); }
    }

    /// <summary>The header line and its rule: what a streamed listing writes first.</summary>
    public static void WriteHeader(TextWriter writer, IReadOnlyList<string> columns)
    {
        writer.WriteLine("| " + string.Join(" | ", columns.Select(Escape)) + " |");
        writer.WriteLine("|" + string.Concat(columns.Select(_ => "---|")));
    }

    public static void WriteRow(TextWriter writer, IEnumerable<string?> cells) => writer.WriteLine("| " + string.Join(" | ", cells.Select(Escape)) + " |");

    public static string Escape(string? cell) =>
        (cell ?? "").Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r\n", "<br>").Replace("\n", "<br>");
}
