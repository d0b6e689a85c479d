using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.Review;

/// <summary>The decisions one <c>amx review</c> call asks for.</summary>
public sealed record ReviewRequest
{
    /// <summary>all | high | medium | QNAME… (high: high confidence; medium: high and medium).</summary>
    public IReadOnlyList<string> Accept { get; init; } = [];
    public IReadOnlyList<string> Reject { get; init; } = [];
    /// <summary>QNAME → edited text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Set { get; init; } = [];
    /// <summary>Decisions read from an edited export; applied before the flags, which win for the targets they name.</summary>
    public IReadOnlyList<ReviewEntry> FromFile { get; init; } = [];
    /// <summary>The run the file was exported from (must be the run under review); null without a file.</summary>
    public string? FromFileRunId { get; init; }
    public string? FromFilePath { get; init; }
}

/// <param name="CommentsUnsupported">The backend's name when its warehouse has no comments to apply to (SQLite).</param>
public sealed record ReviewSummary(string RunId, string State, int Accepted, int Edited, int Rejected, int Pending, int Changed, string? CommentsUnsupported = null);

/// <summary>Records reviewers' decisions on a run's results; the run becomes <c>reviewed</c> when nothing is pending.</summary>
public sealed class ReviewService(HistoryStore store, AmxEnvironment env)
{
    public async Task<IReadOnlyList<ReviewEntry>> ExportAsync(string runId, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId);
        var results = await store.GetResultsAsync(run.RunId);
        return results.Select(ReviewEntry.From).ToList();
    }

    static string? NoComments(HistoryRun run)
    {
        if (!BackendNames.TryParse(run.DbBackend, out var backend)) return null;
        var dialect = Amx.Data.Warehouse.WarehouseProviders.For(backend).Dialect;
        return dialect.SupportsCommentsOn(TargetKinds.Table) || dialect.SupportsCommentsOn(TargetKinds.Column) ? null : dialect.BackendName;
    }

    public async Task<ReviewSummary> ReviewAsync(string runId, ReviewRequest request, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId);
        if (request.FromFilePath is { } path)
        {
            // A file from another run must never decide this one's results (docs/runs.md, review files).
            if (request.FromFileRunId is null)
                throw AmxException.BadInput($"review file {path} does not say which run it belongs to (no run_id)",
                    $"export it again: amx review {run.RunId} --export FILE");
            if (request.FromFileRunId != run.RunId)
                throw AmxException.BadInput($"review file {path} was exported from run {request.FromFileRunId}, not {run.RunId}",
                    $"amx review {request.FromFileRunId} --from-file {path}   (or export this run: amx review {run.RunId} --export FILE)");
        }
        if (run.State == RunStates.Running)
            throw AmxException.BadInput($"run {run.RunId} is still drafting", $"wait for it, or resume it: amx run --resume {run.RunId}");
        await using var db = store.CreateContext();
        var rows = await db.Results.Where(r => r.RunId == run.RunId).ToDictionaryAsync(r => r.TargetQname, StringComparer.Ordinal, ct);
        var now = DateTime.UtcNow;
        var changed = 0;

        // text: the reviewer's text (null: keep the draft); a text that differs from the draft makes the decision edited.
        void Decide(HistoryResult r, string decision, string? text = null)
        {
            // The reviewer's text is applied exactly as given (docs/security.md): nothing is trimmed; a blank one is refused.
            if (text is not null && string.IsNullOrWhiteSpace(text))
                throw AmxException.BadInput($"empty text for {r.TargetQname}", "reject it instead: --reject " + r.TargetQname);
            var edits = text is not null && text != r.Description;
            var wanted = edits ? Decisions.Edited : decision;
            // Accepting what an earlier reviewer edited (a re-imported file, say) changes nothing.
            if (!edits && (r.Decision == wanted || (wanted == Decisions.Accepted && r.Decision == Decisions.Edited))) return;
            if (r.Applied)
                throw AmxException.BadInput($"{r.TargetQname} is already applied; its decision cannot change",
                    $"revert it first: amx revert {r.RunId}");
            if (r.Description is null && wanted != Decisions.Rejected && !edits)
                throw AmxException.BadInput($"{r.TargetQname} has no draft (drafting failed: {r.Error})",
                    $"give a text: --set {r.TargetQname}=\"…\", or resume the run: amx run --resume {r.RunId}");
            if (edits)
            {
                // Keep the draft the reviewer replaced as the first alternative.
                r.Alternatives = Alternatives.Prepend(r.Alternatives, r.Description);
                r.Description = text;
            }
            r.Decision = wanted;
            r.ReviewedBy = env.User;
            r.ReviewedAt = now;
            r.Error = r.Description is null ? r.Error : null;
            changed++;
        }

        HistoryResult Find(string qname) => rows.TryGetValue(qname, out var r) ? r
            : throw AmxException.BadInput($"run {run.RunId} has no result for '{qname}'",
                $"list its targets with: amx history show {run.RunId}");

        // The file first, then the flags: a flag names its targets explicitly and wins over the file for them.
        foreach (var entry in request.FromFile)
        {
            var r = Find(entry.Target);
            var decision = ReviewEntry.ParseDecision(entry.Decision, entry.Target);
            if (decision == Decisions.Pending) continue;
            Decide(r, decision == Decisions.Edited ? Decisions.Accepted : decision, decision == Decisions.Rejected ? null : entry.Text);
        }
        foreach (var word in request.Accept)
        {
            var levels = word.ToLowerInvariant() switch
            {
                "all" => new[] { Confidences.High, Confidences.Medium, Confidences.Low },
                "high" => [Confidences.High],
                "medium" => [Confidences.High, Confidences.Medium],
                _ => null,
            };
            if (levels is null) { Decide(Find(word), Decisions.Accepted); continue; }
            foreach (var r in rows.Values.Where(r => r.Decision == Decisions.Pending && r.Description is not null && levels.Contains(r.Confidence)))
                Decide(r, Decisions.Accepted);
        }
        foreach (var q in request.Reject) Decide(Find(q), Decisions.Rejected);
        foreach (var (q, text) in request.Set) Decide(Find(q), Decisions.Accepted, text);

        await db.SaveChangesAsync(ct);
        var pending = rows.Values.Count(r => r.Decision == Decisions.Pending && r.Description is not null);
        if (pending == 0 && run.State == RunStates.Drafted)
        {
            run.State = RunStates.Reviewed;
            await store.UpdateRunAsync(run);
        }
        return new ReviewSummary(run.RunId, run.State,
            rows.Values.Count(r => r.Decision == Decisions.Accepted), rows.Values.Count(r => r.Decision == Decisions.Edited),
            rows.Values.Count(r => r.Decision == Decisions.Rejected), pending, changed, NoComments(run));
    }
}

static class Alternatives
{
    public static string? Prepend(string? json, string? first)
    {
        if (first is null) return json;
        var list = string.IsNullOrEmpty(json) ? [] : System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? [];
        list.Remove(first);
        list.Insert(0, first);
        return System.Text.Json.JsonSerializer.Serialize(list);
    }
}
