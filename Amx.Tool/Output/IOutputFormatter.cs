namespace Amx.Tool.Output;

/// <summary>Writes an <see cref="OutputTable"/> in one human or spreadsheet format.</summary>
public interface IOutputFormatter
{
    void Write(TextWriter writer, OutputTable table);
}
