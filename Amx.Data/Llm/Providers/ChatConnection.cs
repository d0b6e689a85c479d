using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Llm.Chat;
using Microsoft.Extensions.AI;

namespace Amx.Data.Llm.Providers;

/// <summary>A chat client for an llm profile, with the HttpClient it owns; drafting and <c>amx ask</c> both use it.</summary>
public sealed record ChatConnection(IChatClient Chat, ChatEndpoint Endpoint, HttpClient Http) : IDisposable
{
    public static IDescriptionDrafter Drafter(ChatConnection c, DrafterOptions options) => new ChatDrafter(c.Chat, c.Endpoint, options, c.Http);

    /// <summary>The chat client of a networked provider; <c>offline</c> has none.</summary>
    public static ChatConnection For(LlmProfile profile, DrafterOptions? options = null)
    {
        options ??= new DrafterOptions();
        return profile.Provider.Trim().ToLowerInvariant() switch
        {
            "openai" => OpenAiCompatibleProvider.Connect(profile, options),
            "anthropic" => AnthropicProvider.Connect(profile, options),
            "ollama" => OllamaProvider.Connect(profile, options),
            var other => throw AmxException.BadInput($"llm profile '{profile.Name}' ({other}) has no chat endpoint"),
        };
    }

    public void Dispose()
    {
        Chat.Dispose();
        Http.Dispose();
    }
}
