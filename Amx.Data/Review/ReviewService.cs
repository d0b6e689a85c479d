using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;

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
    /// <summary>The run's results as review entries, streamed from the store (a million-result run is never held in memory).</summary>
    public async Task<IAsyncEnumerable<ReviewEntry>> ExportAsync(string runId, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId, ct);
        return Entries(store.StreamResultsAsync(run.RunId, full: true, ct));

        static async IAsyncEnumerable<ReviewEntry> Entries(IAsyncEnumerable<HistoryResult> results)
        {
            await foreach (var r in results) yield return ReviewEntry.From(r);
        }
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
        // Only the results the request names are loaded (and tracked); a confidence level is one set-based UPDATE, so
        // reviewing a run of a million results holds none of them in memory.
        var named = request.FromFile.Select(e => e.Target)
            .Concat(request.Accept.Where(w => Levels(w) is null)).Concat(request.Reject).Concat(request.Set.Select(s => s.Key))
            .Distinct(StringComparer.Ordinal).ToList();
        var rows = await store.ReadAsync(r => r.ResultsNamedAsync(run.RunId, named, ct), ct);
        var now = DateTime.UtcNow;
        var changed = 0;
        var decided = new HashSet<HistoryResult>(ReferenceEqualityComparer.Instance);

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
            decided.Add(r);
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
        foreach (var word in request.Accept.Where(w => Levels(w) is null)) Decide(Find(word), Decisions.Accepted);
        foreach (var q in request.Reject) Decide(Find(q), Decisions.Rejected);
        foreach (var (q, text) in request.Set) Decide(Find(q), Decisions.Accepted, text);

        // Named decisions and the levels' UPDATE commit together. A level only takes what is still pending after the
        // named decisions, which is what accepting first and letting --reject/--set override afterwards gave.
        var (conn, tx) = await store.BeginAsync(ct);
        await using (conn)
        await using (tx)
        {
            await store.RecordDecisionsAsync(conn, tx, decided, ct);
            var levels = request.Accept.Select(Levels).OfType<string[]>().SelectMany(l => l).Distinct().ToArray();
            if (levels.Length > 0) changed += await store.AcceptLevelsAsync(conn, tx, run.RunId, levels, env.User, now, ct);
            await tx.CommitAsync(ct);
        }

        var tally = await store.ReadAsync(r => r.RunTallyAsync(run.RunId, ct), ct);
        int Count(string decision) => tally.ByDecision.GetValueOrDefault(decision);
        var pending = tally.PendingDescribed;
        if (pending == 0 && run.State == RunStates.Drafted)
        {
            run.State = RunStates.Reviewed;
            await store.UpdateRunAsync(run);
        }
        return new ReviewSummary(run.RunId, run.State, Count(Decisions.Accepted), Count(Decisions.Edited), Count(Decisions.Rejected),
            pending, changed, NoComments(run));
    }

    /// <summary>The confidence levels an accept word names (all, high, medium), or null for a target name.</summary>
    static string[]? Levels(string word) => Confidences.AcceptedAt(word);
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
