using System.ClientModel;
using System.ClientModel.Primitives;
using Amx.Data.Config;
using Amx.Data.Llm.Chat;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Amx.Data.Llm.Providers;

/// <summary>
/// Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's /openai/v1, Ollama, vLLM, LM Studio,
/// OpenRouter) through the official OpenAI SDK, seen as an M.E.AI <see cref="IChatClient"/>.
/// </summary>
public static class OpenAiCompatibleProvider
{
    public const string DefaultBaseUrl = "https://api.openai.com/v1";
    public const string DefaultModel = "gpt-4o-mini";
    public const string DefaultKeyEnv = "OPENAI_API_KEY";

    public static IDescriptionDrafter Create(LlmProfile profile, DrafterOptions options) => ChatConnection.Drafter(Connect(profile, options), options);

    public static ChatConnection Connect(LlmProfile profile, DrafterOptions options) =>
        Connect(profile, options, "openai", DefaultBaseUrl, DefaultModel, keyRequired: profile.BaseUrl is null);

    /// <param name="keyRequired">Whether a missing key is an error. Local servers (a custom base_url without
    /// api_key_env, Ollama) take none.</param>
    internal static ChatConnection Connect(LlmProfile profile, DrafterOptions options, string provider,
        string defaultBaseUrl, string defaultModel, bool keyRequired)
    {
        var baseUrl = ProviderSettings.BaseUrl(profile, defaultBaseUrl);
        var model = string.IsNullOrWhiteSpace(profile.Model) ? defaultModel : profile.Model;
        var keyEnv = string.IsNullOrEmpty(profile.ApiKeyEnv) ? (keyRequired ? DefaultKeyEnv : null) : profile.ApiKeyEnv;
        // A variable the profile names must be set; only an unnamed one may be absent (local servers).
        var key = ProviderSettings.ApiKey(profile, keyEnv, required: keyEnv is not null) ?? "none";

        var http = LlmHttp.Client(options);
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = LlmHttp.SdkTimeout,
        };
        IChatClient chat = new ChatClient(model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
        return new ChatConnection(chat, new ChatEndpoint(provider, model, baseUrl.ToString(), keyEnv, StructuredOutput: true), http);
    }
}
