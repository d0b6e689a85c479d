namespace Amx.Tool.Output;

/// <summary>Rows for the human formats (table, csv, markdown); json renders the command's own model instead.</summary>
public sealed class OutputTable(params string[] columns)
{
    public IReadOnlyList<string> Columns { get; } = columns;
    public List<string?[]> Rows { get; } = [];
    /// <summary>Optional lines printed under the table (counts, notes); not part of csv.</summary>
    public List<string> Footer { get; } = [];

    public OutputTable Add(params string?[] cells)
    {
        if (cells.Length != Columns.Count) throw new ArgumentException($"expected {Columns.Count} cells, got {cells.Length}");
        Rows.Add(cells);
        return this;
    }
}
