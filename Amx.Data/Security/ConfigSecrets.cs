using Amx.Data.Config;

namespace Amx.Data.Security;

/// <summary>Registers with <see cref="Redactor"/> every secret a config can lead amx to: done when the config is read,
/// so that even a message written before a profile is used cannot carry one.</summary>
public static class ConfigSecrets
{
    /// <summary>Key variables the providers fall back to when a profile names none.</summary>
    static readonly string[] DefaultKeyVariables = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"];

    public static void Register(AmxConfig config, Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        foreach (var p in config.DbProfiles.Values)
        {
            Redactor.Register(p.Password);
            if (p.PasswordEnv is { Length: > 0 } env) Redactor.Register(variables(env));
            Redactor.RegisterUrl(p.Host);
            foreach (var (k, v) in p.Options)
                if (Redactor.IsSecretKeyword(k)) Redactor.Register(v);
        }
        foreach (var p in config.LlmProfiles.Values)
        {
            if (p.ApiKeyEnv is { Length: > 0 } env) Redactor.Register(variables(env));
            Redactor.RegisterUrl(p.BaseUrl);
        }
        foreach (var env in DefaultKeyVariables) Redactor.Register(variables(env));
    }
}
