using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;

namespace Amx.Tool.Hosting;

/// <summary>Runs a command action inside the error boundary shared by all verbs.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(ParseResult parse, Func<CommandContext, Task<int>> action)
    {
        var env = (parse.InvocationConfiguration as AmxInvocation)?.Env;
        var globals = new GlobalOptions(
            parse.GetValue(GlobalOptionSet.Output),
            parse.GetValue(GlobalOptionSet.Verbose),
            parse.GetValue(GlobalOptionSet.NoColor) || (env?.Variables ?? Environment.GetEnvironmentVariable)("NO_COLOR") is not null);
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        try
        {
            var ctx = new CommandContext(env ?? AmxEnvironment.FromProcess(), stdout, stderr, globals);
            return await action(ctx);
        }
        catch (Exception e)
        {
            return ReportError(e, stderr, globals.Verbose);
        }
    }

    public static int ReportError(Exception e, TextWriter stderr, bool verbose)
    {
        var (code, message, hint) = Classify(e, verbose);
        stderr.WriteLine($"error: {OneLine(message)}");
        if (hint is not null) stderr.WriteLine($"hint: {OneLine(hint)}");
        if (verbose) stderr.WriteLine(e.ToString());
        return (int)code;
    }

    static (ExitCode, string, string?) Classify(Exception e, bool verbose) => e switch
    {
        AmxException a => (a.Code, a.Message, a.Hint),
        OperationCanceledException => (ExitCode.Failed, "cancelled", null),
        // .NET's own file messages name the path ("Access to the path '/x' is denied."): no type name needed.
        UnauthorizedAccessException or IOException => (ExitCode.Failed, e.Message, "check that the path exists and that you may write there"),
        _ => (ExitCode.Failed, $"{e.GetType().Name}: {e.Message}", verbose ? null : "rerun with --verbose for details"),
    };

    static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
