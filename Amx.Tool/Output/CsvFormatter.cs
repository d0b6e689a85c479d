namespace Amx.Tool.Output;

/// <summary>RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.</summary>
public sealed class CsvFormatter : IOutputFormatter
{
    public void Write(TextWriter writer, OutputTable table)
    {
        writer.Write(string.Join(',', table.Columns.Select(Escape)) + "\r\n");
        foreach (var row in table.Rows) writer.Write(string.Join(',', row.Select(Escape)) + "\r\n");
    }

    public static string Escape(string? field)
    {
        if (field is null) return "";
        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
    }
}
