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
    /// <summary>Writes the script to <paramref name="sql"/> as apply's candidates are read, 1,000 at a time (a million-result run is never held).</summary>
    public async Task WriteAsync(TextWriter sql, string runId, Backend? backend, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId, ct);
        var profile = config.DbProfiles.GetValueOrDefault(run.DbProfile ?? "");
        var runBackend = profile?.Backend ?? (BackendNames.TryParse(run.DbBackend, out var b) ? b : Backend.PostgreSql);
        var target = backend ?? runBackend;
        var provider = WarehouseProviders.For(target);
        // The run's own warehouse is read when it can be: MySQL/MariaDB re-state a column's definition.
        await using var conn = profile is not null && target == profile.Backend ? await provider.OpenAsync(profile, ct) : null;

        await sql.WriteAsync($"-- amx export of run {run.RunId} (scope {run.Scope}, db profile {run.DbProfile}) for {target.ToConfigName()}\n");
        await sql.WriteAsync("-- The statements `amx apply` would run. Compare-and-set: run each one only while the live comment\n");
        await sql.WriteAsync("-- still equals the one shown above it; otherwise someone changed it since the draft.\n");
        var (count, targets) = (0, 0);
        // What apply would write: its candidates, in the store's order of target_qname.
        await foreach (var chunk in store.ApplyCandidateChunksAsync(run.RunId, revert: false, size: 1000, ct))
            foreach (var r in chunk)
            {
                targets++;
                var name = QualifiedName.Parse(r.TargetQname);
                await sql.WriteAsync($"\n-- {r.TargetQname} ({r.TargetKind}), {r.Decision} by {r.ReviewedBy ?? "?"}\n");
                await sql.WriteAsync($"-- expects live comment: {Describe(r.PreviousComment)}\n");
                IReadOnlyList<string> statements;
                try { statements = await provider.Comments.RenderStatementsAsync(conn, name, r.TargetKind, r.Description, ct); }
                catch (Exception e) when (e is CommentWriteException or InvalidOperationException or NotSupportedException)
                {
                    await sql.WriteAsync($"-- skipped: {OneLine(e.Message)}\n");
                    continue;
                }
                foreach (var s in statements)
                {
                    var text = s.TrimEnd();
                    await sql.WriteAsync((text.EndsWith(';') ? text : text + ";") + "\n");
                    count++;
                }
                if (provider.Dialect.ScriptBatchSeparator is { } go) await sql.WriteAsync(go + "\n");
            }
        await sql.WriteAsync($"\n-- {count} statement(s) for {targets} target(s)\n");
    }

    /// <summary>The expected comment on one comment line: quoted, line breaks shown as \n.</summary>
    static string Describe(string? comment) => comment is null ? "(none)" : "'" + OneLine(comment).Replace("'", "''") + "'";

    static string OneLine(string s) => s.Replace("\\", "\\\\").Replace("\r", "\\r").Replace("\n", "\\n");
}
