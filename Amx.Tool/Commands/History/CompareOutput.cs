using System.Text.Json;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.History;

/// <summary>
/// Writes <c>history compare</c>'s rows as the merge join hands them over. The first <see cref="TableFormatter.LargeTable"/>
/// rows are held: a comparison that ends within them is rendered whole, exactly as any small command output (Spectre
/// table, one json document). Past that the rows are streamed and only the counts are kept: json through a
/// <see cref="Utf8JsonWriter"/> with the json format's options; table, csv and markdown through a
/// <see cref="StreamedTable"/> (plain aligned text whose widths come from the held rows).
/// </summary>
public sealed class CompareOutput(CommandContext ctx, CompareOutput.Shape shape)
{
    /// <summary>What the command renders around the rows.</summary>
    /// <param name="Columns">table/csv/markdown header</param>
    /// <param name="Cells">one row's cells for table/csv/markdown</param>
    /// <param name="Left">json <c>left</c></param>
    /// <param name="Right">json <c>right</c></param>
    /// <param name="Scores">json <c>scores</c></param>
    /// <param name="Footer">lines under the table from the counts and the row total</param>
    /// <param name="RenderWhole">the whole output for a comparison that fits in the held rows</param>
    public sealed record Shape(string[] Columns, Func<ComparisonRow, string?[]> Cells, object Left, object Right, object Scores,
        Func<IReadOnlyDictionary<string, int>, int, IEnumerable<string>> Footer, Action<IReadOnlyList<ComparisonRow>, IReadOnlyDictionary<string, int>> RenderWhole);

    readonly List<ComparisonRow> _held = [];
    readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    int _total;
    Sink? _sink;

    /// <summary>Rows have been written: a fallback can no longer start over.</summary>
    public bool Streaming => _sink is not null;

    public void Add(ComparisonRow row)
    {
        _counts[row.Status] = _counts.GetValueOrDefault(row.Status) + 1;
        _total++;
        if (_sink is not null) { _sink.Row(row); return; }
        _held.Add(row);
        if (_held.Count <= TableFormatter.LargeTable) return;
        _sink = ctx.Globals.Output switch
        {
            OutputFormat.Json => new JsonSink(ctx.Out, shape),
            _ => new TableRowsSink(ctx, shape),
        };
        foreach (var held in _held) _sink.Row(held);
        _held.Clear();
    }

    public void Finish()
    {
        var counts = _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (_sink is null) shape.RenderWhole(_held, counts);
        else _sink.End(counts, shape.Footer(counts, _total));
        ctx.Out.Flush();
    }

    abstract class Sink
    {
        public abstract void Row(ComparisonRow row);
        public abstract void End(IReadOnlyDictionary<string, int> counts, IEnumerable<string> footer);
    }

    sealed class JsonSink : Sink
    {
        readonly TextWriter _out;
        readonly Shape _shape;
        readonly JsonTextSink _sink;
        readonly Utf8JsonWriter _w;

        public JsonSink(TextWriter output, Shape shape)
        {
            _out = output;
            _shape = shape;
            // The json format's own writer settings, so a streamed document reads like a whole one.
            _sink = new JsonTextSink(output);
            _w = _sink.Writer;
            _w.WriteStartObject();
            _w.WritePropertyName("left");
            JsonSerializer.Serialize(_w, shape.Left, shape.Left.GetType(), JsonOutput.Options);
            _w.WritePropertyName("right");
            JsonSerializer.Serialize(_w, shape.Right, shape.Right.GetType(), JsonOutput.Options);
            _w.WriteStartArray("rows");
        }

        public override void Row(ComparisonRow row)
        {
            _w.WriteStartObject();
            _w.WriteString("target", row.Target);
            Text("left", row.Left);
            Text("right", row.Right);
            _w.WriteString("status", row.Status);
            _w.WriteEndObject();
            _sink.DrainIfFull();
        }

        void Text(string name, string? value)
        {
            if (value is null) _w.WriteNull(name);
            else _w.WriteString(name, value);
        }

        public override void End(IReadOnlyDictionary<string, int> counts, IEnumerable<string> footer)
        {
            _w.WriteEndArray();
            _w.WriteStartObject("counts");
            foreach (var (status, n) in counts) _w.WriteNumber(status, n);
            _w.WriteEndObject();
            _w.WritePropertyName("scores");
            JsonSerializer.Serialize(_w, _shape.Scores, _shape.Scores.GetType(), JsonOutput.Options);
            _w.WriteEndObject();
            _sink.Drain();
            _out.WriteLine();
            _sink.Dispose();
        }

    }

    /// <summary>table, csv and markdown: the rows through a <see cref="StreamedTable"/>, which streams from the held ones on.</summary>
    sealed class TableRowsSink(CommandContext ctx, Shape shape) : Sink
    {
        readonly StreamedTable _table = new(ctx, shape.Columns);

        public override void Row(ComparisonRow row) => _table.Add(shape.Cells(row));

        public override void End(IReadOnlyDictionary<string, int> counts, IEnumerable<string> footer) => _table.Finish([.. footer]);
    }
}
