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
    /// <summary><c>max_request_chars</c>: prompt characters per request (docs/llm.md); null: the default.</summary>
    public int? MaxRequestChars { get; set; }
    /// <summary><c>instructions</c>: the team's house style, sent with every batch.</summary>
    public string? Instructions { get; set; }
    /// <summary><c>context</c>: default context documents (files or folders) for runs with this profile.</summary>
    public List<string> Context { get; } = [];

    /// <summary>Where <see cref="ApiKeyEnv"/> is read: the process environment unless the config was loaded for another.</summary>
    public Func<string, string?> Variables { get; set; } = Environment.GetEnvironmentVariable;

    public LlmProfile WithVariables(Func<string, string?> variables)
    {
        Variables = variables;
        return this;
    }

    public string? ResolveApiKey()
    {
        var key = string.IsNullOrEmpty(ApiKeyEnv) ? null : Variables(ApiKeyEnv);
        Security.Redactor.Register(key);
        return key;
    }
}
