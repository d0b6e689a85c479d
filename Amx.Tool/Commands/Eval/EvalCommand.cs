using System.CommandLine;
using System.Globalization;
using Amx.Data.Eval;
using Amx.Data.Errors;
using Amx.Tool.Commands.Drafting;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Eval;

/// <summary>
/// <c>amx eval SCOPE</c>: drafts the documented targets with their comments hidden, scores the drafts against the
/// human text and records the eval in the history (run kind eval). Writes nothing to the warehouse.
/// </summary>
public sealed class EvalCommand : AmxCommand
{
    readonly Argument<string> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column" };
    readonly Option<string?> _llm = new("--llm-profile") { Description = "LLM profile to evaluate (default: active_llm_profile)" };
    readonly Option<string?> _db = new("--db-profile") { Description = "Database profile (default: active_db_profile)" };
    readonly Option<bool> _judge = new("--judge") { Description = "Also ask the LLM profile to judge each draft against the human text" };
    readonly Option<string> _mode = new("--profiling-mode") { Description = "metadata, sampled or full", DefaultValueFactory = _ => "metadata" };
    readonly Option<int> _batch = new("--batch-size") { Description = "Targets per LLM request", DefaultValueFactory = _ => 20 };
    readonly Option<int> _concurrency = new("--concurrency") { Description = "LLM requests in flight at once", DefaultValueFactory = _ => 4 };
    readonly Option<int> _timeout = new("--timeout") { Description = "Seconds per LLM request", DefaultValueFactory = _ => 120 };

    public EvalCommand() : base("eval", "Score drafts against the comments a scope already has (comments hidden from the drafter)")
    {
        Arguments.Add(_scope);
        foreach (var o in new Option[] { _llm, _db, _judge, _mode, _batch, _concurrency, _timeout }) Options.Add(o);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var request = new EvalRequest
        {
            Scope = parse.GetValue(_scope)!,
            DbProfile = ctx.Config.GetDbProfile(parse.GetValue(_db)),
            LlmProfile = ctx.Config.GetLlmProfile(parse.GetValue(_llm)),
            Judge = parse.GetValue(_judge),
            ProfilingMode = RunOptions.ParseMode(parse.GetValue(_mode)),
            BatchSize = Positive(parse.GetValue(_batch), "--batch-size"),
            Concurrency = Positive(parse.GetValue(_concurrency), "--concurrency"),
            RequestTimeout = TimeSpan.FromSeconds(Positive(parse.GetValue(_timeout), "--timeout")),
        };
        var store = await ctx.OpenHistoryAsync(ct);
        var s = await new EvalService(store, ctx.Env, ctx.Info).RunAsync(request, ct);
        ctx.Render(new
        {
            run_id = s.RunId, provider = s.Provider, model = s.Model, instructions_hash = s.InstructionsHash,
            context_fingerprint = s.ContextFingerprint, seconds = Math.Round(s.Duration.TotalSeconds, 3),
            groups = s.Groups.Select(g => new
            {
                group = g.Group, count = g.Count, token_f1 = g.MeanTokenF1, rouge_l = g.MeanRougeL,
                share_f1_at_least_half = g.ShareF1AtLeastHalf, judge = g.MeanJudge,
            }),
            targets = s.Targets.Select(t => new
            {
                target = t.Target, kind = t.Kind, human = t.Human, draft = t.Draft, confidence = t.Confidence,
                token_f1 = t.TokenF1, rouge_l = t.RougeL, judge = t.JudgeScore, judge_reason = t.JudgeReason, error = t.Error,
            }),
        }, () =>
        {
            var table = new OutputTable("target", "confidence", "token_f1", "rouge_l", "judge", "judge_reason", "draft", "human");
            foreach (var t in s.Targets)
                table.Add(t.Target, t.Confidence, F(t.TokenF1), F(t.RougeL), t.JudgeScore is { } j ? F(j) : null, t.JudgeReason,
                    t.Draft ?? $"(failed: {t.Error})", t.Human);
            foreach (var g in s.Groups)
                table.Footer.Add($"{g.Group,-18} n={g.Count,-5} token_f1={F(g.MeanTokenF1)}  rouge_l={F(g.MeanRougeL)}  " +
                                 $"f1>=0.5: {g.ShareF1AtLeastHalf:P0}" + (g.MeanJudge is { } mj ? $"  judge={F(mj)}" : ""));
            table.Footer.Add($"Recorded as {s.RunId} (kind eval, {s.Provider} {s.Model}). Compare: amx history compare RUN_A {s.RunId}");
            return table;
        });
        return 0;
    }

    static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    static int Positive(int value, string name) =>
        value >= 1 ? value : throw AmxException.BadInput($"{name} must be at least 1 (got {value})");
}
