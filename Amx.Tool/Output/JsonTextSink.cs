using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Amx.Tool.Output;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> with the json format's settings whose bytes go to a <see cref="TextWriter"/> in chunks:
/// one document written token by token (a million items), indented exactly as a whole serialisation would be.
/// </summary>
public sealed class JsonTextSink : IDisposable
{
    const int Chunk = 1 << 16;
    readonly TextWriter _out;
    readonly ArrayBufferWriter<byte> _buffer = new(2 * Chunk);

    public JsonTextSink(TextWriter output)
    {
        _out = output;
        Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true, Encoder = JsonOutput.Options.Encoder });
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>Hands the written text on once a chunk has gathered (called between tokens, so no UTF-8 sequence is split).</summary>
    public void DrainIfFull()
    {
        if (Writer.BytesPending + _buffer.WrittenCount >= Chunk) Drain();
    }

    public void Drain()
    {
        Writer.Flush();
        _out.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _buffer.ResetWrittenCount();
    }

    public void Dispose() => Writer.Dispose();
}
