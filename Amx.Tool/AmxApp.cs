using System.CommandLine;
using Amx.Data.Config;
using Amx.Tool.Hosting;

namespace Amx.Tool;

public static class AmxApp
{
    /// <summary>
    /// Parses and runs one command; parse errors exit 2 with the one-line error format. <paramref name="env"/> (default:
    /// the process's) is where amx lives and reads its variables, so several can run in one process at once.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, AmxEnvironment? env = null)
    {
        // Redirected stdout (a pipe, a file, a script) is block-buffered: Console.Out flushes on every write, which is one
        // system call per line of a 100,000-row table. A terminal keeps Console.Out; Confirm flushes before prompting.
        await using var buffered = stdout is null && Console.IsOutputRedirected
            ? new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false }
            : null;
        var root = CommandTree.Build();
        var parse = root.Parse(args);
        // Every line a verb prints passes the redactor: one place for all output (docs/security.md).
        var output = new RedactingWriter(stdout ?? (TextWriter?)buffered ?? Console.Out);
        var error = new RedactingWriter(stderr ?? Console.Error);
        try
        {
            return await RunAsync(parse, new AmxInvocation { Output = output, Error = error, EnableDefaultExceptionHandler = false, Env = env });
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    static async Task<int> RunAsync(ParseResult parse, InvocationConfiguration config)
    {
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            var err = config.Error;
            // An unknown word is the most useful thing to report; "required command missing" follows from it.
            var first = parse.Errors.FirstOrDefault(e => e.Message.Contains("Unrecognized", StringComparison.OrdinalIgnoreCase)) ?? parse.Errors[0];
            err.WriteLine($"error: {FriendlyParseError(first.Message)}");
            var cmd = parse.CommandResult.Command;
            var path = string.Join(' ', CommandPath(cmd));
            err.WriteLine($"hint: see 'amx {path}{(path.Length > 0 ? " " : "")}--help'".Replace("amx amx", "amx"));
            return 2;
        }
        return await parse.InvokeAsync(config);
    }

    /// <summary>System.CommandLine names .NET types ("System.Int32"); users know numbers and words.</summary>
    internal static string FriendlyParseError(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '(?<type>[\w.]+)'", m => m.Groups["type"].Value switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "as a whole number",
            "System.Double" or "System.Decimal" or "System.Single" => "as a number",
            "System.Boolean" => "as true or false",
            "System.TimeSpan" => "as a duration",
            var other => "as " + other[(other.LastIndexOf('.') + 1)..].ToLowerInvariant(),
        });

    static IEnumerable<string> CommandPath(Command cmd)
    {
        var names = new List<string>();
        for (Command? c = cmd; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c.Name);
        return names;
    }
}

/// <summary>The invocation's settings plus the environment the command runs in (read by CommandRunner).</summary>
public sealed class AmxInvocation : InvocationConfiguration
{
    public AmxEnvironment? Env { get; init; }
}
