using System.Data.Common;
using Amx.Data.History.Model;
using MySqlConnector;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// MySQL/MariaDB comments: <c>ALTER TABLE … COMMENT = …</c> for tables, and for columns <c>ALTER TABLE … MODIFY COLUMN
/// &lt;the column's whole definition&gt; COMMENT …</c>. Restating a column can change it, so every write is guarded
/// (docs/mysql-mariadb.md): amx's own session settings; the definition read binary-safe, with the SRID from the
/// catalog; the exact statement proven first on a temporary copy of the table (no rows), comparing the whole
/// definition; metadata-only algorithms unless a rebuild was allowed; the real table compared again afterwards.
/// A target that cannot be proven is refused with the reason, never written.
/// DDL commits implicitly on these servers: do not pass a transaction you expect to roll back.
/// </summary>
public sealed partial class MySqlCommentWriter(MySqlDialect dialect) : CommentWriterBase
{
    [System.Text.RegularExpressions.GeneratedRegex(@" PAGE_CHECKSUM=\d")]
    private static partial System.Text.RegularExpressions.Regex PageChecksum();

    public override WarehouseDialect Dialect => dialect;

    /// <summary>
    /// The phases of each table's write ("snapshot", "proof", "alter", "check") as activities, for the benchmark's
    /// breakdown (Amx.Benchmarks, apply suite); without a listener they cost nothing.
    /// </summary>
    public static readonly System.Diagnostics.ActivitySource Phases = new(PhasesName);

    /// <summary>The name of <see cref="Phases"/> (a listener must not touch Phases itself while it is being made).</summary>
    public const string PhasesName = "Amx.Data.MySql.CommentWriter";

