namespace Amx.Tool.Output;

/// <summary>RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.</summary>
public sealed class CsvFormatter : IOutputFormatter
{
    public void Write(TextWriter writer, OutputTable table)
    {
        WriteRow(writer, table.Columns);
        foreach (var row in table.Rows) WriteRow(writer, row);
    }

    /// <summary>One record: what a streamed listing writes per row.</summary>
    public static void WriteRow(TextWriter writer, IEnumerable<string?> fields) => writer.Write(string.Join(',', fields.Select(Escape)) + "\r\n");

    public static string Escape(string? field)
    {
        if (field is null) return "";
        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
    }
}
