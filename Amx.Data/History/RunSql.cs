using Amx.Data.History.Providers;
using Amx.Data.History.Storage;

namespace Amx.Data.History;

/// <summary>
/// The text of a run's plain-SQL writes and reads of the store (start, results, heartbeat, the closing tally), per
/// provider, beside <see cref="ApplySql"/>: a drafting process needs no EF Core (its cold start and the ~400 dynamic
/// methods its queries compiled were a fixed cost of every run). Run parameters are <c>@r0…@r19</c> in
/// <see cref="RunColumns"/> order; result rows are <c>@v{row}_{column}</c> in <see cref="ResultColumns"/> order.
/// </summary>
public static class RunSql
{
    /// <summary>Every column of a run, in the order <c>HistoryReader</c> reads them and <see cref="InsertRun"/> binds them.</summary>
    public const string RunColumns = "run_id, who, host, client_version, started_at, finished_at, scope, db_profile, db_backend, " +
                                     "llm_provider, llm_model, state, ok_count, fail_count, applied_at, applied_by, metadata_json, run_kind, reverted_at, reverted_by";

    /// <summary>Every column of a result, in the order <see cref="InsertResults"/> binds them.</summary>
    public const string ResultColumns = "run_id, target_qname, target_kind, description, alternatives, confidence, previous_comment, decision, " +
                                        "reviewed_by, reviewed_at, applied, applied_at, applied_by, apply_status, error, metadata_json, reverted_at, reverted_by";

    public static readonly int RunColumnCount = RunColumns.Split(", ").Length;
    public static readonly int ResultColumnCount = ResultColumns.Split(", ").Length;

    static string Runs(HistoryProvider p, string schema) => p.QualifiedTable(schema, HistoryModel.RunsTable);
    static string Results(HistoryProvider p, string schema) => p.QualifiedTable(schema, HistoryModel.ResultsTable);

    public static string InsertRun(HistoryProvider p, string schema) =>
        $"INSERT INTO {Runs(p, schema)} ({RunColumns}) VALUES ({string.Join(", ", Enumerable.Range(0, RunColumnCount).Select(i => $"@r{i}"))})";

    /// <summary>Every column but the key (<c>@r0</c>).</summary>
    public static string UpdateRun(HistoryProvider p, string schema) =>
        $"UPDATE {Runs(p, schema)} SET " +
        string.Join(", ", RunColumns.Split(", ").Select((c, i) => (c, i)).Skip(1).Select(x => $"{x.c} = @r{x.i}")) +
        " WHERE run_id = @r0";

    /// <summary>Runs of <c>@who</c> started in [<c>@from</c>, <c>@to</c>): the day's count that numbers a new run_id.</summary>
    public static string SameDayRuns(HistoryProvider p, string schema) =>
        $"SELECT COUNT(*) FROM {Runs(p, schema)} WHERE who = @who AND started_at >= @from AND started_at < @to";

    /// <summary>Whether run <c>@run</c> exists (a run imported into the local file after a fallback).</summary>
    public static string RunExists(HistoryProvider p, string schema) =>
        $"SELECT COUNT(*) FROM {Runs(p, schema)} WHERE run_id = @run";

    /// <summary>A drafting run's heartbeat (<c>@meta</c>), only while it is still <c>@running</c>.</summary>
    public static string Heartbeat(HistoryProvider p, string schema) =>
        $"UPDATE {Runs(p, schema)} SET metadata_json = @meta WHERE run_id = @run AND state = @running";

    /// <summary>A run whose process is gone, marked failed unless something else changed its state first.</summary>
    public static string MarkInterrupted(HistoryProvider p, string schema) =>
        $"UPDATE {Runs(p, schema)} SET state = @state, finished_at = @finished, metadata_json = @meta WHERE run_id = @run AND state = @running";

    /// <summary>Other people's runs (not <c>@who</c>) since <c>@since</c>, for "teammates drafted this scope".</summary>
    public static string RecentRunsOfOthers(HistoryProvider p, string schema) =>
        $"SELECT who, run_id, scope, started_at FROM {Runs(p, schema)} WHERE who <> @who AND started_at >= @since";

