using System.Text;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;

namespace Amx.Data.Export;

/// <summary>
/// <c>amx export RUN --format sql</c>: the comment statements <c>amx apply</c> would run for the run's accepted and
/// edited results not yet applied, rendered by the same comment writer, each preceded by its compare-and-set
/// condition as a comment, for a DBA or a migration tool (Flyway, Liquibase). With <c>--backend</c> other than the
/// run's, statements are rendered without a connection (MySQL/MariaDB column comments need the live column
/// definition and are then listed as skipped). See docs/context-and-export.md.
/// </summary>
public sealed class SqlExport(HistoryStore store, AmxConfig config)
{
    public async Task<string> RenderAsync(string runId, Backend? backend, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId, ct);
        // What apply would write: its candidates, in the store's order of target_qname.
        var rows = await store.ReadAsync(r => r.ApplyCandidatesAsync(run.RunId, revert: false, after: null, take: null, ct), ct);

        var profile = config.DbProfiles.GetValueOrDefault(run.DbProfile ?? "");
        var runBackend = profile?.Backend ?? (BackendNames.TryParse(run.DbBackend, out var b) ? b : Backend.PostgreSql);
        var target = backend ?? runBackend;
        var provider = WarehouseProviders.For(target);
        // The run's own warehouse is read when it can be: MySQL/MariaDB re-state a column's definition.
        await using var conn = profile is not null && target == profile.Backend ? await provider.OpenAsync(profile, ct) : null;

        var sql = new StringBuilder();
        sql.Append($"-- amx export of run {run.RunId} (scope {run.Scope}, db profile {run.DbProfile}) for {target.ToConfigName()}\n");
        sql.Append("-- The statements `amx apply` would run. Compare-and-set: run each one only while the live comment\n");
        sql.Append("-- still equals the one shown above it; otherwise someone changed it since the draft.\n");
        var count = 0;
        foreach (var r in rows)
        {
            var name = QualifiedName.Parse(r.TargetQname);
            sql.Append($"\n-- {r.TargetQname} ({r.TargetKind}), {r.Decision} by {r.ReviewedBy ?? "?"}\n");
            sql.Append($"-- expects live comment: {Describe(r.PreviousComment)}\n");
            IReadOnlyList<string> statements;
            try { statements = await provider.Comments.RenderStatementsAsync(conn, name, r.TargetKind, r.Description, ct); }
            catch (Exception e) when (e is CommentWriteException or InvalidOperationException or NotSupportedException)
            {
                sql.Append($"-- skipped: {OneLine(e.Message)}\n");
                continue;
            }
            foreach (var s in statements)
            {
                var text = s.TrimEnd();
                sql.Append(text.EndsWith(';') ? text : text + ";").Append('\n');
                count++;
            }
            if (provider.Dialect.ScriptBatchSeparator is { } go) sql.Append(go).Append('\n');
        }
        sql.Append($"\n-- {count} statement(s) for {rows.Count} target(s)\n");
        return sql.ToString();
    }

    /// <summary>The expected comment on one comment line: quoted, line breaks shown as \n.</summary>
    static string Describe(string? comment) => comment is null ? "(none)" : "'" + OneLine(comment).Replace("'", "''") + "'";

    static string OneLine(string s) => s.Replace("\\", "\\\\").Replace("\r", "\\r").Replace("\n", "\\n");
}
