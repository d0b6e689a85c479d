using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amx.Tool.Output;

/// <summary>The stable json format: snake_case keys, UTC ISO-8601 times, nulls kept.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void Write(TextWriter writer, object value)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));
    }

    /// <summary>
    /// The same document as <see cref="Write"/> of <paramref name="head"/>'s properties, then <paramref name="name"/>
    /// holding <paramref name="items"/>, then <paramref name="tail"/> when given — but each item is written as it arrives, so a
    /// long list is never held in memory. One <see cref="Utf8JsonWriter"/> writes the whole document token by token, so
    /// every item is indented at its depth as a whole serialisation would indent it.
    /// </summary>
    public static async Task WriteStreamedAsync(TextWriter writer, object head, string name, IAsyncEnumerable<object> items, (string Name, object? Value)? tail = null)
    {
        using var sink = new JsonTextSink(writer);
        var w = sink.Writer;
        w.WriteStartObject();
        foreach (var property in JsonSerializer.SerializeToElement(head, head.GetType(), Options).EnumerateObject()) property.WriteTo(w);
        w.WriteStartArray(name);
        await foreach (var item in items)
        {
            JsonSerializer.Serialize(w, item, item.GetType(), Options);
            sink.DrainIfFull();
        }
        w.WriteEndArray();
        if (tail is { } t)
        {
            w.WritePropertyName(t.Name);
            JsonSerializer.Serialize(w, t.Value, t.Value?.GetType() ?? typeof(object), Options);
        }
        w.WriteEndObject();
        sink.Drain();
        await writer.WriteLineAsync();
    }

    /// <summary>The same text as <see cref="Write"/> of a list of <paramref name="items"/>, each written as it arrives.</summary>
    public static async Task WriteArrayStreamedAsync(TextWriter writer, IAsyncEnumerable<object> items)
    {
        using var sink = new JsonTextSink(writer);
        sink.Writer.WriteStartArray();
        await foreach (var item in items)
        {
            JsonSerializer.Serialize(sink.Writer, item, item.GetType(), Options);
            sink.DrainIfFull();
        }
        sink.Writer.WriteEndArray();
        sink.Drain();
        await writer.WriteLineAsync();
    }
}
