using Amx.Data.History.Providers;
using Amx.Data.History.Storage;

namespace Amx.Data.History;

/// <summary>
/// The text of apply's plain-SQL reads and writes of the store, per provider: built here so that every dialect's
/// statement can be checked without a server (SQL Server's are parsed offline). Parameter names are fixed:
/// <c>@run @yes @no @accepted @edited @after @reverted @status @error @at @by @applied @t0… @c0…</c>.
/// </summary>
public static class ApplySql
{
    /// <summary>A result's columns without the bulky alternatives and previous_comment (listings, the hash).</summary>
    public const string LeanResultColumns = "target_qname, target_kind, description, confidence, decision, reviewed_by, reviewed_at, applied, applied_at, " +
                                            "applied_by, apply_status, error, metadata_json, reverted_at, reverted_by";

    /// <summary>Every column of a result, in the order <c>HistoryReader</c> reads them.</summary>
    public const string ResultColumns = LeanResultColumns + ", alternatives, previous_comment";

    static string Results(HistoryProvider p, string schema) => p.QualifiedTable(schema, HistoryModel.ResultsTable);

    /// <summary>Apply's candidates (accepted or edited, described, not applied: <c>@no @accepted @edited</c>) or revert's (applied: <c>@yes</c>).</summary>
    public static string CandidateFilter(bool revert) => revert
        ? "applied = @yes"
        : "(applied = @no AND description IS NOT NULL AND decision IN (@accepted, @edited))";

    /// <summary>The next candidates in the store's order of target_qname, after <c>@after</c> when <paramref name="after"/>.</summary>
    public static string Candidates(HistoryProvider p, string schema, bool revert, bool after, int? take) =>
        $"SELECT {ResultColumns} FROM {Results(p, schema)} WHERE run_id = @run AND {CandidateFilter(revert)}" +
        (after ? " AND target_qname > @after" : "") + " ORDER BY target_qname" + (take is { } n ? " " + p.Limit(n) : "");

    /// <summary>Candidates left, results applied (<c>@yes</c>), results reverted (<c>@reverted</c>).</summary>
    public static string Tally(HistoryProvider p, string schema, bool revert) =>
        $"SELECT COALESCE(SUM(CASE WHEN {CandidateFilter(revert)} THEN 1 ELSE 0 END), 0), " +
        "COALESCE(SUM(CASE WHEN applied = @yes THEN 1 ELSE 0 END), 0), " +
        $"COALESCE(SUM(CASE WHEN apply_status = @reverted THEN 1 ELSE 0 END), 0) FROM {Results(p, schema)} WHERE run_id = @run";

    /// <summary>Earlier applies of <c>@t0…</c> whose text (or restored text) is one of <c>@c0…</c>, or empty when <paramref name="anyEmpty"/>.</summary>
    public static string AppliedTo(HistoryProvider p, string schema, int targets, int texts, bool anyEmpty)
    {
        var bearing = new List<string>();
        var c = string.Join(", ", Enumerable.Range(0, texts).Select(i => $"@c{i}"));
        if (texts > 0) bearing.Add($"description IN ({c}) OR previous_comment IN ({c})");
        // No live comment: a revert that restored "no comment" (or an apply of an empty text) explains it.
        if (anyEmpty) bearing.Add("previous_comment IS NULL OR previous_comment = '' OR description = ''");
        return "SELECT target_qname, run_id, applied_at, applied_by, reverted_at, reverted_by, description, previous_comment " +
               $"FROM {Results(p, schema)} WHERE applied_at IS NOT NULL AND target_qname IN ({string.Join(", ", Enumerable.Range(0, targets).Select(i => $"@t{i}"))})" +
               $" AND ({string.Join(" OR ", bearing)})";
    }

    /// <summary>
    /// PostgreSQL's <see cref="AppliedTo"/>: the names and texts as two arrays (<c>@names</c>, <c>@texts</c>), and one
    /// index probe per name. Without the fence (<c>OFFSET 0</c>) the planner joined the names to a sequential scan of
    /// every result the store holds, 17–25 ms per 500 targets on 100,000 results and growing with the store.
    /// </summary>
    public static string AppliedToByArray(HistoryProvider p, string schema, bool anyEmpty) =>
        "SELECT x.* FROM unnest(@names) AS t(name) CROSS JOIN LATERAL (" +
        "SELECT r.target_qname, r.run_id, r.applied_at, r.applied_by, r.reverted_at, r.reverted_by, r.description, r.previous_comment " +
        $"FROM {Results(p, schema)} r WHERE r.target_qname = t.name AND r.applied_at IS NOT NULL " +
        "AND (r.description = ANY(@texts) OR r.previous_comment = ANY(@texts)" +
        (anyEmpty ? " OR r.previous_comment IS NULL OR r.previous_comment = '' OR r.description = ''" : "") + ") OFFSET 0) x";

    /// <summary>Written (or reverted) targets <c>@t0…</c> of <c>@run</c>: one status, time and user.</summary>
    public static string MarkResults(HistoryProvider p, string schema, int targets, bool applied) =>
        $"UPDATE {Results(p, schema)}{p.OutcomeUpdateHint} {SetWritten(applied)} " +
        $"WHERE run_id = @run AND target_qname IN ({string.Join(", ", Enumerable.Range(0, targets).Select(i => $"@t{i}"))})";

    /// <summary>
    /// PostgreSQL's <see cref="MarkResults"/>: the names as one array parameter <c>@names</c>, so one plan serves every
    /// count; probes of the primary key, also for a run the statistics do not know yet (StalePlanTests).
    /// </summary>
    public static string MarkResultsByArray(HistoryProvider p, string schema, bool applied) =>
        $"UPDATE {Results(p, schema)} {SetWritten(applied)} WHERE run_id = @run AND target_qname = ANY(@names)";

    /// <summary><c>@applied @status @at @by</c>; a revert keeps the apply's time and user beside its own.</summary>
    static string SetWritten(bool applied)
    {
        var (atColumn, byColumn) = applied ? ("applied_at", "applied_by") : ("reverted_at", "reverted_by");
        return $"SET applied = @applied, apply_status = @status, {atColumn} = @at, {byColumn} = @by, error = NULL";
    }

    /// <summary>One target's conflict, failure or skip (<c>@t0</c>) and its message.</summary>
    public static string MarkOutcome(HistoryProvider p, string schema) =>
        $"UPDATE {Results(p, schema)} SET apply_status = @status, error = @error WHERE run_id = @run AND target_qname = @t0";

    /// <summary>What apply and revert change on the run row.</summary>
    public static string RunOutcome(HistoryProvider p, string schema) =>
        $"UPDATE {p.QualifiedTable(schema, HistoryModel.RunsTable)} SET state = @state, applied_at = @applied_at, applied_by = @applied_by, " +
        "reverted_at = @reverted_at, reverted_by = @reverted_by WHERE run_id = @run";
}
