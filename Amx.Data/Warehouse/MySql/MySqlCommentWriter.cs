using System.Data.Common;
using Amx.Data.History.Model;
using MySqlConnector;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// MySQL/MariaDB comments: <c>ALTER TABLE … COMMENT = …</c> for tables, and for columns
/// <c>ALTER TABLE … MODIFY COLUMN &lt;definition from SHOW CREATE TABLE&gt; COMMENT …</c>, so nothing else about the
/// column changes. Both try <c>ALGORITHM=INSTANT</c> first and fall back to the server's default if refused.
/// DDL commits implicitly on these servers: do not pass a transaction you expect to roll back.
/// </summary>
public sealed class MySqlCommentWriter(MySqlDialect dialect) : CommentWriterBase
{
    const string Instant = ", ALGORITHM=INSTANT";

    public override WarehouseDialect Dialect => dialect;

    public override async Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var t = new CommentTarget(target, kind);
        var wanted = Validate(t, text);
        if (connection is null)
            throw CommentWriteException.BadInput(t, $"{t}: {dialect.BackendName} statements need a connection (the column definition is read from the server)");
        return [await BuildAsync(connection, null, t, wanted, ct) + Instant];
    }

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        var t = new CommentTarget(target, kind);
        var statement = await BuildAsync(connection, transaction, t, text, ct);
        try
        {
            await ExecuteAsync(connection, transaction, statement + Instant, ct);
        }
        catch (MySqlException e) when (e.Number is 1845 or 1846) // ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)
        {
            await ExecuteAsync(connection, transaction, statement, ct); // the server cannot do it in place: let it pick
        }
    }

    async Task<string> BuildAsync(DbConnection connection, DbTransaction? transaction, CommentTarget t, string? text, CancellationToken ct)
    {
        var noBackslashEscapes = await NoBackslashEscapesAsync(connection, transaction, ct);
        var createTable = t.Kind == TargetKinds.Column ? await ShowCreateTableAsync(connection, transaction, t, ct) : "";
        return $"ALTER TABLE {dialect.QuoteTable(t.Name)} {Clause(t, text, createTable, noBackslashEscapes)}";
    }

    /// <summary><c>COMMENT = …</c> for a table, <c>MODIFY COLUMN &lt;definition&gt; COMMENT …</c> for a column.</summary>
    string Clause(CommentTarget t, string? text, string createTable, bool noBackslashEscapes)
    {
        var literal = MySqlDialect.Literal(text ?? "", noBackslashEscapes);
        if (t.Kind != TargetKinds.Column) return $"COMMENT = {literal}";
        var definition = MySqlColumnDefinition.FromCreateTable(createTable, t.Name.Column!)
            ?? throw CommentWriteException.Failed(t, $"{t}: the column no longer exists", "run amx again to draft the current catalog");
        return $"MODIFY COLUMN {definition.WithComment(text is null ? null : literal)}";
    }

    static async Task<bool> NoBackslashEscapesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
        (await ScalarAsync(connection, transaction, "SELECT @@SESSION.sql_mode", ct)).Contains("NO_BACKSLASH_ESCAPES", StringComparison.OrdinalIgnoreCase);

    async Task<string> ShowCreateTableAsync(DbConnection connection, DbTransaction? transaction, CommentTarget t, CancellationToken ct)
    {
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = $"SHOW CREATE TABLE {dialect.QuoteTable(t.Name)}";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct) || r.GetName(1) != "Create Table")
                throw CommentWriteException.BadInput(t, $"{t}: {t.Name.TableName} is not a base table; {dialect.BackendName} has no comments on view columns");
            return r.GetString(1);
        }
        catch (DbException e)
        {
            throw Failure(e, t);
        }
    }

    /// <summary>
    /// One ALTER TABLE per table carrying all its comments (each ALTER is a metadata change that costs milliseconds,
    /// so 10,000 single-column ALTERs would take minutes). An ALTER is atomic: when it fails, nothing of it was
    /// written, and its targets are retried one by one so that one failure never blocks another.
    /// </summary>
    protected override async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        var noBackslashEscapes = await NoBackslashEscapesAsync(connection, null, ct);
        foreach (var table in writes.GroupBy(w => (w.Target.Name.Schema, w.Target.Name.Table)))
        {
            var group = table.ToList();
            if (group.Count == 1)
            {
                await ExecuteOneAsync(connection, group[0], failures, ct);
                continue;
            }
            try
            {
                var createTable = group.Any(w => w.Target.Kind == TargetKinds.Column) ? await ShowCreateTableAsync(connection, null, group[0].Target, ct) : "";
                var clauses = group.Select(w => Clause(w.Target, w.Text, createTable, noBackslashEscapes));
                var statement = $"ALTER TABLE {dialect.QuoteTable(group[0].Target.Name)} {string.Join(", ", clauses)}";
                try
                {
                    await ExecuteAsync(connection, null, statement + Instant, ct);
                }
                catch (MySqlException e) when (e.Number is 1845 or 1846)
                {
                    await ExecuteAsync(connection, null, statement, ct);
                }
            }
            catch (Exception e) when (e is DbException or CommentWriteException)
            {
                foreach (var w in group)
                    await ExecuteOneAsync(connection, w, failures, ct);
            }
        }
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

    static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<string> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        return Convert.ToString(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
