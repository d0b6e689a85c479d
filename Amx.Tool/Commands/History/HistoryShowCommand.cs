using System.CommandLine;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.History;

/// <summary>
/// <c>amx history show RUN_ID [--hash | --hash-only]</c>: the run and every result; <c>--hash</c> ends with the
/// descriptions hash, <c>--hash-only</c> prints just the hash (streamed: flat memory at a million results).
/// </summary>
public sealed class HistoryShowCommand : AmxCommand
{
    readonly Argument<string> _runId = new("RUN_ID") { Description = "The run to show" };
    readonly Option<bool> _hash = new("--hash") { Description = "Print the SHA-256 of the run's descriptions (docs/history-store.md) as the last line" };
    readonly Option<bool> _hashOnly = new("--hash-only") { Description = "Print only the SHA-256 of the run's descriptions, for scripts (nothing else is read)" };

    public HistoryShowCommand() : base("show", "Show a run and every result")
    {
        Arguments.Add(_runId);
        Options.Add(_hash);
        Options.Add(_hashOnly);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        // Plain SQL reads (HistoryReader): a 100,000-result run is shown without EF's cold start or change tracking.
        var store = await Amx.Data.History.HistoryStore.OpenForReadingAsync(ctx.Config, ctx.Env, ct);
        var json = ctx.Globals.Output == OutputFormat.Json;
        if (parse.GetValue(_hashOnly))
        {
            // For scripts: no liveness sweep (the digest does not depend on the run's state), and the run is looked up
            // only when the hash read no result at all (an unknown run is exit 2; a run with no results hashes to the
            // digest of nothing).
            var runId = parse.GetValue(_runId)!;
            var digest = await store.ReadAsync(r => r.DescriptionsHashAsync(runId, ct), ct);
            if (digest == DescriptionsHash.OfNothing) runId = (await store.FindRunAsync(runId, ct)).RunId;
            if (json) JsonOutput.Write(ctx.Out, new { run_id = runId, hash = digest });
            else ctx.Out.WriteLine(digest);
            return 0;
        }
        await RunLiveness.SweepAsync(store, ct);
        var run = await store.FindRunAsync(parse.GetValue(_runId)!, ct);
        var meta = RunMetadata.Read(run.MetadataJson);
        var local = await LocalCopyAsync(ctx, store, run, ct);
        var eval = run.RunKind == Amx.Data.History.Model.RunKinds.Eval;
        if (json)
        {
            // Streamed: each result is written as it is read, so a million-result run is never held in memory.
            var head = new
            {
                run = RunJson.Summary(run),
                metadata = meta.ToElement(),
                local_copy = local is null ? null : new
                {
                    path = ctx.Env.LocalHistoryPath, state = local.State, ok = local.OkCount, fail = local.FailCount,
                    hint = "amx history-store migrate",
                },
            };
            await JsonOutput.WriteStreamedAsync(ctx.Out, head, "results", Json(store.StreamResultsAsync(run.RunId, full: true, ct)),
                ("hash", parse.GetValue(_hash) ? await store.ReadAsync(r => r.DescriptionsHashAsync(run.RunId, ct), ct) : null));
            return 0;
        }
        var o = ctx.Out;
        o.WriteLine($"run      {run.RunId}");
        o.WriteLine($"who      {run.Who}{(run.Host is null ? "" : " on " + run.Host)}");
        o.WriteLine($"started  {RunJson.Utc(run.StartedAt)} ({RelativeTime.Ago(run.StartedAt)})");
        o.WriteLine($"scope    {RunJson.ScopeLabel(run)} on {run.DbProfile} ({run.DbBackend})");
        o.WriteLine($"llm      {run.LlmProvider} {run.LlmModel}");
        if (local is not null)
        {
            // The shared row looks dead, but the drafting went on in this machine's local file.
            o.WriteLine($"state    {local.State} in the local history file, not yet in the shared store   ok {local.OkCount}   fail {local.FailCount}");
            o.WriteLine($"where    the shared store became unreachable during the run; the drafts after that are in {ctx.Env.LocalHistoryPath}");
            o.WriteLine("next     push them into the shared store with: amx history-store migrate");
        }
        else
        {
            o.WriteLine($"state    {RunJson.StateLabel(run)}   ok {run.OkCount}   fail {run.FailCount}" +
                        (run.AppliedAt is { } at ? $"   applied by {run.AppliedBy} at {RunJson.Utc(at)}" : "") +
                        (run.RevertedAt is { } rv ? $"   reverted by {run.RevertedBy} at {RunJson.Utc(rv)}" : ""));
            if (meta.Error is { } error) o.WriteLine($"error    {error}");
        }
        if (meta.LlmSwitches is { Count: > 0 } switches)
            o.WriteLine($"note     resumed with another llm profile: {string.Join(", ", switches)} (each result's metadata names its profile)");
        foreach (var line in RunUsage.Lines(meta)) o.WriteLine(line);
        o.WriteLine();
        // Rows are written as they are read (a long table, csv or markdown streams: StreamedTable), so a million-result
        // run is never held in memory; an eval's table shows the hidden human text.
        if (eval)
        {
            // An eval run's results are scored drafts next to the hidden human text, never decided or applied.
            var e = new StreamedTable(ctx, "target", "confidence", "token_f1", "rouge_l", "judge", "judge_reason", "draft", "human");
            await foreach (var r in store.StreamResultsAsync(run.RunId, full: true, ct))
            {
                var m = ResultMetadata.Read(r.MetadataJson);
                e.Add(r.TargetQname, r.Confidence, Score(m.TokenF1), Score(m.RougeL), Score(m.JudgeScore), m.JudgeReason,
                    r.Description ?? (r.Error is null ? null : "(failed: " + r.Error + ")"), r.PreviousComment);
            }
            e.Finish();
        }
        else
        {
            var t = new StreamedTable(ctx, TableColumns);
            await foreach (var r in store.StreamResultsAsync(run.RunId, full: false, ct)) t.Add(Row(r));
            t.Finish();
        }
        if (parse.GetValue(_hash)) o.WriteLine(await store.ReadAsync(r => r.DescriptionsHashAsync(run.RunId, ct), ct));
        return 0;
    }

