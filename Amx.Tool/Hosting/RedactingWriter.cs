using System.Text;
using Amx.Data.Security;

namespace Amx.Tool.Hosting;

/// <summary>
/// The console as every verb sees it: text is held until the end of a line (or a flush) and passes
/// <see cref="Redactor"/> before it reaches the real stream, so no output path can print a secret (docs/security.md).
/// </summary>
public sealed class RedactingWriter(TextWriter inner) : TextWriter
{
    readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;
    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        _line.Append(value);
        if (value == '\n') Emit();
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        var nl = value.LastIndexOf('\n');
        if (nl < 0) { _line.Append(value); return; }
        _line.Append(value, 0, nl + 1);
        Emit();
        if (nl + 1 < value.Length) _line.Append(value, nl + 1, value.Length - nl - 1);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value)
    {
        _line.Append(value).Append(CoreNewLine);
        Emit();
    }

    public override void Flush()
    {
        Emit();
        inner.Flush();
    }

    public override Task FlushAsync() { Flush(); return Task.CompletedTask; }

    void Emit()
    {
        if (_line.Length == 0) return;
        inner.Write(Redactor.Redact(_line.ToString()));
        _line.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }
}
