using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Amx.Tool.Output;

/// <summary>
/// A list too long to hold until the end of a command (apply's per-target outcomes of a million targets): each item
/// goes to a private temporary file as one JSON line as it arrives, and is read back once, in order, for the output.
/// The file is readable by its owner only and is deleted when the spill is disposed (or the process ends).
/// </summary>
public sealed class JsonLinesSpill<T> : IAsyncDisposable
{
    // One line per item: the output's names and escapes, without its indentation.
    static readonly JsonSerializerOptions Line = new(JsonOutput.Options) { WriteIndented = false };

    readonly FileStream _file;
    readonly StreamWriter _writer;

    public JsonLinesSpill()
    {
        var path = Path.Combine(Path.GetTempPath(), $"amx-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        _file = new FileStream(path, options);
        _writer = new StreamWriter(_file, leaveOpen: true);
    }

    public int Count { get; private set; }

    public void Add(T item)
    {
        _writer.WriteLine(JsonSerializer.Serialize(item, Line));
        Count++;
    }

    /// <summary>The items in the order they were added; read once, after the last <see cref="Add"/>.</summary>
    public async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await _writer.FlushAsync(ct);
        _file.Position = 0;
        using var reader = new StreamReader(_file, leaveOpen: true);
        while (await reader.ReadLineAsync(ct) is { } line)
            yield return JsonSerializer.Deserialize<T>(line, Line)!;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _file.DisposeAsync();
    }
}
