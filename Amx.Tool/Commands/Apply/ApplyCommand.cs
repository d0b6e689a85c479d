using System.CommandLine;
using Amx.Data.Apply;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Apply;

/// <summary><c>amx apply RUN_ID</c>: writes accepted and edited descriptions as comments, compare-and-set.</summary>
public sealed class ApplyCommand : AmxCommand
{
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run to apply" };
    readonly ApplyFlags _flags = new();

    public ApplyCommand() : base("apply", "Write a run's accepted and edited descriptions as database comments")
    {
        Arguments.Add(_runId);
        _flags.AddTo(this, withCheck: true);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct) =>
        ApplyRunner.RunAsync(ctx, parse, _flags, parse.GetValue(_runId)!, revert: false, ct);
}

/// <summary><c>amx revert RUN_ID</c>: restores the comments a run replaced, under the same compare-and-set rule.</summary>
public sealed class RevertCommand : AmxCommand
{
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run whose comments to restore" };
    readonly ApplyFlags _flags = new();

    public RevertCommand() : base("revert", "Restore the comments a run replaced")
    {
        Arguments.Add(_runId);
        _flags.AddTo(this, withCheck: false);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct) =>
        ApplyRunner.RunAsync(ctx, parse, _flags, parse.GetValue(_runId)!, revert: true, ct);
}

public sealed class ApplyFlags
{
    public readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the exact statements; write nothing" };
    public readonly Option<bool> Force = new("--force") { Description = "Write even where the live comment changed since drafting" };
    public readonly Option<bool> Yes = new("--yes", "-y") { Description = "Do not ask for confirmation (required without a terminal)" };
    public readonly Option<bool> Check = new("--check") { Description = "Report up front every target you cannot comment (privilege, missing object, length)" };
    public readonly Option<bool> AllowTableRebuild = new("--allow-table-rebuild")
    {
        Description = "MySQL/MariaDB: where a comment cannot be changed as metadata only, let the server copy the table (locks and rewrites it)",
    };
    public readonly Option<bool> ReplaceOutsideComments = new("--replace-outside-comments")
    {
        Description = "Replace live comments that amx did not write (by default those targets are skipped and listed)",
    };
    public readonly Option<string?> DbProfile = new("--db-profile") { Description = "Database profile (default: the run's)" };
    public readonly Option<int> ChunkSize = new("--chunk-size")
    {
        Description = "Targets per history transaction (each holds one lock per target; lower it on servers with a small lock table)",
        DefaultValueFactory = _ => new ApplyOptions().ChunkSize,
    };

    public void AddTo(Command c, bool withCheck)
    {
        c.Options.Add(DryRun);
        c.Options.Add(Force);
        c.Options.Add(Yes);
        c.Options.Add(DbProfile);
        c.Options.Add(ChunkSize);
        c.Options.Add(AllowTableRebuild);
        if (withCheck)
        {
            c.Options.Add(Check);
            c.Options.Add(ReplaceOutsideComments);
        }
    }
}

