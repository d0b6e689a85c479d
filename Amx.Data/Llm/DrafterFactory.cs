using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Llm.Offline;
using Amx.Data.Llm.Providers;

namespace Amx.Data.Llm;

/// <summary>Builds the drafter for an llm profile. Reads the API key from the environment (BadInput when missing).</summary>
public static class DrafterFactory
{
    public static IDescriptionDrafter Create(LlmProfile profile, DrafterOptions? options = null)
    {
        options ??= new DrafterOptions();
        return profile.Provider.Trim().ToLowerInvariant() switch
        {
            "openai" => OpenAiCompatibleProvider.Create(profile, options),
            "anthropic" => AnthropicProvider.Create(profile, options),
            "ollama" => OllamaProvider.Create(profile, options),
            "offline" => new OfflineDrafter(options),
            var other => throw AmxException.BadInput($"llm profile '{profile.Name}': unknown provider '{other}'",
                $"use one of: {string.Join(", ", LlmProfile.Providers)}"),
        };
    }
}
