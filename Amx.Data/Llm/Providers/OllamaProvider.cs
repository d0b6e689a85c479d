using Amx.Data.Config;

namespace Amx.Data.Llm.Providers;

/// <summary>Ollama's OpenAI-compatible endpoint at its default address; no key.</summary>
public static class OllamaProvider
{
    public const string DefaultBaseUrl = "http://localhost:11434/v1";
    public const string DefaultModel = "llama3.1";

    public static IDescriptionDrafter Create(LlmProfile profile, DrafterOptions options) => ChatConnection.Drafter(Connect(profile, options), options);

    public static ChatConnection Connect(LlmProfile profile, DrafterOptions options) =>
        OpenAiCompatibleProvider.Connect(profile, options, "ollama", DefaultBaseUrl, DefaultModel, keyRequired: false);
}
