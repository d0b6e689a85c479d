using Spectre.Console;
using Spectre.Console.Rendering;

namespace Amx.Tool.Output;

/// <summary>An aligned console table (Spectre.Console), plain when colours are off or output is redirected.</summary>
public sealed class TableFormatter(bool color) : IOutputFormatter
{
    /// <summary>Above this many rows the table is streamed as plain aligned text (<see cref="PlainTableFormatter"/>).</summary>
    public const int LargeTable = 2_000;

    /// <summary>
    /// Renders a small table to nowhere on a pool thread: Spectre's first table costs ~30 ms of one-off work (type
    /// loading, JIT of its generic code) that then overlaps the command's store round trips instead of following them.
    /// </summary>
    public static void WarmUpInBackground() => _ = Task.Run(() =>
    {
        var table = new OutputTable("a", "b");
        table.Add("1", "2");
        new TableFormatter(color: false).Write(TextWriter.Null, table);
    });

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
