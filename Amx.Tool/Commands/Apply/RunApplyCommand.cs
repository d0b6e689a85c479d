using System.CommandLine;
using Amx.Data.Apply;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Commands.Drafting;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Apply;

/// <summary>
/// <c>amx run-apply [SCOPE]</c>: draft, accept by confidence (default high) and apply under one run id —
/// the quarterly whole-warehouse job (<c>--profiling-mode metadata</c>).
/// </summary>
public sealed class RunApplyCommand : AmxCommand
{
    readonly Argument<string?> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column; omit for the whole warehouse", Arity = ArgumentArity.ZeroOrOne };
    readonly RunOptions _options = new(acceptDefault: "high");
    readonly Option<bool> _yes = new("--yes", "-y") { Description = "Do not ask for confirmation (required without a terminal)" };
    readonly Option<bool> _force = new("--force") { Description = "Write even where the live comment changed since drafting" };
    readonly ApplyFlags _apply = new();

    public RunApplyCommand() : base("run-apply", "Draft, accept and apply in one go (no scope: the whole warehouse)")
    {
        Arguments.Add(_scope);
        _options.AddTo(this);
        Options.Add(_yes);
        Options.Add(_force);
        Options.Add(_apply.AllowTableRebuild);
        Options.Add(_apply.ReplaceOutsideComments);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var request = _options.ToRequest(ctx, parse, parse.GetValue(_scope), "run-apply");
        if (!parse.GetValue(_yes))
        {
            if (!ctx.IsInteractive)
                throw AmxException.BadInput("run-apply changes database comments and needs --yes without a terminal",
                    "draft and review first with: amx run SCOPE, or pass --yes");
            if (!ctx.Confirm($"Draft {request.Scope ?? "the whole warehouse"} and apply the {request.Accept.ToString().ToLowerInvariant()}-confidence drafts?"))
                return 0;
        }
        var drafted = await DraftingHost.RunAsync(ctx, request, ct);
        ctx.Info($"Drafted {drafted.Ok} targets ({drafted.Failed} failed), accepted {drafted.Accepted}; applying…");
        var store = await ctx.OpenHistoryAsync(ct);
        var applied = await new ApplyService(store, ctx.Config, ctx.Env, ctx.Info)
            .ApplyAsync(drafted.RunId, new ApplyOptions
            {
                Force = parse.GetValue(_force), AllowTableRebuild = parse.GetValue(_apply.AllowTableRebuild),
                ReplaceOutsideComments = parse.GetValue(_apply.ReplaceOutsideComments),
            }, ct);
        ctx.Render(new
        {
            run_id = drafted.RunId, state = applied.State, drafted = drafted.Ok, draft_failed = drafted.Failed, accepted = drafted.Accepted,
            applied = applied.Applied, already_applied = applied.AlreadyApplied, conflicts = applied.Conflicts, failed = applied.Failed,
            skipped = applied.Skipped,
        }, () =>
        {
            var t = new OutputTable("run_id", "state", "drafted", "accepted", "applied", "conflicts", "failed");
            t.Add(drafted.RunId, applied.State, drafted.Ok.ToString(), drafted.Accepted.ToString(), applied.Applied.ToString(),
                applied.Conflicts.ToString(), (drafted.Failed + applied.Failed).ToString());
            return t;
        });
        ApplyRunner.ReportFirstProblem(ctx, applied, "run-apply", drafted.RunId);
        if (applied.Conflicts > 0) return (int)ExitCode.Conflict;
        return drafted.Failed + applied.Failed > 0 ? (int)ExitCode.Partial : 0;
    }
}
