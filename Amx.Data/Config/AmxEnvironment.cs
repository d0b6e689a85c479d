namespace Amx.Data.Config;

/// <summary>
/// Where amx keeps its files, who the user is, and where its environment variables come from (docs/architecture.md).
/// Every variable amx reads (AMX_HOME, AMX_USER, password_env, api_key_env, NO_COLOR, CI…) goes through
/// <see cref="Variables"/>, so amx can run in-process with an environment of its own (the tests run many at once).
/// </summary>
public sealed record AmxEnvironment(string Home, string User)
{
    /// <summary>Reads one environment variable; the process environment unless given another.</summary>
    public Func<string, string?> Variables { get; init; } = Environment.GetEnvironmentVariable;

    public string ConfigPath => Path.Combine(Home, "config.yml");
    public string LocalHistoryPath => Path.Combine(Home, "history.db");

    public string? Variable(string name) => Variables(name);

    /// <summary>A new ConfigStore for this home whose profiles read secrets through <see cref="Variables"/>.</summary>
    public ConfigStore ConfigStore() => new(ConfigPath, Variables);

    public static AmxEnvironment FromProcess() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>The environment <paramref name="variables"/> describe (AMX_HOME, AMX_USER), reading secrets from them too.</summary>
    public static AmxEnvironment FromVariables(Func<string, string?> variables)
    {
        var home = variables("AMX_HOME");
        if (string.IsNullOrWhiteSpace(home))
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".amx");
        return new AmxEnvironment(Path.GetFullPath(home), ResolveUser(variables)) { Variables = variables };
    }

    /// <summary><c>AMX_USER</c> when set and not blank, else the OS user.</summary>
    public static string ResolveUser(Func<string, string?>? variables = null)
    {
        var user = (variables ?? Environment.GetEnvironmentVariable)("AMX_USER");
        return string.IsNullOrWhiteSpace(user) ? Environment.UserName : user.Trim();
    }
}