static class ApplyRunner
{
    public static async Task<int> RunAsync(CommandContext ctx, ParseResult parse, ApplyFlags flags, string runId, bool revert, CancellationToken ct)
    {
        var options = new ApplyOptions
        {
            DryRun = parse.GetValue(flags.DryRun), Force = parse.GetValue(flags.Force),
            Check = flags.Check.Parents.Any() && parse.GetValue(flags.Check), DbProfile = parse.GetValue(flags.DbProfile),
            ChunkSize = parse.GetValue(flags.ChunkSize) is var n and >= 1 ? n : throw AmxException.BadInput($"--chunk-size must be at least 1 (got {parse.GetValue(flags.ChunkSize)})"),
            AllowTableRebuild = parse.GetValue(flags.AllowTableRebuild),
            ReplaceOutsideComments = flags.ReplaceOutsideComments.Parents.Any() && parse.GetValue(flags.ReplaceOutsideComments),
        };
        var store = await ctx.OpenHistoryAsync(ct);
        await Amx.Data.Eval.EvalRuns.RefuseAsync(store, runId, revert ? "revert" : "apply", ct);
        // The confirmation needs the preview's counts only: its items are dropped as they come.
        var service = new ApplyService(store, ctx.Config, ctx.Env, ctx.Info, itemSink: static _ => { });
        if (!options.DryRun && !options.Check && !parse.GetValue(flags.Yes))
        {
            if (!ctx.IsInteractive)
                throw AmxException.BadInput($"{(revert ? "revert" : "apply")} changes database comments and needs --yes without a terminal",
                    $"preview with: amx {(revert ? "revert" : "apply")} {runId} --dry-run");
            // The same classification as the real apply: how many, what they replace, and where.
            var preview = revert ? await service.RevertAsync(runId, options with { DryRun = true }, ct) : await service.ApplyAsync(runId, options with { DryRun = true }, ct);
            if (!ctx.Confirm(Question(preview, runId, revert)))
            {
                ctx.Info("Nothing changed.");
                return 0;
            }
        }
        if (options.AllowTableRebuild)
            ctx.Info("warning: --allow-table-rebuild: where the server cannot change a comment as metadata only, it copies the table (locking it while it does).");
        // Every target's outcome that the report lists (json; a dry run's statements) goes to a private temp file as it
        // is decided, and is streamed from there into the report: a million targets are never held.
        await using var spill = ctx.Globals.Output == OutputFormat.Json || options.DryRun || options.Check ? new JsonLinesSpill<ApplyItem>() : null;
        var summary = await ProgressDisplay.RunAsync(ctx, revert ? "reverting" : "applying", p =>
        {
            var withProgress = new ApplyService(store, ctx.Config, ctx.Env, ctx.Info, ProgressDisplay.Counts(p), spill is null ? null : spill.Add);
            return revert ? withProgress.RevertAsync(runId, options, ct) : withProgress.ApplyAsync(runId, options, ct);
        }, finalLine: false);
        await ReportAsync(ctx, summary, revert, spill?.ReadAsync(ct), ct);
        ReportFirstProblem(ctx, summary, revert ? "revert" : "apply", runId);
        return (int)summary.ExitCode;
    }

    /// <summary>The confirmation question of apply, revert and run-apply, from the dry run's classification.</summary>
    public static string Question(ApplySummary preview, string runId, bool revert) => revert
        ? $"Restore the previous comments of {runId} in {preview.Database}: {preview.New + preview.ReplaceOutside} target(s)?"
        : $"Write {preview.New + preview.ReplaceOutside} comment(s) of {runId} to {preview.Database}: {CountsLine(preview)}?";

    /// <summary>"N new, M replace a comment written outside amx" (and how many such targets are left alone).</summary>
    public static string CountsLine(ApplySummary s) =>
        $"{s.New} new, {s.ReplaceOutside} replace a comment written outside amx" +
        (s.Skipped > 0 ? $"; {s.Skipped} with a comment written outside amx skipped (--replace-outside-comments replaces them)" : "");

    /// <summary>One line for scripts and logs: what stopped the run from being fully applied (apply, revert, run-apply).</summary>
    public static void ReportFirstProblem(CommandContext ctx, ApplySummary summary, string verb, string runId)
    {
        if (summary is not { DryRun: false, ExitCode: not ExitCode.Ok }) return;
        var first = summary.Items.First(i => i.Status is ApplyItemStatuses.Conflict or ApplyItemStatuses.Failed);
        var message = summary.Conflicts > 0
            ? $"{Conflicts(summary.Conflicts)} left alone; {first.Target}: {first.Detail}"
            : $"{(summary.Failed == 1 ? "1 target" : $"{summary.Failed} targets")} failed; {first.Target}: {first.Detail}";
        CommandRunner.ReportError(summary.Conflicts > 0
            ? AmxException.Conflict(message, verb == "revert"
                ? $"check who changed them (amx history show {runId}); restore by hand, or overwrite with: amx revert {runId} --force --yes"
                : $"re-draft them (amx run … --missing-only), or overwrite with: amx {verb} {runId} --force --yes")
            : new AmxException(ExitCode.Partial, message, $"fix the cause and run amx {(verb == "run-apply" ? "apply" : verb)} {runId} --yes again: failures stay retryable"), ctx.Err, verbose: false);
    }

