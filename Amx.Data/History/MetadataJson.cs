using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amx.Data.History;

/// <summary>How run and result metadata_json is written: snake_case keys, null fields left out (RunMetadata, ResultMetadata).</summary>
static class MetadataJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Stored text that is not JSON, kept under one key so that nothing is lost on the next write.</summary>
    public static Dictionary<string, JsonElement> Unreadable(string json) =>
        new() { ["unreadable_metadata"] = JsonSerializer.SerializeToElement(json) };
}
