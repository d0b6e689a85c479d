using System.Text.Json;

namespace Amx.Data.History;

/// <summary>Reads a result's loose <c>metadata_json</c> (inheritance source, eval scores, llm switch); a run's is typed: <see cref="RunMetadata"/>.</summary>
public static class Metadata
{
    public static Dictionary<string, object?> Read(string? json)
    {
        if (string.IsNullOrEmpty(json)) return new();
        try
        {
            var doc = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? new();
            return doc.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        }
        catch (JsonException) { return new() { ["unreadable_metadata"] = json }; }
    }

    public static string? String(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        string s => s,
        _ => null,
    };

    public static long? Long(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var l) => l,
        long l => l,
        int i => i,
        _ => null,
    };

    public static double? Double(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        double d => d,
        _ => null,
    };

    public static DateTime? Time(Dictionary<string, object?> meta, string key) =>
        String(meta, key) is { } s && DateTime.TryParse(s, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