    /// <summary><paramref name="rows"/> results in one INSERT.</summary>
    public static string InsertResults(HistoryProvider p, string schema, int rows) =>
        $"INSERT INTO {Results(p, schema)} ({ResultColumns}) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range(0, ResultColumnCount).Select(c => $"@v{r}_{c}")) + ")"));

    /// <summary>Names of the run's results (a resume drafts only the others).</summary>
    public static string ResultNames(HistoryProvider p, string schema) =>
        $"SELECT target_qname FROM {Results(p, schema)} WHERE run_id = @run";

    /// <summary>A resumed run's failed results, drafted again.</summary>
    public static string DeleteFailed(HistoryProvider p, string schema) =>
        $"DELETE FROM {Results(p, schema)} WHERE run_id = @run AND description IS NULL";

    /// <summary>Targets with an accepted, edited or applied draft in any run, within <c>@scope</c> when <paramref name="scoped"/>.</summary>
    public static string Covered(HistoryProvider p, string schema, bool scoped) =>
        $"SELECT DISTINCT target_qname FROM {Results(p, schema)} WHERE (applied = @yes OR decision IN (@accepted, @edited))" +
        (scoped ? " AND (target_qname = @scope OR target_qname LIKE @inside ESCAPE '!')" : "");

    /// <summary>
    /// Accepts the run's pending, described, unapplied drafts whose confidence is one of <c>@l0…</c> (<c>--accept</c>
    /// on run and review).
    /// </summary>
    public static string AcceptLevels(HistoryProvider p, string schema, int levels) =>
        $"UPDATE {Results(p, schema)} SET decision = @accepted, reviewed_by = @by, reviewed_at = @at, error = NULL " +
        "WHERE run_id = @run AND description IS NOT NULL AND decision = @pending AND applied = @no " +
        $"AND confidence IN ({string.Join(", ", Enumerable.Range(0, levels).Select(i => $"@l{i}"))})";

    /// <summary>One reviewer's decision on result <c>@t0</c>: the text, its alternatives, decision, reviewer, time and error.</summary>
    public static string Decide(HistoryProvider p, string schema) =>
        $"UPDATE {Results(p, schema)} SET description = @description, alternatives = @alternatives, decision = @decision, " +
        "reviewed_by = @by, reviewed_at = @at, error = @error WHERE run_id = @run AND target_qname = @t0";

    /// <summary>
    /// The run's results counted per schema, confidence and decision, with how many of each are described, inherited (a
    /// view column's metadata names its <c>"source"</c>), applied, in conflict or failed: every figure a finished run
    /// records and run-apply's closing tally, in one read of the run. A plain name's schema is what precedes its first
    /// dot; a quoted name (rare) comes back whole, for the caller to parse. The flags are computed in a narrow derived
    /// table and summed, not grouped: each further grouping column multiplied the planner's guess of the groups of a
    /// run it has no statistics for, until it sorted the whole run on disk. Bound by <see cref="HistoryReader.BindTally"/>.
    /// </summary>
    public static string Tally(HistoryProvider p, string schema) =>
        "SELECT k, confidence, decision, SUM(described), SUM(inherited), SUM(applied_now), SUM(conflicts), SUM(failed), COUNT(*) FROM (" +
        $"SELECT CASE WHEN target_qname LIKE '%\"%' THEN target_qname ELSE {p.BeforeFirstDot("target_qname")} END AS k, confidence, decision, " +
        "CASE WHEN description IS NULL THEN 0 ELSE 1 END AS described, " +
        "CASE WHEN metadata_json LIKE '%\"source\"%' THEN 1 ELSE 0 END AS inherited, " +
        "CASE WHEN applied = @yes THEN 1 ELSE 0 END AS applied_now, " +
        "CASE WHEN apply_status = @conflict THEN 1 ELSE 0 END AS conflicts, " +
        // A draft the LLM did not deliver, or a comment write that failed.
        "CASE WHEN description IS NULL OR apply_status = @failed THEN 1 ELSE 0 END AS failed " +
        $"FROM {Results(p, schema)} WHERE run_id = @run{p.GroupingFence}) t GROUP BY k, confidence, decision";
}
