using Amx.Data.Config;
using Amx.Data.Llm.Chat;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;

namespace Amx.Data.Llm.Providers;

/// <summary>Anthropic's Messages API through the official Anthropic SDK and its M.E.AI adapter.</summary>
public static class AnthropicProvider
{
    public const string DefaultBaseUrl = "https://api.anthropic.com";
    public const string DefaultModel = "claude-haiku-4-5";
    public const string DefaultKeyEnv = "ANTHROPIC_API_KEY";

    public static IDescriptionDrafter Create(LlmProfile profile, DrafterOptions options) => ChatConnection.Drafter(Connect(profile, options), options);

    public static ChatConnection Connect(LlmProfile profile, DrafterOptions options)
    {
        var baseUrl = ProviderSettings.BaseUrl(profile, DefaultBaseUrl);
        var model = string.IsNullOrWhiteSpace(profile.Model) ? DefaultModel : profile.Model;
        var keyEnv = profile.ApiKeyEnv ?? DefaultKeyEnv;
        var key = ProviderSettings.ApiKey(profile, keyEnv, required: true)!;

        var http = LlmHttp.Client(options);
        var client = new AnthropicClient(new ClientOptions
        {
            ApiKey = key,
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
            HttpClient = http,
            MaxRetries = 0,
            Timeout = LlmHttp.SdkTimeout,
        });
        IChatClient chat = client.AsIChatClient(model, options.MaxOutputTokens);
        return new ChatConnection(chat, new ChatEndpoint("anthropic", model, baseUrl.ToString(), keyEnv, StructuredOutput: true), http);
    }
}
