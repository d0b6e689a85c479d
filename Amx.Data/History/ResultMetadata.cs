using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amx.Data.History;

/// <summary>
/// A result's <c>metadata_json</c>, typed like the run's <see cref="RunMetadata"/>: where an inherited description
/// came from (docs/view-lineage.md), an eval result's scores (docs/drafting-quality.md), and which llm profile drafted
/// it after a resume switched profiles (docs/runs.md). Null fields are not written; keys this version does not know
/// are kept as they are, and stored text that is not JSON reads back as <c>unreadable_metadata</c>.
/// </summary>
public sealed class ResultMetadata
{
    static JsonSerializerOptions Json => MetadataJson.Options;

    // Inherited from a base column: its qualified name, and whether its text was this run's "draft" or its live "comment".
    public string? Source { get; set; }
    public string? SourceText { get; set; }

    // An eval result's scores against the hidden human text.
    [JsonPropertyName("token_f1")]
    public double? TokenF1 { get; set; }
    public double? RougeL { get; set; }
    public double? JudgeScore { get; set; }
    public string? JudgeReason { get; set; }

    // Drafted after a resume switched llm profiles.
    public string? LlmProfile { get; set; }
    public string? LlmProvider { get; set; }
    public string? LlmModel { get; set; }
    public string? SwitchedFrom { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    public static ResultMetadata Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new();
        try { return JsonSerializer.Deserialize<ResultMetadata>(json, Json) ?? new(); }
        catch (JsonException)
        {
            return new() { Other = MetadataJson.Unreadable(json) };
        }
    }

    /// <summary>The JSON to store; null when nothing is set (the column stays NULL).</summary>
    public string? ToJson()
    {
        var json = JsonSerializer.Serialize(this, Json);
        return json == "{}" ? null : json;
    }

    /// <summary>The metadata as a JSON tree, for <c>--output json</c>.</summary>
    public JsonElement ToElement() => JsonSerializer.SerializeToElement(this, Json);
}
