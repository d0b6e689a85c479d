using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amx.Data.History;

/// <summary>How run and result metadata_json is written: snake_case keys, null fields left out (RunMetadata, ResultMetadata).</summary>
static class MetadataJson
{
    /// <summary>
    /// Source-generated contracts (<see cref="MetadataJsonContext"/>): no reflection at run time. Building the
    /// reflection contract of RunMetadata was half of <c>history list</c>'s own CPU time.
    /// </summary>
    public static JsonSerializerOptions Options => MetadataJsonContext.Default.Options;

    [ThreadStatic] static System.Buffers.ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] static Utf8JsonWriter? _writer;

    /// <summary>
    /// A result's alternatives as the JSON array text the serializer writes (default escaping, no indentation), through
    /// one reused writer per thread: every draft of a million-column run has them, and the serializer's generic path
    /// is compiled per process without ever being optimised in time.
    /// </summary>
    public static string StringList(IReadOnlyList<string> values)
    {
        var buffer = _buffer ??= new System.Buffers.ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (var v in values) writer.WriteStringValue(v);
        writer.WriteEndArray();
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Stored text that is not JSON, kept under one key so that nothing is lost on the next write.</summary>
    public static Dictionary<string, JsonElement> Unreadable(string json) =>
        new() { ["unreadable_metadata"] = JsonSerializer.SerializeToElement(json) };
}

/// <summary>The metadata types' JSON contracts, generated at build time (snake_case keys, nulls left out).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunMetadata))]
[JsonSerializable(typeof(ResultMetadata))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
