using Amx.Tool.Hosting;

namespace Amx.Tool.Output;

/// <summary>Picks the formatter for <c>--output</c>.</summary>
public static class Renderer
{
    /// <summary>json renders <paramref name="jsonModel"/>; the other formats render <paramref name="table"/>.</summary>
    public static void Render(this CommandContext ctx, object jsonModel, Func<OutputTable> table)
    {
        if (ctx.Globals.Output == OutputFormat.Json)
        {
            JsonOutput.Write(ctx.Out, jsonModel);
            return;
        }
        For(ctx).Write(ctx.Out, table());
    }

    public static IOutputFormatter For(CommandContext ctx) => ctx.Globals.Output switch
    {
        OutputFormat.Csv => new CsvFormatter(),
        OutputFormat.Md => new MarkdownFormatter(),
        _ => new TableFormatter(color: !ctx.Globals.NoColor && !Console.IsOutputRedirected),
    };
}
