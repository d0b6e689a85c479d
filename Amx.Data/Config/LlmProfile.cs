namespace Amx.Data.Config;

/// <summary>A named LLM endpoint from <c>llm_profiles</c>.</summary>
public sealed class LlmProfile
{
    public static readonly IReadOnlyList<string> Providers = ["openai", "anthropic", "ollama", "offline"];

    public required string Name { get; init; }
    /// <summary>openai (any OpenAI-compatible endpoint) | anthropic | ollama | offline.</summary>
    public required string Provider { get; set; }
    public string? Model { get; set; }
    public string? ApiKeyEnv { get; set; }
    public string? BaseUrl { get; set; }

    public string? ResolveApiKey()
    {
        var key = string.IsNullOrEmpty(ApiKeyEnv) ? null : Environment.GetEnvironmentVariable(ApiKeyEnv);
        Security.Redactor.Register(key);
        return key;
    }
}
