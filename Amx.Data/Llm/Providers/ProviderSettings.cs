using Amx.Data.Config;
using Amx.Data.Errors;

namespace Amx.Data.Llm.Providers;

static class ProviderSettings
{
    public static Uri BaseUrl(LlmProfile profile, string fallback)
    {
        var text = string.IsNullOrWhiteSpace(profile.BaseUrl) ? fallback : profile.BaseUrl.Trim();
        Security.Redactor.RegisterUrl(text);
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return uri;
        throw AmxException.BadInput($"llm profile '{profile.Name}': base_url '{text}' is not an http(s) URL",
            $"fix it with: amx add-llm-profile {profile.Name} --provider {profile.Provider} --base-url https://…");
    }

    /// <summary>The key from the variable named by api_key_env; its value is never shown anywhere.</summary>
    public static string? ApiKey(LlmProfile profile, string? keyEnv, bool required)
    {
        if (string.IsNullOrEmpty(keyEnv)) return null;
        var key = profile.Variables(keyEnv);
        Security.Redactor.Register(key);
        if (!string.IsNullOrWhiteSpace(key)) return key.Trim();
        if (!required) return null;
        throw AmxException.BadInput($"llm profile '{profile.Name}' reads its API key from ${keyEnv}, which is not set",
            $"export {keyEnv}=…");
    }
}
