using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amx.Data.History;

/// <summary>
/// The run's <c>metadata_json</c>, typed: the flags it ran with, token usage and durations, and the drafting
/// process's liveness marker. Keys this version does not know (written by a newer amx) are kept as they are.
/// See docs/runs.md for what each key means.
/// </summary>
public sealed class RunMetadata
{
    static JsonSerializerOptions Json => MetadataJson.Options;

    // What the run was asked to do.
    public string? Verb { get; set; }
    public string? ProfilingMode { get; set; }
    public string? Accept { get; set; }
    public int? BatchSize { get; set; }
    public int? Concurrency { get; set; }
    public bool? MissingOnly { get; set; }
    /// <summary>The llm profile the run drafts with; a resume continues with it.</summary>
    public string? LlmProfile { get; set; }
    /// <summary>Tables in the scope (shown by history list).</summary>
    public long? Tables { get; set; }
    public double? RequestTimeoutSeconds { get; set; }

    // What it cost.
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? LlmCalls { get; set; }
    public long? TotalTokens { get; set; }
    public double? DraftSeconds { get; set; }
    public double? TotalSeconds { get; set; }

    // What was sent (docs/llm.md): request sizes against the budget; an estimate where the endpoint reports no usage.
    public long? RequestBudgetChars { get; set; }
    public long? RequestCount { get; set; }
    public long? RequestCharsTotal { get; set; }
    public long? RequestCharsMax { get; set; }
    public long? RequestCharsMean { get; set; }
    /// <summary>Each request's size, while the run is small enough to list them.</summary>
    public int[]? RequestChars { get; set; }
    public bool? UsageReported { get; set; }
    public long? EstimatedInputTokens { get; set; }

    /// <summary>Drafts per confidence class (docs/drafting-quality.md), and how many were inherited from base columns.</summary>
    public Dictionary<string, int>? ConfidenceCounts { get; set; }
    public int? Inherited { get; set; }

    // An eval run's scores (docs/drafting-quality.md).
    public double? MeanTokenF1 { get; set; }
    public double? MeanRougeL { get; set; }
    public string? InstructionsHash { get; set; }
    public string? ContextFingerprint { get; set; }

    // What grounded the drafts (docs/context-and-export.md).
    public List<ContextDocumentRef>? ContextDocuments { get; set; }
    public int? ContextBudgetChars { get; set; }
    public int? GlossaryTerms { get; set; }
    public string? InstructionsSha256 { get; set; }

    // The drafting process, while it runs (see RunLiveness).
    public long? Pid { get; set; }
    public string? PidHost { get; set; }
    public DateTime? PidStartedAt { get; set; }
    public DateTime? HeartbeatAt { get; set; }

    // How it went.
    public int? Resumed { get; set; }
    /// <summary>Profiles a resume switched to deliberately (<c>--llm-profile</c>); each result drafted after the
    /// switch names its profile in its own metadata_json.</summary>
    public List<string>? LlmSwitches { get; set; }
    public bool? Interrupted { get; set; }
    public bool? LocalFallback { get; set; }
    public string? Error { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    public bool IsInterrupted => Interrupted == true;

    public static RunMetadata Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new();
        try { return JsonSerializer.Deserialize<RunMetadata>(json, Json) ?? new(); }
        catch (JsonException)
        {
            return new() { Other = MetadataJson.Unreadable(json) };
        }
    }

    /// <summary>
    /// The few keys a run list shows, read without the typed contract: configuring that contract is a one-off ~35 ms
    /// per process, most of <c>history list</c>'s own CPU time. Unreadable text reads as no facts, as in <see cref="Read"/>.
    /// </summary>
    public static ListFacts ReadListFacts(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return default;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return default;
            var root = doc.RootElement;
            return new ListFacts(
                root.TryGetProperty("tables", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var n) ? n : null,
                root.TryGetProperty("interrupted", out var i) && i.ValueKind == JsonValueKind.True,
                root.TryGetProperty("llm_profile", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
                root.TryGetProperty("mean_token_f1", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetDouble() : null,
                root.TryGetProperty("mean_rouge_l", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : null);
        }
        catch (JsonException) { return default; }
    }

    /// <summary>What <c>history list</c> shows of a run's metadata (<see cref="ReadListFacts"/>).</summary>
    public readonly record struct ListFacts(long? Tables, bool IsInterrupted, string? LlmProfile, double? MeanTokenF1, double? MeanRougeL);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The metadata as a JSON tree, for <c>--output json</c>.</summary>
    public JsonElement ToElement() => JsonSerializer.SerializeToElement(this, Json);

    public void ClearProcess()
    {
        Pid = null;
        PidHost = null;
        PidStartedAt = null;
        HeartbeatAt = null;
    }
}

/// <summary>A context document a run was grounded on: where it was and exactly which content.</summary>
public sealed record ContextDocumentRef(string Path, string Sha256, int Chunks);
