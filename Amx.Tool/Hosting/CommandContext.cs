using Amx.Data.Config;

namespace Amx.Tool.Hosting;

/// <summary>What every command gets: where amx lives, who runs it, the config (read afresh per process), and the console.</summary>
public sealed class CommandContext(AmxEnvironment env, TextWriter stdout, TextWriter stderr, GlobalOptions globals)
{
    AmxConfig? _config;

    public AmxEnvironment Env { get; } = env;
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;
    public GlobalOptions Globals { get; } = globals;
    public ConfigStore ConfigStore { get; } = env.ConfigStore();

    /// <summary>The config, loaded on first use (commands like <c>--help</c> never touch the file).</summary>
    public AmxConfig Config
    {
        get
        {
            if (_config is not null) return _config;
            _config = ConfigStore.Load();
            foreach (var w in _config.Warnings) Warn(w);
            return _config;
        }
    }

    public void SaveConfig() => ConfigStore.Save(Config);

    /// <summary>The history store this config points at (shared, or the local file).</summary>
    public Task<Amx.Data.History.HistoryStore> OpenHistoryAsync(CancellationToken ct = default) =>
        Amx.Data.History.HistoryStore.OpenAsync(Config, Env, ct);

    public void Warn(string message) => Err.WriteLine($"warning: {message}");

    /// <summary>Progress and chatter go to stderr so stdout stays clean for json/csv.</summary>
    public void Info(string message) => Err.WriteLine(message);

    /// <summary>True when a person is at the terminal (prompts allowed).</summary>
    public bool IsInteractive => !Console.IsInputRedirected && !Console.IsErrorRedirected
                                 && Env.Variable("CI") is null;

    /// <summary>Asks y/N on a terminal; without one the caller must have been given --yes.</summary>
    public bool Confirm(string question)
    {
        Out.Flush(); // what the question is about (a DDL listing, say) must be on screen first
        Err.Write($"{question} [y/N]: ");
        Err.Flush(); // the redacting writer holds text until a newline: the question must be on screen before we wait
        var answer = Console.ReadLine();
        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}

public sealed record GlobalOptions(OutputFormat Output, bool Verbose, bool NoColor);
