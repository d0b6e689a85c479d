using System.CommandLine;
using System.Diagnostics;
using Amx.Data.Apply;
using Amx.Data.Checks;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Commands.Drafting;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Apply;

/// <summary>
/// <c>amx run-apply [SCOPE]</c>: draft, accept by confidence (default high) and apply under one run id —
/// the quarterly whole-warehouse job (<c>--profiling-mode metadata</c>). One run-apply per warehouse at a time (exit 6
/// for the second); <c>--unattended</c> is the cron form (docs/ci-and-cron.md).
/// </summary>
public sealed class RunApplyCommand : AmxCommand
{
    readonly Argument<string?> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column; omit for the whole warehouse", Arity = ArgumentArity.ZeroOrOne };
    readonly RunOptions _options = new(acceptDefault: "high");
    readonly Option<bool> _yes = new("--yes", "-y") { Description = "Do not ask for confirmation (required without a terminal)" };
    readonly Option<bool> _force = new("--force") { Description = "Write even where the live comment changed since drafting" };
    readonly Option<bool> _unattended = new("--unattended") { Description = "For cron and CI: implies --yes and --missing-only, never prompts" };
    readonly Option<bool> _dryRun = new("--dry-run") { Description = "Draft and accept, then print what apply would write (the exact statements); write no comment" };
    readonly ApplyFlags _apply = new();

