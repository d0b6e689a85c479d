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
        _file = PrivateTempFile.Create("jsonl");
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

/// <summary>A temporary file only its owner can read, deleted when closed (or when the process ends).</summary>
static class PrivateTempFile
{
    public static FileStream Create(string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"amx-{Environment.ProcessId}-{Guid.NewGuid():N}.{extension}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }
}

/// <summary>
/// A json array too long to hold that must follow fields known only at its end (drift's counts lead its document):
/// each item is written to a private temporary file exactly as <see cref="JsonOutput.WriteStreamedAsync"/> would
/// write it, and the text is copied after the head, unparsed.
/// </summary>
public sealed class JsonArraySpill : IAsyncDisposable
{
    readonly FileStream _file = PrivateTempFile.Create("json");
    readonly StreamWriter _writer;
    bool _empty = true;

    public JsonArraySpill() => _writer = new StreamWriter(_file, leaveOpen: true);

    public void Add(object item)
    {
        _writer.Write(Item(item, _empty));
        _empty = false;
    }

    /// <summary>The document: <paramref name="head"/>'s properties, then <paramref name="name"/> holding the items.</summary>
    public async Task WriteDocumentAsync(TextWriter writer, object head, string name, CancellationToken ct = default)
    {
        await _writer.FlushAsync(ct);
        _file.Position = 0;
        await writer.WriteAsync(Open(head, name));
        using (var reader = new StreamReader(_file, leaveOpen: true))
        {
            var buffer = new char[1 << 16];
            int n;
            while ((n = await reader.ReadAsync(buffer, ct)) > 0) await writer.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        await writer.WriteLineAsync(Close(_empty) + "\n}");
    }

    // The streamed document's text, item by item: each serialised alone and indented by line to its depth (a JSON
    // text has no raw line breaks inside strings, so that is exact; StreamedJsonTests compares it with JsonOutput's).
    /// <summary>"{ …head…, "name": [" of a streamed document (an empty head is "{}").</summary>
    static string Open(object head, string name)
    {
        var open = JsonSerializer.Serialize(head, head.GetType(), JsonOutput.Options);
        open = open == "{}" ? "{" : open[..open.LastIndexOf('}')].TrimEnd() + ",";
        return open + "\n  " + JsonSerializer.Serialize(name, JsonOutput.Options) + ": [";
    }

    /// <summary>One item of a streamed document's list, indented to its depth (a JSON text has no raw line breaks in strings).</summary>
    static string Item(object item, bool first) =>
        (first ? "\n    " : ",\n    ") + JsonSerializer.Serialize(item, item.GetType(), JsonOutput.Options).Replace("\n", "\n    ");

    /// <summary>The end of a streamed document's list.</summary>
    static string Close(bool empty) => empty ? "]" : "\n  ]";


    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _file.DisposeAsync();
    }
}