    /// <summary>The json report's fields before its per-target <c>results</c>.</summary>
    static object Head(ApplySummary s) => new
    {
        run_id = s.RunId, state = s.State, dry_run = s.DryRun, applied = s.Applied, already_applied = s.AlreadyApplied,
        conflicts = s.Conflicts, failed = s.Failed, skipped = s.Skipped, database = s.Database,
        new_comments = s.New, replace_outside_amx = s.ReplaceOutside,
    };

    static object Json(ApplyItem i) => new { target = i.Target, kind = i.Kind, status = i.Status, detail = i.Detail, statements = i.Statements };

    static async IAsyncEnumerable<object> Json(IAsyncEnumerable<ApplyItem> items)
    {
        await foreach (var i in items) yield return Json(i);
    }

    /// <summary>
    /// The report of apply, revert and their dry runs. <paramref name="items"/> holds every target's outcome when the
    /// service spilled them (json, and every dry run), else the summary's own list is used. A real apply's table lists
    /// the summary's targets, which are those that need a word.
    /// </summary>
    public static async Task ReportAsync(CommandContext ctx, ApplySummary s, bool revert, IAsyncEnumerable<ApplyItem>? items, CancellationToken ct)
    {
        var all = items ?? Listed(s.Items);
        if (ctx.Globals.Output == OutputFormat.Json)
        {
            await JsonOutput.WriteStreamedAsync(ctx.Out, Head(s), "results", Json(all));
            return;
        }
        if (s.DryRun && ctx.Globals.Output == OutputFormat.Table)
        {
            // The exact statements, ready to paste into the database's own client.
            await foreach (var i in all.WithCancellation(ct))
            {
                ctx.Out.WriteLine($"-- {i.Target}: {i.Status}{(i.Detail is null ? "" : " (" + i.Detail + ")")}");
                foreach (var sql in i.Statements ?? []) ctx.Out.WriteLine(sql.TrimEnd(';') + ";");
            }
        }
        ctx.Render(Head(s), () =>
        {
            if (s.DryRun)
            {
                var t0 = new OutputTable();
                t0.Footer.Add($"dry run: {s.WouldApply} would be written to {s.Database} ({CountsLine(s)}), {Conflicts(s.Conflicts)}, nothing changed.");
                return t0;
            }
            var t = new OutputTable("target", "status", "detail");
            // A real apply's summary lists exactly the targets that need a word.
            foreach (var i in s.Items) t.Add(i.Target, i.Status, i.Detail);
            t.Footer.Add($"{s.RunId}: {s.Applied} {(revert ? "reverted" : "applied")}, {s.AlreadyApplied} already in place, {Conflicts(s.Conflicts)}, {s.Failed} failed, {s.Skipped} skipped; run is {s.State}.");
            if (s.Conflicts > 0) t.Footer.Add("Conflicts were left alone: re-draft them (amx run … --missing-only), or overwrite with --force.");
            if (s.Skipped > 0) t.Footer.Add($"{s.Skipped} target(s) with a comment written outside amx were left alone; replace them with: amx apply {s.RunId} --replace-outside-comments --yes");
            if (s.Failed > 0) t.Footer.Add($"Failures stay retryable: fix the cause and run amx {(revert ? "revert" : "apply")} {s.RunId} again.");
            return t;
        });
    }

    static async IAsyncEnumerable<ApplyItem> Listed(IEnumerable<ApplyItem> items)
    {
        foreach (var i in items) yield return i;
        await Task.CompletedTask;
    }

    static string Conflicts(int n) => n == 1 ? "1 conflict" : $"{n} conflicts";
}
