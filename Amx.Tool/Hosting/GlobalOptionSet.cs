using System.CommandLine;

namespace Amx.Tool.Hosting;

public enum OutputFormat { Table, Json, Csv, Md }

/// <summary>Options every verb accepts (declared recursive on the root).</summary>
public static class GlobalOptionSet
{
    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "Output format: table (the default), json, csv or md (json is stable for scripts)",
        HelpName = "table|json|csv|md",
        Recursive = true,
        // No DefaultValueFactory: help would print the enum's name ("Table"); unset is default(OutputFormat) = Table.
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "table";
            switch (text.ToLowerInvariant())
            {
                case "table": return OutputFormat.Table;
                case "json": return OutputFormat.Json;
                case "csv": return OutputFormat.Csv;
                case "md" or "markdown": return OutputFormat.Md;
                default:
                    r.AddError($"unknown output format '{text}' (use table, json, csv or md)");
                    return OutputFormat.Table;
            }
        },
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show details, including stack traces of errors",
        Recursive = true,
    };

    public static readonly Option<bool> NoColor = new("--no-color")
    {
        Description = "Plain output without colours (also when NO_COLOR is set)",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Output);
        root.Options.Add(Verbose);
        root.Options.Add(NoColor);
    }
}
