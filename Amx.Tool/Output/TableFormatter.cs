using Spectre.Console;
using Spectre.Console.Rendering;

namespace Amx.Tool.Output;

/// <summary>An aligned console table (Spectre.Console), plain when colours are off or output is redirected.</summary>
public sealed class TableFormatter(bool color) : IOutputFormatter
{
    /// <summary>Above this many rows the table is streamed as plain aligned text (<see cref="PlainTableFormatter"/>).</summary>
    public const int LargeTable = 2_000;

    public void Write(TextWriter writer, OutputTable table)
    {
        if (table.Rows.Count > LargeTable)
        {
            new PlainTableFormatter().Write(writer, table);
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        var t = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var c in table.Columns) t.AddColumn(new TableColumn(new Text(c, new Style(decoration: Decoration.Bold))) { NoWrap = false });
        foreach (var row in table.Rows) t.AddRow(row.Select(cell => (IRenderable)new Text(cell ?? "")).ToArray());
        if (table.Rows.Count > 0 || table.Footer.Count == 0) console.Write(t);
        foreach (var line in table.Footer) writer.WriteLine(line);
    }
}