    public override async Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var t = new CommentTarget(target, kind);
        var wanted = Validate(t, text);
        if (connection is null)
            throw CommentWriteException.BadInput(t, $"{t}: {dialect.BackendName} statements need a connection (the column definition is read from the server)");
        var conn = (MySqlConnection)connection;
        await UseOwnSessionAsync(conn, ct);
        var before = await SnapshotAsync(conn, t, ct);
        return [$"ALTER TABLE {dialect.QuoteTable(t.Name)} {Clause(t, wanted, before)}, ALGORITHM={dialect.MetadataOnlyAlgorithms[0]}"];
    }

    /// <summary>The statements for a table whose definition is known (MySQL 8 has no server here: tests render offline).</summary>
    public string RenderOffline(CommentTarget t, string? text, MySqlTableSnapshot definition) =>
        $"ALTER TABLE {dialect.QuoteTable(t.Name)} {Clause(t, Validate(t, text), definition)}, ALGORITHM={dialect.MetadataOnlyAlgorithms[0]}";

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        var t = new CommentTarget(target, kind);
        var failures = new Dictionary<CommentTarget, CommentWriteException>();
        var conn = (MySqlConnection)connection;
        await UseOwnSessionAsync(conn, ct);
        await WriteTableAsync(conn, [new CommentWrite(t, text)], CommentWriteOptions.Default, failures, ct);
        if (failures.TryGetValue(t, out var failure)) throw failure;
    }

    protected override async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CommentWriteOptions options, CancellationToken ct)
    {
        var conn = (MySqlConnection)connection;
        await UseOwnSessionAsync(conn, ct);
        // One ALTER per table carrying all its comments: each ALTER costs milliseconds, 10,000 single ones minutes.
        foreach (var table in writes.GroupBy(w => (w.Target.Name.Schema, w.Target.Name.Table)))
            await WriteTableAsync(conn, table.ToList(), options, failures, ct);
    }

    /// <summary>Never the server's or the global sql_mode: it changes how definitions print and what they mean.</summary>
    async Task UseOwnSessionAsync(MySqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand(dialect.SessionSettings, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    async Task<MySqlTableSnapshot> SnapshotAsync(MySqlConnection conn, CommentTarget t, CancellationToken ct)
    {
        try
        {
            return await MySqlTableSnapshot.ReadAsync(conn, dialect, t.Name.Schema, t.Name.Table, catalog: true, ct)
                ?? throw CommentWriteException.BadInput(t, $"{t}: {t.Name.TableName} is not a base table; {dialect.BackendName} has no comments on view columns");
        }
        catch (DbException e)
        {
            throw Failure(e, t);
        }
    }

    /// <summary>Proves, writes and checks one table's comments; every target that is not in place ends in <paramref name="failures"/>.</summary>
    async Task WriteTableAsync(MySqlConnection conn, List<CommentWrite> group, CommentWriteOptions options,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        var first = group[0].Target;
        MySqlTableSnapshot before;
        try
        {
            using var phase = Phases.StartActivity("snapshot");
            before = await SnapshotAsync(conn, first, ct);
        }
        catch (CommentWriteException e)
        {
            foreach (var w in group) failures[w.Target] = CommentWriteException.Failed(w.Target, e.Message.Replace(first.ToString(), w.Target.ToString()), e.Hint, e);
            return;
        }

        var clauses = new List<(CommentTarget Target, string Clause)>();
        foreach (var w in group)
        {
            try { clauses.Add((w.Target, Clause(w.Target, w.Text, before))); }
            catch (CommentWriteException e) { failures[w.Target] = e; }
        }
        List<(CommentTarget Target, string Clause)> proven;
        using (Phases.StartActivity("proof"))
            proven = await ProveAsync(conn, first.Name, clauses, failures, ct);
        if (proven.Count == 0) return;

        var table = dialect.QuoteTable(first.Name);
        var written = new List<(CommentTarget Target, string Clause)>();
        var alter = Phases.StartActivity("alter");
        try
        {
            await AlterAsync(conn, table, proven.Select(p => p.Clause), options, ct);
            written.AddRange(proven);
        }
        catch (Exception e) when (e is DbException or CommentWriteException && proven.Count > 1)
        {
            // An ALTER is atomic: nothing of it was written. One by one, so one failure never blocks another.
            foreach (var p in proven)
            {
                try
                {
                    await AlterAsync(conn, table, [p.Clause], options, ct);
                    written.Add(p);
                }
                catch (CommentWriteException refused) { failures[p.Target] = CommentWriteException.Failed(p.Target, $"{p.Target}: {refused.Message}", refused.Hint); }
                catch (DbException e2) { failures[p.Target] = Failure(e2, p.Target); }
            }
        }
        catch (CommentWriteException refused) // not possible as metadata only: the server's reason
        {
            failures[proven[0].Target] = CommentWriteException.Failed(proven[0].Target, $"{proven[0].Target}: {refused.Message}", refused.Hint);
        }
        catch (DbException e)
        {
            failures[proven[0].Target] = Failure(e, proven[0].Target);
        }
        finally { alter?.Dispose(); }
        if (written.Count == 0) return;
        using (Phases.StartActivity("check"))
            await CheckAfterAsync(conn, before, written, failures, ct);
    }

    /// <summary>
    /// Runs the statement on a temporary copy of the table (same session, no rows) and compares the copy's whole
    /// definition before and after. The clauses that leave it unchanged come back; the others fail naming what
    /// would have changed. Without the privilege to make the copy, nothing is proven and nothing is written.
    /// </summary>
    async Task<List<(CommentTarget Target, string Clause)>> ProveAsync(MySqlConnection conn, QualifiedName table,
        List<(CommentTarget Target, string Clause)> clauses, IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        if (clauses.Count == 0) return clauses;
        var copy = new QualifiedName(table.Schema, $"amx_proof_{Guid.NewGuid():N}"[..30]);
        try
        {
            var all = await ProveOnCopyAsync(conn, table, copy, clauses.Select(c => c.Clause), ct);
            if (all.Count == 0) return clauses;
            if (clauses.Count == 1)
            {
                failures[clauses[0].Target] = NotProven(clauses[0].Target, all);
                return [];
            }
            // Something would change: find which targets, each on a fresh copy.
            var proven = new List<(CommentTarget, string)>();
            foreach (var c in clauses)
            {
                var diff = await ProveOnCopyAsync(conn, table, copy, [c.Clause], ct);
                if (diff.Count == 0) proven.Add(c);
                else failures[c.Target] = NotProven(c.Target, diff);
            }
            return proven;
        }
        catch (ProofException e)
        {
            foreach (var c in clauses) failures[c.Target] = CommentWriteException.Failed(c.Target, $"{c.Target}: not written: {e.Message}", e.Hint);
            return [];
        }
    }

    static CommentWriteException NotProven(CommentTarget t, IReadOnlyList<(DefinitionKey Key, string Before, string After)> diff) =>
        CommentWriteException.Failed(t, $"{t}: not written: restating the column would change its definition ({MySqlTableSnapshot.Describe(diff)})",
            "nothing was changed; set this comment by hand, or report the column's definition (SHOW CREATE TABLE) as an amx bug");

    sealed class ProofException(string message, string? hint) : Exception(message)
    {
        public string? Hint { get; } = hint;
    }

    /// <summary>
    /// The definition differences the clauses cause on a fresh copy (empty: proven). Two round trips: the copy made
    /// and read; the statement run on it, the copy read again and dropped.
    /// </summary>
    async Task<IReadOnlyList<(DefinitionKey Key, string Before, string After)>> ProveOnCopyAsync(MySqlConnection conn, QualifiedName table,
        QualifiedName copy, IEnumerable<string> clauses, CancellationToken ct)
    {
        var quotedCopy = dialect.QuoteTable(copy);
        var dropped = false;
        try
        {
            var before = await CreateCopyAsync(conn, table, copy, ct);
            MySqlTableSnapshot after;
            try
            {
                // A temporary copy cannot be system-versioned, so a column's WITHOUT SYSTEM VERSIONING has nothing to
                // apply to there; the check after the write compares the attribute on the real table.
                var alter = $"ALTER TABLE {quotedCopy} {string.Join(", ", clauses.Select(c => c.Replace(" WITHOUT SYSTEM VERSIONING", "")))}";
                after = await MySqlTableSnapshot.ReadAfterAsync(conn, dialect, alter, copy.Schema, copy.Table, catalog: false,
                            $"DROP TEMPORARY TABLE IF EXISTS {quotedCopy}", ct)
                        ?? throw new ProofException("the temporary copy could not be read", null);
                dropped = true;
            }
            catch (MySqlException e)
            {
                return [(new DefinitionKey(null, "statement"), "accepted", "refused: " + e.Message)];
            }
            // A temporary Aria copy forgets PAGE_CHECKSUM on any ALTER (the real table keeps it, and the check
            // after the write compares it there): not a difference the statement makes.
            // Likewise a column's WITHOUT SYSTEM VERSIONING, which the copy shows but cannot take in an ALTER.
            return MySqlTableSnapshot.Diff(before, after)
                .Where(d => CopyNeutral(d.Before) != CopyNeutral(d.After))
                .ToList();
        }
        finally
        {
            if (!dropped) await ExecuteAsync(conn, $"DROP TEMPORARY TABLE IF EXISTS {quotedCopy}", ct);
        }
    }

    static string CopyNeutral(string fact) => PageChecksum().Replace(fact, "").Replace(" WITHOUT SYSTEM VERSIONING", "").Replace("WITHOUT SYSTEM VERSIONING", "");

    /// <summary>Makes the temporary copy (no rows) and reads its definition, in one round trip.</summary>
    async Task<MySqlTableSnapshot> CreateCopyAsync(MySqlConnection conn, QualifiedName table, QualifiedName copy, CancellationToken ct)
    {
        var quotedCopy = dialect.QuoteTable(copy);
        try
        {
            return await MySqlTableSnapshot.ReadAfterAsync(conn, dialect, $"CREATE TEMPORARY TABLE {quotedCopy} LIKE {dialect.QuoteTable(table)}",
                       copy.Schema, copy.Table, catalog: false, null, ct)
                   ?? throw new ProofException("the temporary copy could not be read", null);
        }
        catch (MySqlException e) when (e.Number is 1044 or 1142 or 1227) // no CREATE TEMPORARY TABLES
        {
            throw new ProofException($"the statement cannot be proven on a temporary copy of {table.TableName}: {e.Message}",
                $"apply needs CREATE TEMPORARY TABLES for its proof: GRANT CREATE TEMPORARY TABLES ON {dialect.QuoteIdentifier(table.Schema)}.* TO <user>");
        }
        catch (MySqlException e) when (e.Number == 1478) // partitioned: no temporary copy with partitions
        {
            // The same definition without its partitioning: the column statements are proven all the same, and
            // the check after the write compares the real table, partitions included.
            var create = (await SnapshotAsync(conn, new CommentTarget(table, TargetKinds.Table), ct)).CreateTable;
            var body = create[create.IndexOf('(')..];
            foreach (var marker in new[] { "\n PARTITION BY", "\nPARTITION BY", "\n/*!50100 PARTITION BY" })
                if (body.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0) body = body[..at];
            try
            {
                return await MySqlTableSnapshot.ReadAfterAsync(conn, dialect, $"CREATE TEMPORARY TABLE {quotedCopy} {body}",
                           copy.Schema, copy.Table, catalog: false, null, ct)
                       ?? throw new ProofException("the temporary copy could not be read", null);
            }
            catch (MySqlException e2)
            {
                throw new ProofException($"the statement cannot be proven: no temporary copy of {table.TableName} ({e2.Message})", null);
            }
        }
    }

    /// <summary>Metadata-only algorithms in order; a rebuild only when the user allowed it.</summary>
    async Task AlterAsync(MySqlConnection conn, string table, IEnumerable<string> clauses, CommentWriteOptions options, CancellationToken ct)
    {
        var statement = $"ALTER TABLE {table} {string.Join(", ", clauses)}";
        MySqlException? refused = null;
        foreach (var algorithm in dialect.MetadataOnlyAlgorithms)
        {
            try
            {
                await ExecuteAsync(conn, $"{statement}, ALGORITHM={algorithm}", ct);
                return;
            }
            catch (MySqlException e) when (e.Number is 1845 or 1846) // ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)
            {
                refused = e;
            }
        }
        if (!options.AllowTableRebuild)
            throw new CommentWriteException(default, Errors.ExitCode.Failed,
                $"not written: the server cannot change this comment as metadata only ({refused?.Message}); --allow-table-rebuild lets it copy the table",
                "rerun with --allow-table-rebuild to let the server copy the table (it locks and rewrites the whole table)");
        await ExecuteAsync(conn, statement, ct);
    }

    /// <summary>Compares the real table with its definition before the write: any difference is a failure, never "applied".</summary>
    async Task CheckAfterAsync(MySqlConnection conn, MySqlTableSnapshot before, List<(CommentTarget Target, string Clause)> written,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        MySqlTableSnapshot after;
        try { after = await SnapshotAsync(conn, written[0].Target, ct); }
        catch (CommentWriteException e)
        {
            foreach (var (t, _) in written) failures[t] = CommentWriteException.Failed(t, $"{t}: written, but the definition could not be checked afterwards: {e.Message}");
            return;
        }
        var diff = MySqlTableSnapshot.Diff(before, after);
        if (diff.Count == 0) return;
        var tableLevel = diff.Where(d => d.Key.Column is null).ToList();
        foreach (var (t, _) in written)
        {
            var mine = diff.Where(d => d.Key.Column is not null && t.Name.Column is not null
                && string.Equals(d.Key.Column, t.Name.Column, StringComparison.OrdinalIgnoreCase)).ToList();
            if (mine.Count == 0 && tableLevel.Count == 0) continue;
            var original = t.Name.Column is null ? null : MySqlColumnDefinition.FromCreateTable(before.CreateTable, t.Name.Column);
            failures[t] = CommentWriteException.Failed(t,
                $"{t}: the definition changed with the comment: {MySqlTableSnapshot.Describe(mine.Count > 0 ? mine : tableLevel)}",
                original is null
                    ? "compare SHOW CREATE TABLE with your schema and restore what changed"
                    : $"restore it with: ALTER TABLE {dialect.QuoteTable(t.Name)} MODIFY COLUMN {original.DefinitionWithoutComment}");
        }
    }

    /// <summary><c>COMMENT = …</c> for a table, <c>MODIFY COLUMN &lt;definition&gt; COMMENT …</c> for a column.</summary>
    string Clause(CommentTarget t, string? text, MySqlTableSnapshot definition)
    {
        // amx's session never has NO_BACKSLASH_ESCAPES, so backslash escaping is always right here.
        var literal = MySqlDialect.Literal(text ?? "");
        if (t.Kind != TargetKinds.Column) return $"COMMENT = {literal}";
        var column = MySqlColumnDefinition.FromCreateTable(definition.CreateTable, t.Name.Column!)
            ?? throw CommentWriteException.Failed(t, $"{t}: the column no longer exists", "run amx again to draft the current catalog");
        if (definition.Srids.TryGetValue(t.Name.Column!, out var srid))
            column = column.WithSrid(dialect.SridKeyword, dialect.SridClause(srid));
        return $"MODIFY COLUMN {column.WithComment(text is null ? null : literal)}";
    }

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        // One UNION ALL branch per table with equality on schema and table: information_schema then opens just
        // those tables, where an IN list of tuples makes the server scan every table of the schema.
        var result = new Dictionary<CommentTarget, string?>();
        var byName = targets.ToLookup(t => t.Name);
        var tables = byName.Select(g => (g.Key.Schema, g.Key.Table, IsColumn: g.Key.IsColumn)).Distinct().ToList();
        foreach (var batch in tables.Chunk(200))
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            var branches = new List<string>();
            for (var i = 0; i < batch.Length; i++)
            {
                CatalogBuilder.AddText(cmd, $"@s{i}", batch[i].Schema);
                CatalogBuilder.AddText(cmd, $"@t{i}", batch[i].Table);
                branches.Add(batch[i].IsColumn
                    ? $"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @s{i} AND TABLE_NAME = @t{i}"
                    : $"SELECT TABLE_SCHEMA, TABLE_NAME, NULL, CASE WHEN TABLE_TYPE = 'VIEW' THEN '' ELSE TABLE_COMMENT END FROM information_schema.TABLES WHERE TABLE_SCHEMA = @s{i} AND TABLE_NAME = @t{i}");
            }
            cmd.CommandText = string.Join("\nUNION ALL\n", branches);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var name = new QualifiedName(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2));
                var comment = r.IsDBNull(3) ? null : r.GetString(3);
                foreach (var t in byName[name]) result[t] = string.IsNullOrEmpty(comment) ? null : comment;
            }
        }
        return result;
    }

    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target)
    {
        var code = (error as MySqlException)?.Number;
        return code switch
        {
            1142 or 1143 or 1044 or 1227 => // table, column, database, specific access denied
                ($"{target}: permission denied ({error.Message})",
                 $"the ALTER privilege on {target.Name.TableName} is needed: GRANT ALTER ON {dialect.QuoteTable(target.Name)} TO <user>"),
            1146 or 1051 => ($"{target}: the table no longer exists", "run amx again to draft the current catalog"),
            1054 => ($"{target}: the column no longer exists", "run amx again to draft the current catalog"),
            _ => ($"{target}: {error.Message}", null),
        };
    }

    static async Task ExecuteAsync(MySqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
