using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Security;

namespace Amx.Tool.Hosting;

/// <summary>
/// Pays the first use of what nearly every command does next (parse the YAML config, mask secrets, open a PostgreSQL
/// connection) on the second core while the main thread starts the command line: ~25 ms less before a command's first
/// query (docs/architecture.md, Start-up). Only code is warmed: nothing is read, written or connected, and a failure
/// is left to the command, which meets the same code where it can report it.
/// </summary>
static class StartupWarmup
{
    public static void Start(string[] args)
    {
        // --version and --help print and exit: a warm-up would only hold the exit back.
        if (args.Length == 0 || args[0].StartsWith('-')) return;
        new Thread(Run) { IsBackground = true, Name = "amx warm-up" }.Start();
    }

    static void Run()
    {
        try
        {
            ConfigStore.WarmUp();
            Redactor.Redact("https://warm:up@localhost");
            NpgsqlWithoutTypeLoading.WarmUp();
        }
        catch (Exception)
        {
            // Warming is an optimisation only: the command itself runs this code again and reports what fails.
        }
    }
}
