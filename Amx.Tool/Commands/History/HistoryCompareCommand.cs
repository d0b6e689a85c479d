using System.CommandLine;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.History;

/// <summary><c>amx history compare RUN_A RUN_B [--filter PREFIX]</c>: the two runs side by side, per target.</summary>
public sealed class HistoryCompareCommand : AmxCommand
{
    const string NoDescription = "(no description)";
    readonly Argument<string> _a = new("RUN_A") { Description = "First run" };
    readonly Argument<string> _b = new("RUN_B") { Description = "Second run" };
    readonly Option<string?> _filter = new("--filter") { Description = "Only targets whose name starts with PREFIX (e.g. sales.customer)" };

    public HistoryCompareCommand() : base("compare", "Compare two runs' descriptions target by target")
    {
        Arguments.Add(_a);
        Arguments.Add(_b);
        Options.Add(_filter);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = await Amx.Data.History.HistoryStore.OpenForReadingAsync(ctx.Config, ctx.Env, ct);
        var a = await store.ReadRunAsync(parse.GetValue(_a)!, ct);
        var b = await store.ReadRunAsync(parse.GetValue(_b)!, ct);
        var rows = RunComparison.Compare(a, await store.ReadAsync(r => r.DescriptionsAsync(a.RunId, ct), ct),
            b, await store.ReadAsync(r => r.DescriptionsAsync(b.RunId, ct), ct), parse.GetValue(_filter)).ToList();
        var counts = rows.GroupBy(r => r.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

        ctx.Render(new
        {
            left = new { run_id = a.RunId, who = a.Who, started_at = RunJson.Utc(a.StartedAt) },
            right = new { run_id = b.RunId, who = b.Who, started_at = RunJson.Utc(b.StartedAt) },
            rows = rows.Select(r => new { target = r.Target, left = r.Left, right = r.Right, status = r.Status }),
            counts,
            scores = new[] { a, b }.Where(x => x.RunKind == Amx.Data.History.Model.RunKinds.Eval).Select(EvalScores).ToList(),
        }, () =>
        {
            var t = new OutputTable("target", $"{a.Who} ({RelativeTime.Ago(a.StartedAt, brief: true)})", $"{b.Who} ({RelativeTime.Ago(b.StartedAt, brief: true)})", "status");
            // csv carries the raw texts (a missing side is an empty field); table and markdown quote them as on the page.
            var show = ctx.Globals.Output == OutputFormat.Csv ? (Func<string?, string?>)(d => d) : Show;
            foreach (var r in rows) t.Add(r.Target, show(r.Left), show(r.Right), r.Status);
            t.Footer.Add(rows.Count == 0 ? "No targets to compare." : string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
            // Eval runs (docs/drafting-quality.md): how the scores moved between the two.
            foreach (var run in new[] { a, b }.Where(x => x.RunKind == Amx.Data.History.Model.RunKinds.Eval))
            {
                var e = EvalScores(run);
                t.Footer.Add($"eval {e.run_id} ({e.model}): token_f1={e.token_f1:0.000} rouge_l={e.rouge_l:0.000}");
            }
            return t;
        });
        return 0;
    }

    static EvalScore EvalScores(Amx.Data.History.Model.HistoryRun r)
    {
        var meta = RunMetadata.Read(r.MetadataJson);
        return new EvalScore(r.RunId, $"{r.LlmProvider} {r.LlmModel}", meta.MeanTokenF1, meta.MeanRougeL, meta.InstructionsHash, meta.ContextFingerprint);
    }

    sealed record EvalScore(string run_id, string model, double? token_f1, double? rouge_l, string? instructions_hash, string? context_fingerprint);

    static string Show(string? description) => description is null ? NoDescription : $"\"{description}\"";
}
