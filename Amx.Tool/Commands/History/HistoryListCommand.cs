using System.CommandLine;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Tool.Hosting;
using Amx.Tool.Output;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Commands.History;

/// <summary><c>amx history list</c>: <c>run_id who when scope ok fail</c>, newest first, straight from the store.</summary>
public sealed class HistoryListCommand : AmxCommand
{
    readonly Option<int> _n = new("-n", "--limit") { Description = "How many runs (newest first)", DefaultValueFactory = _ => 20 };
    readonly Option<string?> _who = new("--who") { Description = "Only runs by this person" };
    readonly Option<string?> _scope = new("--scope") { Description = "Only runs of this scope (prefix match)" };
    readonly Option<string?> _state = new("--state") { Description = "Only runs in this state: running, drafted, reviewed, applied, failed" };

    static readonly string[] KnownStates = [RunStates.Running, RunStates.Drafted, RunStates.Reviewed, RunStates.Applied, RunStates.Failed];

    public HistoryListCommand() : base("list", "List runs, newest first")
    {
        foreach (var o in new Option[] { _n, _who, _scope, _state }) Options.Add(o);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = parse.GetValue(_n);
        if (n < 1) throw Amx.Data.Errors.AmxException.BadInput($"-n must be at least 1 (got {n})");
        var who = parse.GetValue(_who);
        var scope = parse.GetValue(_scope);
        var state = parse.GetValue(_state)?.ToLowerInvariant();
        if (state is not null && !KnownStates.Contains(state))
            throw Amx.Data.Errors.AmxException.BadInput($"unknown state '{state}'", "use one of: " + string.Join(", ", KnownStates));
        if (ctx.Globals.Output == OutputFormat.Table) TableFormatter.WarmUpInBackground();
        // Plain SQL, no EF: listing runs is the command people run most, and every member reads the store directly.
        var store = await Amx.Data.History.HistoryStore.OpenForReadingAsync(ctx.Config, ctx.Env, ct);
        await RunLiveness.SweepAsync(store, ct);
        var runs = await store.ReadAsync(r => r.RunsAsync(new RunQuery(n, who, scope, state), ct), ct);

        ctx.Render(runs.Select(RunJson.Summary).ToList(), () =>
        {
            // the six columns of docs/history-store.md, then the state (an interrupted run must be visible as such).
            var t = new OutputTable("run_id", "who", "when", "scope", "ok", "fail", "state");
            // Relative times are for people reading a table; a file (csv, md) keeps absolute UTC.
            Func<DateTime, string> when = ctx.Globals.Output == OutputFormat.Table ? t => RelativeTime.Ago(t) : t => RunJson.Utc(t)!;
            foreach (var r in runs)
                t.Add(r.RunId, r.Who, when(r.StartedAt), RunJson.ScopeLabel(r), r.OkCount.ToString(), r.FailCount.ToString(), RunJson.StateLabel(r));
            if (runs.Count == 0)
                t.Footer.Add((who ?? scope ?? state) is not null
                    ? $"No runs match{(who is null ? "" : $" --who {who}")}{(scope is null ? "" : $" --scope {scope}")}{(state is null ? "" : $" --state {state}")} in {store.Location}. All runs: amx history list"
                    : $"No runs yet in {store.Location}. Draft some: amx run SCOPE (or try amx demo).");
            return t;
        });
        return 0;
    }
}

/// <summary>The stable json shapes of runs (docs/history-store.md: run_id, who, started_at, scope, state, ok, fail, …).</summary>
static class RunJson
{
    public static object Summary(HistoryRun r)
    {
        var meta = RunMetadata.ReadListFacts(r.MetadataJson);
        return new
        {
            run_id = r.RunId, who = r.Who, host = r.Host, started_at = Utc(r.StartedAt), finished_at = Utc(r.FinishedAt),
            scope = r.Scope, tables = meta.Tables, state = r.State,
            reverted_at = Utc(r.RevertedAt), reverted_by = r.RevertedBy, ok = r.OkCount, fail = r.FailCount,
            db_profile = r.DbProfile, db_backend = r.DbBackend, llm_provider = r.LlmProvider, llm_model = r.LlmModel,
            applied_at = Utc(r.AppliedAt), applied_by = r.AppliedBy, client_version = r.ClientVersion,
            interrupted = meta.IsInterrupted, llm_profile = meta.LlmProfile,
            kind = r.RunKind,
            scores = r.RunKind == RunKinds.Eval ? new { token_f1 = meta.MeanTokenF1, rouge_l = meta.MeanRougeL } : null,
        };
    }

    /// <summary>"failed (interrupted)" for a run whose process died; the plain state otherwise.</summary>
    public static string StateLabel(HistoryRun r) =>
        r.State == RunStates.Failed && RunMetadata.ReadListFacts(r.MetadataJson).IsInterrupted ? "failed (interrupted)"
        : r.RunKind == RunKinds.Eval ? $"eval f1={RunMetadata.ReadListFacts(r.MetadataJson).MeanTokenF1:0.000}"
        // Reverted: the run's comments were restored (and not applied again since); the state column says so.
        : r.RevertedAt is not null && r.State != RunStates.Applied ? "reverted"
        : r.RevertedAt is not null && r.State == RunStates.Applied && r.AppliedAt < r.RevertedAt ? "applied (partly reverted)"
        : r.State;

    public static string? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") : null;

    /// <summary>"sales (3 t)" where the table count is known; "(whole warehouse)" for <c>*</c>.</summary>
    public static string ScopeLabel(HistoryRun r)
    {
        var tables = RunMetadata.ReadListFacts(r.MetadataJson).Tables;
        var scope = r.Scope == "*" ? "(all)" : r.Scope;
        return tables is { } n ? $"{scope} ({n} t)" : scope;
    }
}