    /// <summary>This machine's local copy of a shared run that went on in the local file when the store was lost
    /// (docs/runs.md, store outage); null when there is none.</summary>
    static async Task<Amx.Data.History.Model.HistoryRun?> LocalCopyAsync(CommandContext ctx, Amx.Data.History.HistoryStore store, Amx.Data.History.Model.HistoryRun run, CancellationToken ct)
    {
        if (!store.IsShared || run.State is not (Amx.Data.History.Model.RunStates.Failed or Amx.Data.History.Model.RunStates.Running)
            || !File.Exists(ctx.Env.LocalHistoryPath)) return null;
        var local = await Amx.Data.History.HistoryStore.OpenLocalAsync(ctx.Env, ct);
        var there = await local.ReadAsync(r => r.FindRunAsync(run.RunId, ct), ct);
        return there is not null && RunMetadata.Read(there.MetadataJson).LocalFallback == true ? there : null;
    }

    static readonly string[] TableColumns = ["target", "kind", "description", "confidence", "decision", "reviewed_by", "applied_by", "applied_at", "status", "reverted"];

    static string?[] Row(Amx.Data.History.Model.HistoryResult r) =>
    [
        r.TargetQname, r.TargetKind,
        (r.Description ?? (r.Error is null ? null : "(failed: " + r.Error + ")")) + (SourceOf(r) is { } src ? $" (from {src})" : ""),
        r.Confidence, r.Decision, r.ReviewedBy, r.AppliedBy, RunJson.Utc(r.AppliedAt), r.ApplyStatus,
        r.RevertedAt is { } rowReverted ? $"{r.RevertedBy} {RunJson.Utc(rowReverted)}" : null,
    ];

    /// <summary>Every column of each result, as json shows it.</summary>
    static async IAsyncEnumerable<object> Json(IAsyncEnumerable<Amx.Data.History.Model.HistoryResult> results)
    {
        await foreach (var r in results)
        {
            // Read once: the source and the metadata shown both come from it.
            var meta = r.MetadataJson is null ? null : ResultMetadata.Read(r.MetadataJson);
            yield return new
            {
                target = r.TargetQname, kind = r.TargetKind, description = r.Description, confidence = r.Confidence,
                alternatives = string.IsNullOrEmpty(r.Alternatives) ? null : System.Text.Json.JsonSerializer.Deserialize<List<string>>(r.Alternatives),
                previous_comment = r.PreviousComment, decision = r.Decision, reviewed_by = r.ReviewedBy, reviewed_at = RunJson.Utc(r.ReviewedAt),
                applied = r.Applied, applied_by = r.AppliedBy, applied_at = RunJson.Utc(r.AppliedAt), apply_status = r.ApplyStatus, error = r.Error,
                source = meta?.Source, metadata = meta?.ToElement(),
                reverted_by = r.RevertedBy, reverted_at = RunJson.Utc(r.RevertedAt),
            };
        }
    }

    static string? Score(double? v) => v?.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The base column an inherited description came from (docs/view-lineage.md).</summary>
    static string? SourceOf(Amx.Data.History.Model.HistoryResult r) =>
        ResultMetadata.Read(r.MetadataJson).Source;
}
