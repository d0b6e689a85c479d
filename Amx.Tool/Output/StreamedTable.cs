using System.Text;
using Amx.Tool.Hosting;

namespace Amx.Tool.Output;

/// <summary>
/// A table whose rows arrive one at a time and may be many (a run's million results). The first
/// <see cref="TableFormatter.LargeTable"/> rows are held: a table that ends within them is rendered whole by the
/// chosen formatter, exactly as any small output. Past that, rows are written as they come and none is kept: the
/// table as plain aligned text whose widths come from the held rows (<see cref="PlainTableFormatter"/>; a later,
/// longer cell pushes the rest of its row right), csv and markdown row by row.
/// </summary>
public sealed class StreamedTable(CommandContext ctx, params string[] columns)
{
    readonly OutputTable _held = new(columns);
    readonly StringBuilder _line = new();
    int[]? _widths;
    bool _streaming;

    public void Add(params string?[] cells)
    {
        if (_streaming)
        {
            Write(cells);
            return;
        }
        _held.Add(cells);
        if (_held.Rows.Count <= TableFormatter.LargeTable) return;
        _streaming = true;
        switch (ctx.Globals.Output)
        {
            case OutputFormat.Csv:
                CsvFormatter.WriteRow(ctx.Out, columns);
                break;
            case OutputFormat.Md:
                MarkdownFormatter.WriteHeader(ctx.Out, columns);
                break;
            default:
                _widths = PlainTableFormatter.Measure(columns, _held.Rows);
                PlainTableFormatter.WriteRow(ctx.Out, _line, columns, _widths);
                break;
        }
        foreach (var row in _held.Rows) Write(row);
        _held.Rows.Clear();
    }

    /// <summary>Renders a table that stayed small (a streamed one is already written), then the footer lines as its formatter does.</summary>
    public void Finish(params string[] footer)
    {
        if (!_streaming)
        {
            _held.Footer.AddRange(footer);
            Renderer.For(ctx).Write(ctx.Out, _held);
            return;
        }
        foreach (var line in footer)
            switch (ctx.Globals.Output)
            {
                case OutputFormat.Csv: break; // csv has rows only
                case OutputFormat.Md: ctx.Out.WriteLine(); ctx.Out.WriteLine(line); break;
                default: ctx.Out.WriteLine(line); break;
            }
    }

    void Write(string?[] cells)
    {
        switch (ctx.Globals.Output)
        {
            case OutputFormat.Csv: CsvFormatter.WriteRow(ctx.Out, cells); break;
            case OutputFormat.Md: MarkdownFormatter.WriteRow(ctx.Out, cells); break;
            default: PlainTableFormatter.WriteRow(ctx.Out, _line, cells, _widths!); break;
        }
    }
}
