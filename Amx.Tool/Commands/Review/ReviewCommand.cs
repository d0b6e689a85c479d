using System.CommandLine;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.Review;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Review;

/// <summary><c>amx review RUN_ID</c>: accept, edit or reject drafts by flag, or through an exported file.</summary>
public sealed class ReviewCommand : AmxCommand
{
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run to review" };
    readonly Option<string[]> _accept = new("--accept") { Description = "all, high, medium (high+medium) or target names", AllowMultipleArgumentsPerToken = true };
    readonly Option<string[]> _reject = new("--reject") { Description = "Target names to reject", AllowMultipleArgumentsPerToken = true };
    readonly Option<string[]> _set = new("--set") { Description = "QNAME=TEXT: replace a draft (decision 'edited')" };
    readonly Option<string?> _export = new("--export") { Description = "Write every result with its decision to FILE (.yml or .csv) for editing" };
    readonly Option<string?> _fromFile = new("--from-file") { Description = "Read decisions and edited texts back from FILE" };

    public ReviewCommand() : base("review", "Accept, edit or reject the drafts of a run")
    {
        Arguments.Add(_runId);
        foreach (var o in new Option[] { _accept, _reject, _set, _export, _fromFile }) Options.Add(o);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var runId = parse.GetValue(_runId)!;
        var store = await ctx.OpenHistoryAsync(ct);
        await Amx.Data.Eval.EvalRuns.RefuseAsync(store, runId, "review", ct);
        var service = new ReviewService(store, ctx.Env);
        var file = parse.GetValue(_fromFile);
        var accept = parse.GetValue(_accept) ?? [];
        var reject = parse.GetValue(_reject) ?? [];
        var set = parse.GetValue(_set) ?? [];
        if (parse.GetValue(_export) is { } exportPath)
        {
            if (file is not null || accept.Length + reject.Length + set.Length > 0)
                throw AmxException.BadInput("--export writes the run's results to a file and decides nothing; it cannot be combined with --accept, --reject, --set or --from-file",
                    $"export first (amx review {runId} --export {exportPath}), then decide (amx review {runId} --from-file {exportPath})");
            var count = await ReviewFile.WriteAsync(exportPath, runId, await service.ExportAsync(runId, ct));
            ctx.Out.WriteLine($"Wrote {count} results of {runId} to {exportPath}. Edit decision/text, then: amx review {runId} --from-file {exportPath}");
            return 0;
        }
        var content = file is null ? null : ReviewFile.Read(file);
        var request = new ReviewRequest
        {
            Accept = accept,
            Reject = reject,
            Set = set.Select(ParseSet).ToList(),
            FromFile = content?.Entries ?? [],
            FromFileRunId = content?.RunId,
            FromFilePath = file,
        };
        if (request.Accept.Count + request.Reject.Count + request.Set.Count + request.FromFile.Count == 0 && file is null)
            throw AmxException.BadInput("nothing to do: give --accept, --reject, --set, --export or --from-file",
                $"amx review {runId} --accept high   ·   amx review {runId} --export review.yml");
        var s = await service.ReviewAsync(runId, request, ct);
        ctx.Render(new { run_id = s.RunId, state = s.State, accepted = s.Accepted, edited = s.Edited, rejected = s.Rejected, pending = s.Pending, changed = s.Changed }, () =>
        {
            var t = new OutputTable("run_id", "state", "accepted", "edited", "rejected", "pending");
            t.Add(s.RunId, s.State, s.Accepted.ToString(), s.Edited.ToString(), s.Rejected.ToString(), s.Pending.ToString());
            t.Footer.Add(s.Accepted + s.Edited == 0 ? "Nothing accepted yet."
                : s.CommentsUnsupported is { } backend
                    ? $"{backend} has no comments to apply to: the accepted descriptions stay in the history. See them: amx history show {s.RunId}"
                    : $"Apply: amx apply {s.RunId} --dry-run, then amx apply {s.RunId} --yes");
            return t;
        });
        return 0;
    }

    static KeyValuePair<string, string> ParseSet(string text)
    {
        // The qname may itself contain '=' only inside quotes; split at the first '=' outside quotes.
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"') inQuotes = !inQuotes;
            else if (text[i] == '=' && !inQuotes) return new(text[..i], text[(i + 1)..]);
        }
        throw AmxException.BadInput($"--set '{text}' is not QNAME=TEXT", "e.g. --set sales.customer.c_id=\"Customer number\"");
    }
}
