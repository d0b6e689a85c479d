using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Export;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Export;

/// <summary>
/// <c>amx export RUN_ID --format sql|csv|json|md [--backend B] [--file FILE]</c>: the run's statements for change
/// management, or its results for spreadsheets and wikis (docs/context-and-export.md).
/// </summary>
public sealed class ExportCommand : AmxCommand
{
    static readonly string[] Formats = ["sql", "csv", "json", "md"];
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run to export" };
    readonly Option<string> _format = new("--format") { Description = "sql (the statements apply would run), csv, json or md (the results)", Required = true };
    readonly Option<string?> _backend = new("--backend") { Description = "sql: render for this backend (default: the run's)" };
    readonly Option<string?> _file = new("--file") { Description = "Write to FILE instead of standard output" };

    public ExportCommand() : base("export", "Export a run: SQL for a DBA or a migration tool, or its results as csv, json or md")
    {
        Arguments.Add(_runId);
        Options.Add(_format);
        Options.Add(_backend);
        Options.Add(_file);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var format = parse.GetValue(_format)!.ToLowerInvariant();
        if (!Formats.Contains(format))
            throw AmxException.BadInput($"unknown export format '{format}'", $"use one of: {string.Join(", ", Formats)}");
        Backend? backend = null;
        if (parse.GetValue(_backend) is { } b)
            backend = BackendNames.TryParse(b, out var parsed) ? parsed
                : throw AmxException.BadInput($"unknown backend '{b}'", $"use one of: {string.Join(", ", BackendNames.All)}");
        if (backend is not null && format != "sql")
            throw AmxException.BadInput("--backend applies to --format sql only");

        var store = await ctx.OpenHistoryAsync(ct);
        var runId = parse.GetValue(_runId)!;
        await Amx.Data.Eval.EvalRuns.RefuseAsync(store, runId, "export", ct);
        var writer = new StringWriter();
        if (format == "sql") writer.Write(await new SqlExport(store, ctx.Config).RenderAsync(runId, backend, ct));
        else
        {
            var run = await store.FindRunAsync(runId, ct);
            var results = await store.GetResultsAsync(run.RunId, ct);
            if (format == "json")
                JsonOutput.Write(writer, results.Select(r => new
                {
                    target = r.TargetQname, kind = r.TargetKind, description = r.Description, confidence = r.Confidence,
                    decision = r.Decision, previous_comment = r.PreviousComment, applied = r.Applied, error = r.Error,
                }).ToList());
            else
            {
                var t = new OutputTable("target", "kind", "description", "confidence", "decision", "previous_comment", "applied");
                foreach (var r in results)
                    t.Add(r.TargetQname, r.TargetKind, r.Description, r.Confidence, r.Decision, r.PreviousComment, r.Applied ? "true" : "false");
                IOutputFormatter f = format == "csv" ? new CsvFormatter() : new MarkdownFormatter();
                f.Write(writer, t);
            }
        }
        if (parse.GetValue(_file) is { } file)
        {
            await File.WriteAllTextAsync(file, writer.ToString(), ct);
            ctx.Info($"Wrote {file}");
        }
        else ctx.Out.Write(writer.ToString());
        return 0;
    }
}
