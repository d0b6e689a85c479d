using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.Export;
using Amx.Data.Export.Dbt;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Export;

/// <summary>
/// <c>amx export RUN_ID --format sql|csv|json|md [--backend B] [--file FILE]</c>: the run's statements for change
/// management, or its results for spreadsheets and wikis; <c>--format dbt --project DIR</c> writes the accepted
/// descriptions into a dbt project's YAML (docs/context-and-export.md).
/// </summary>
public sealed class ExportCommand : AmxCommand
{
    static readonly string[] Formats = ["sql", "csv", "json", "md", "dbt"];
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run to export" };
    readonly Option<string> _format = new("--format") { Description = "sql (the statements apply would run), csv, json or md (the results), dbt (into a dbt project)", Required = true };
    readonly Option<string?> _backend = new("--backend") { Description = "sql: render for this backend (default: the run's)" };
    readonly Option<string?> _file = new("--file") { Description = "Write to FILE instead of standard output" };
    readonly Option<string?> _project = new("--project") { Description = "dbt: the dbt project folder (holding dbt_project.yml)" };
    readonly Option<bool> _overwrite = new("--overwrite-dbt-descriptions") { Description = "dbt: replace descriptions a person already wrote in the project (kept by default)" };
    readonly Option<bool> _dryRun = new("--dry-run") { Description = "dbt: show what would change, write nothing" };

    public ExportCommand() : base("export", "Export a run: SQL for a DBA or a migration tool, its results as csv, json or md, or its descriptions into a dbt project")
    {
        Arguments.Add(_runId);
        Options.Add(_format);
        Options.Add(_backend);
        Options.Add(_file);
        Options.Add(_project);
        Options.Add(_overwrite);
        Options.Add(_dryRun);
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
        if (format != "dbt" && (parse.GetValue(_project) is not null || parse.GetValue(_overwrite) || parse.GetValue(_dryRun)))
            throw AmxException.BadInput("--project, --overwrite-dbt-descriptions and --dry-run apply to --format dbt only");
        if (format == "dbt") return await ExportDbtAsync(ctx, parse, ct);

        var store = await ctx.OpenHistoryAsync(ct);
        var runId = parse.GetValue(_runId)!;
        await Amx.Data.Eval.EvalRuns.RefuseAsync(store, runId, "export", ct);
        var file = parse.GetValue(_file);
        // Written as it is read (a million-result run is never held); a file appears only complete, via a temp file beside it.
        var tmp = file is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, $".{Path.GetFileName(file)}.{Environment.ProcessId}.tmp");
        try
        {
            await using (var writer = tmp is null ? null : OpenFile(tmp, file!))
            {
                var o = writer ?? ctx.Out;
                if (format == "sql") await new SqlExport(store, ctx.Config).WriteAsync(o, runId, backend, ct);
                else await WriteResultsAsync(o, format, store, await store.FindRunAsync(runId, ct), ct);
            }
            if (tmp is not null)
            {
                File.Move(tmp, file!, overwrite: true);
                ctx.Info($"Wrote {file}");
            }
        }
        finally
        {
            if (tmp is not null && File.Exists(tmp)) File.Delete(tmp);
        }
        return 0;
    }

    /// <summary>csv, json or md: one row per result, in target order, each written as it is read.</summary>
    static async Task WriteResultsAsync(TextWriter o, string format, Amx.Data.History.HistoryStore store, Amx.Data.History.Model.HistoryRun run, CancellationToken ct)
    {
        var results = store.StreamResultsAsync(run.RunId, full: true, ct);
        if (format == "json")
        {
            await JsonOutput.WriteArrayStreamedAsync(o, Json(results));
            return;
        }
        string[] columns = ["target", "kind", "description", "confidence", "decision", "previous_comment", "applied"];
        var csv = format == "csv";
        if (csv) CsvFormatter.WriteRow(o, columns);
        else MarkdownFormatter.WriteHeader(o, columns);
        await foreach (var r in results)
        {
            string?[] row = [r.TargetQname, r.TargetKind, r.Description, r.Confidence, r.Decision, r.PreviousComment, r.Applied ? "true" : "false"];
            if (csv) CsvFormatter.WriteRow(o, row);
            else MarkdownFormatter.WriteRow(o, row);
        }
    }

    static async IAsyncEnumerable<object> Json(IAsyncEnumerable<Amx.Data.History.Model.HistoryResult> results)
    {
        await foreach (var r in results)
            yield return new
            {
                target = r.TargetQname, kind = r.TargetKind, description = r.Description, confidence = r.Confidence,
                decision = r.Decision, previous_comment = r.PreviousComment, applied = r.Applied, error = r.Error,
            };
    }

    static StreamWriter OpenFile(string tmp, string file)
    {
        try { return new StreamWriter(tmp, append: false, new System.Text.UTF8Encoding(false)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AmxException.BadInput($"cannot write {file}: {FileErrors.Cause(e)}", "give a path in an existing directory you can write to");
        }
    }

    async Task<int> ExportDbtAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var project = parse.GetValue(_project)
                      ?? throw AmxException.BadInput("--format dbt needs --project DIR", "the folder that holds dbt_project.yml");
        if (parse.GetValue(_file) is not null)
            throw AmxException.BadInput("--file does not apply to --format dbt", "it writes into the project's YAML; --dry-run shows what would change");
        var dryRun = parse.GetValue(_dryRun);
        var store = await ctx.OpenHistoryAsync(ct);
        var result = await new DbtExport(store).ExportAsync(parse.GetValue(_runId)!, project, parse.GetValue(_overwrite), dryRun, ct);
        var summary = $"{result.Count(DbtActions.Set)} set, {result.Count(DbtActions.Added)} added, {result.Count(DbtActions.Overwritten)} overwritten, " +
                      $"{result.Count(DbtActions.Kept)} kept, {result.Count(DbtActions.Unchanged)} unchanged, {result.Count(DbtActions.Skipped)} skipped, " +
                      $"{result.Count(DbtActions.Unmatched)} with no dbt model or source";
        ctx.Render(new
        {
            project, dry_run = dryRun, files = result.Files,
            changes = result.Changes.Select(c => new { target = c.Target, action = c.Action, file = c.File, line = c.Line, note = c.Note }).ToList(),
        }, () =>
        {
            var t = new OutputTable("target", "action", "file", "note");
            foreach (var c in result.Changes) t.Add(c.Target, c.Action, c.File is null ? null : c.Line is null ? c.File : $"{c.File}:{c.Line}", c.Note);
            t.Footer.Add(summary);
            t.Footer.Add(dryRun ? $"Dry run: would change {result.Files.Count} file(s); nothing written." : $"Changed {result.Files.Count} file(s).");
            if (result.Count(DbtActions.Kept) > 0 && !parse.GetValue(_overwrite))
                t.Footer.Add("Descriptions a person wrote in the project were kept; --overwrite-dbt-descriptions replaces them.");
            return t;
        });
        return 0;
    }
}
