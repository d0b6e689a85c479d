using System.CommandLine;
using Amx.Data.Drafting;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Drafting;

/// <summary><c>amx run SCOPE</c>: drafts descriptions into the history store; the run ends <c>drafted</c>.</summary>
public sealed class RunCommand : AmxCommand
{
    readonly Argument<string?> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column (omit with --resume)", Arity = ArgumentArity.ZeroOrOne };
    readonly Option<string?> _resume = new("--resume") { Description = "Continue an interrupted run: draft only what is missing" };
    readonly RunOptions _options = new(acceptDefault: "none");

    public RunCommand() : base("run", "Draft descriptions for a scope (schema, schema.table or schema.table.column)")
    {
        Arguments.Add(_scope);
        Options.Add(_resume);
        _options.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var scope = parse.GetValue(_scope);
        var resume = parse.GetValue(_resume);
        if (scope is null && resume is null)
            throw AmxException.BadInput("a scope is required", "amx run sales  (or sales.customer, or --resume RUN_ID; the whole warehouse: amx run-apply)");
        // A resumed run goes on against the database and with the llm profile it started with, unless told otherwise.
        var store = await ctx.OpenHistoryAsync(ct);
        var resumed = resume is null ? null : await store.FindRunAsync(resume, ct);
        if (resumed is not null) Amx.Data.Eval.EvalRuns.Refuse(resumed, "run --resume");
        var request = _options.ToRequest(ctx, parse, scope, "run", resumed?.DbProfile,
            resumed is null ? null : () => RunResume.LlmProfileOf(resumed, ctx.Config)) with { ResumeRunId = resume };
        var summary = await DraftingHost.RunAsync(ctx, request, ct, store);
        RunReport.Print(ctx, summary);
        return RunReport.ExitCode(summary);
    }
}

/// <summary>Runs the drafting service with the host's progress display.</summary>
public static class DraftingHost
{
    public static async Task<RunSummary> RunAsync(CommandContext ctx, RunRequest request, CancellationToken ct,
        Amx.Data.History.HistoryStore? store = null)
    {
        store ??= await ctx.OpenHistoryAsync(ct);
        return await ProgressDisplay.RunAsync(ctx, "drafting", progress =>
            new RunService(store, ctx.Env, ctx.Info, progress).RunAsync(request, ct));
    }
}

public static class RunReport
{
    public static void Print(CommandContext ctx, RunSummary s)
    {
        ctx.Render(new
        {
            run_id = s.RunId, state = s.State, ok = s.Ok, fail = s.Failed, skipped_existing = s.SkippedExisting,
            accepted = s.Accepted, tables = s.Tables, seconds = Math.Round(s.Duration.TotalSeconds, 3), note = s.LocalFallbackNote,
        }, () =>
        {
            var t = new OutputTable("run_id", "state", "tables", "ok", "fail", "accepted");
            t.Add(s.RunId, s.State, s.Tables.ToString(), s.Ok.ToString(), s.Failed.ToString(), s.Accepted.ToString());
            t.Footer.Add($"Review: amx review {s.RunId} --export review.yml   ·   Show: amx history show {s.RunId}");
            if (s.LocalFallbackNote is not null) t.Footer.Add("note: " + s.LocalFallbackNote);
            return t;
        });
    }

    /// <summary>4 when some targets failed and others were drafted; 1 when none was drafted.</summary>
    public static int ExitCode(RunSummary s) =>
        s.Failed == 0 ? 0 : s.Ok == 0 ? (int)Amx.Data.Errors.ExitCode.Failed : (int)Amx.Data.Errors.ExitCode.Partial;
}
