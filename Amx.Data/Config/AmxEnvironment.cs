namespace Amx.Data.Config;

/// <summary>Where amx keeps its files and who the user is (docs/architecture.md).</summary>
public sealed record AmxEnvironment(string Home, string User)
{
    public string ConfigPath => Path.Combine(Home, "config.yml");
    public string LocalHistoryPath => Path.Combine(Home, "history.db");

    public static AmxEnvironment FromProcess()
    {
        var home = Environment.GetEnvironmentVariable("AMX_HOME");
        if (string.IsNullOrWhiteSpace(home))
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".amx");
        return new AmxEnvironment(Path.GetFullPath(home), ResolveUser());
    }

    /// <summary><c>AMX_USER</c> when set and not blank, else the OS user.</summary>
    public static string ResolveUser()
    {
        var user = Environment.GetEnvironmentVariable("AMX_USER");
        return string.IsNullOrWhiteSpace(user) ? Environment.UserName : user.Trim();
    }
}
