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
