using System.CommandLine;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
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
        var a = await store.FindRunAsync(parse.GetValue(_a)!, ct);
        var b = await store.FindRunAsync(parse.GetValue(_b)!, ct);
        var filter = parse.GetValue(_filter);
        var shape = Shape(ctx, a, b);
        await store.ReadAsync(async reader =>
        {
            // A merge join of two cursors in byte order (docs/history-store.md): flat memory at any size.
            var output = new CompareOutput(ctx, shape);
            try
            {
                await foreach (var row in RunComparison.MergeAsync(a, reader.OrderedDescriptionsAsync(a.RunId, filter, ct),
                                   b, reader.OrderedDescriptionsAsync(b.RunId, filter, ct), ct))
                    output.Add(row);
            }
            catch (ByteOrderException) when (!output.Streaming)
            {
                // The server's order was not byte order after all: read both runs again and sort here, as the hash does.
                output = new CompareOutput(ctx, shape);
                foreach (var row in RunComparison.Compare(a, await reader.DescriptionsAsync(a.RunId, ct), b, await reader.DescriptionsAsync(b.RunId, ct), filter))
                    output.Add(row);
            }
            catch (ByteOrderException e)
            {
                throw AmxException.Failed($"history compare stopped part-way: {e.Message}",
                    "the store's collation is not byte order for these names; compare fewer than 2,000 targets at a time with --filter");
            }
            output.Finish();
            return 0;
        }, ct);
        return 0;
    }

    CompareOutput.Shape Shape(CommandContext ctx, HistoryRun a, HistoryRun b)
    {
        var left = new { run_id = a.RunId, who = a.Who, started_at = RunJson.Utc(a.StartedAt) };
        var right = new { run_id = b.RunId, who = b.Who, started_at = RunJson.Utc(b.StartedAt) };
        var evalRuns = new[] { a, b }.Where(x => x.RunKind == Amx.Data.History.Model.RunKinds.Eval).ToList();
        var scores = evalRuns.Select(EvalScores).ToList();
        string[] columns = ["target", $"{a.Who} ({RelativeTime.Ago(a.StartedAt, brief: true)})", $"{b.Who} ({RelativeTime.Ago(b.StartedAt, brief: true)})", "status"];
        // csv carries the raw texts (a missing side is an empty field); table and markdown quote them as on the page.
        var show = ctx.Globals.Output == OutputFormat.Csv ? (Func<string?, string?>)(d => d) : Show;
        string?[] Cells(ComparisonRow r) => [r.Target, show(r.Left), show(r.Right), r.Status];

        IEnumerable<string> Footer(IReadOnlyDictionary<string, int> counts, int total)
        {
            yield return total == 0 ? "No targets to compare." : string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"));
            // Eval runs (docs/drafting-quality.md): how the scores moved between the two.
            foreach (var e in scores) yield return $"eval {e.run_id} ({e.model}): token_f1={e.token_f1:0.000} rouge_l={e.rouge_l:0.000}";
        }

        void RenderWhole(IReadOnlyList<ComparisonRow> rows, IReadOnlyDictionary<string, int> counts) => ctx.Render(new
        {
            left,
            right,
            rows = rows.Select(r => new { target = r.Target, left = r.Left, right = r.Right, status = r.Status }),
            counts,
            scores,
        }, () =>
        {
            var t = new OutputTable(columns);
            foreach (var r in rows) t.Add(Cells(r));
            t.Footer.AddRange(Footer(counts, rows.Count));
            return t;
        });

        return new CompareOutput.Shape(columns, Cells, left, right, scores, Footer, RenderWhole);
    }

    static EvalScore EvalScores(Amx.Data.History.Model.HistoryRun r)
    {
        var meta = RunMetadata.Read(r.MetadataJson);
        return new EvalScore(r.RunId, $"{r.LlmProvider} {r.LlmModel}", meta.MeanTokenF1, meta.MeanRougeL, meta.InstructionsHash, meta.ContextFingerprint);
    }

    sealed record EvalScore(string run_id, string model, double? token_f1, double? rouge_l, string? instructions_hash, string? context_fingerprint);

    static string Show(string? description) => description is null ? NoDescription : $"\"{description}\"";
}