    public RunApplyCommand() : base("run-apply", "Draft, accept and apply in one go (no scope: the whole warehouse)")
    {
        Arguments.Add(_scope);
        _options.AddTo(this);
        Options.Add(_yes);
        Options.Add(_force);
        Options.Add(_unattended);
        Options.Add(_dryRun);
        Options.Add(_apply.AllowTableRebuild);
        Options.Add(_apply.ReplaceOutsideComments);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var unattended = parse.GetValue(_unattended);
        var request = _options.ToRequest(ctx, parse, parse.GetValue(_scope), "run-apply");
        // Scheduled runs fill gaps only: a comment someone wrote since the last run is never redrafted.
        if (unattended) request = request with { MissingOnly = true };
        var dryRun = parse.GetValue(_dryRun);
        if (dryRun && unattended)
            throw AmxException.BadInput("--dry-run and --unattended contradict each other", "preview with --dry-run, schedule with --unattended");
        var confirm = !dryRun && !unattended && !parse.GetValue(_yes);
        // Checked before drafting: without a terminal there is nobody to ask, so no drafting is spent first.
        if (confirm && !ctx.IsInteractive)
            throw AmxException.BadInput("run-apply changes database comments and needs --yes without a terminal",
                "draft and review first with: amx run SCOPE, or preview with --dry-run, or pass --yes (cron: --unattended)");
        var store = await ctx.OpenHistoryAsync(ct);
        // Held until this process ends: an overlapping invocation (the next cron firing, a colleague) exits 6.
        await using var scheduled = await ScheduledWorkLock.AcquireAsync(store, request.DbProfile, ct);
        var drafted = await DraftingHost.RunAsync(ctx, request, ct, store);
        var options = new ApplyOptions
        {
            Force = parse.GetValue(_force), AllowTableRebuild = parse.GetValue(_apply.AllowTableRebuild),
            ReplaceOutsideComments = parse.GetValue(_apply.ReplaceOutsideComments),
        };
        if (dryRun || confirm)
        {
            // The same classification and counts as amx apply's dry run and prompt, now that the drafts exist.
            // The dry run's statements are spilled as they are decided; the confirmation needs only the counts.
            await using var spill = dryRun ? new JsonLinesSpill<ApplyItem>() : null;
            var preview = await new ApplyService(store, ctx.Config, ctx.Env, ctx.Info, itemSink: spill is null ? static _ => { } : spill.Add)
                .ApplyAsync(drafted.RunId, options with { DryRun = true }, ct);
            if (dryRun)
            {
                ctx.Info($"Drafted {drafted.Ok} targets ({drafted.Failed} failed), accepted {drafted.Accepted}; nothing written: apply them with amx apply {drafted.RunId}");
                await ApplyRunner.ReportAsync(ctx, preview, revert: false, spill!.ReadAsync(ct), ct);
                return (int)preview.ExitCode;
            }
            if (!ctx.Confirm(ApplyRunner.Question(preview, drafted.RunId, revert: false)))
            {
                ctx.Info($"Nothing written; the drafts stay in {drafted.RunId} (review them: amx review {drafted.RunId}; apply them: amx apply {drafted.RunId}).");
                return 0;
            }
        }
        ApplySummary applied;
        var appliedNothing = drafted.Accepted == 0 && request.ResumeRunId is null;
        if (appliedNothing)
        {
            // Nothing was accepted (--accept none, or no draft reached the level): no apply to start, no run to lock and
            // scan again; the run stays drafted for a review.
            ctx.Info($"Drafted {drafted.Ok} targets ({drafted.Failed} failed), accepted 0; nothing to apply. Review first: amx review {drafted.RunId} --accept high");
            applied = new ApplySummary(drafted.RunId, drafted.State, 0, 0, 0, 0, 0, [], false);
        }
        else
        {
            ctx.Info($"Drafted {drafted.Ok} targets ({drafted.Failed} failed), accepted {drafted.Accepted}; applying…");
            applied = await ProgressDisplay.RunAsync(ctx, "applying", p =>
                new ApplyService(store, ctx.Config, ctx.Env, ctx.Info, ProgressDisplay.Counts(p)).ApplyAsync(drafted.RunId, options, ct));
        }
        // Nothing written since the run's closing tally: its outcomes are still what the store records.
        var (total, perSchema) = appliedNothing && drafted.Outcomes is { } outcomes
            ? RunApplyTally.Of(outcomes)
            : await RunApplyTally.ReadAsync(store, drafted.RunId, ct);
        var exit = ExitFor(total);
        ctx.Render(new
        {
            run_id = drafted.RunId, state = applied.State, exit_code = exit,
            drafted = total.Drafted, accepted = total.Accepted, applied = total.Applied, conflicts = total.Conflicts, failed = total.Failed,
            skipped = drafted.SkippedExisting, draft_failed = drafted.Failed, already_applied = applied.AlreadyApplied,
            skipped_outside_amx = applied.Skipped,
            duration_seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            schemas = perSchema.Select(kv => new
            {
                schema = kv.Key, drafted = kv.Value.Drafted, accepted = kv.Value.Accepted, applied = kv.Value.Applied,
                conflicts = kv.Value.Conflicts, failed = kv.Value.Failed,
            }),
        }, () =>
        {
            var t = new OutputTable("schema", "drafted", "accepted", "applied", "conflicts", "failed");
            foreach (var (schema, c) in perSchema)
                t.Add(schema, c.Drafted.ToString(), c.Accepted.ToString(), c.Applied.ToString(), c.Conflicts.ToString(), c.Failed.ToString());
            t.Footer.Add($"{drafted.RunId}: {total.Drafted} drafted, {total.Accepted} accepted, {total.Applied} applied, {total.Conflicts} conflicts, " +
                         $"{total.Failed} failed, {drafted.SkippedExisting} skipped (already described); run is {applied.State}; {clock.Elapsed.TotalSeconds:0.#} s.");
            return t;
        });
        ApplyRunner.ReportFirstProblem(ctx, applied, "run-apply", drafted.RunId);
        return exit;
    }

    /// <summary>1 when work failed and nothing was applied, 4 when part of it was, 3 for conflicts alone (docs/ci-and-cron.md).</summary>
    static int ExitFor(RunApplyCounts c) =>
        c.Failed > 0 ? (c.Applied == 0 ? (int)ExitCode.Failed : (int)ExitCode.Partial)
        : c.Conflicts > 0 ? (int)ExitCode.Conflict
        : 0;
}
