using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Amx.Data.History.Model;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>
/// <c>COMMENT ON TABLE|VIEW|COLUMN … IS '…'</c> (COMMENT takes no bind parameters, so the text is a literal escaped
/// by <see cref="DuckDbDialect.Literal"/>); <c>IS NULL</c> removes the comment. Names carry the database part
/// (<c>"file"."schema"."table"</c>). Many writes go in one transaction per chunk; DuckDB has no savepoints, so a
/// chunk that fails is rolled back whole and redone one target at a time. See docs/duckdb.md.
/// </summary>
public sealed class DuckDbCommentWriter : CommentWriterBase
{
    /// <summary>Targets per transaction in <see cref="ExecuteManyAsync"/>.</summary>
    const int ChunkSize = 100;

    // The opened file's database name, per connection (dry runs render one statement per target).
    static readonly ConditionalWeakTable<DbConnection, string> Databases = new();

    public override WarehouseDialect Dialect => DuckDbDialect.Instance;

    public static string RenderStatement(string? database, QualifiedName target, string kind, string? text)
    {
        var d = DuckDbDialect.Instance;
        var obj = kind switch
        {
            TargetKinds.Column => $"COLUMN {d.QuoteTable(database, target)}.{d.QuoteIdentifier(target.Column!)}",
            TargetKinds.View => $"VIEW {d.QuoteTable(database, target)}",
            _ => $"TABLE {d.QuoteTable(database, target)}",
        };
        return $"COMMENT ON {obj} IS {DuckDbDialect.Literal(text)}";
    }

    public override async Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var wanted = Validate(new CommentTarget(target, kind), text);
        var database = connection is null ? null : await DatabaseAsync(connection, null, ct);
        return [RenderStatement(database, target, kind, wanted)];
    }

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        var database = await DatabaseAsync(connection, transaction, ct);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = RenderStatement(database, target, kind, text);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected override async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        if (await IsReadOnlyAsync(connection, ct))
        {
            foreach (var w in writes) failures[w.Target] = ReadOnly(w.Target);
            return;
        }
        var database = await DatabaseAsync(connection, null, ct);
        foreach (var chunk in writes.Chunk(ChunkSize))
        {
            var sql = new StringBuilder();
            foreach (var w in chunk) sql.Append(RenderStatement(database, w.Target.Name, w.Target.Kind, w.Text)).Append(";\n");
            await using var tx = await connection.BeginTransactionAsync(ct);
            try
            {
                await using (var cmd = connection.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = sql.ToString();
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                continue;
            }
            catch (DbException)
            {
                await tx.RollbackAsync(ct);
            }
            // No savepoints in DuckDB: nothing of the chunk was kept, so each target is redone on its own.
            foreach (var w in chunk) await ExecuteOneAsync(connection, w, failures, ct);
        }
    }

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var list = targets.Distinct().ToList();
        var result = new Dictionary<CommentTarget, string?>();
        if (list.Count == 0) return result;
        var byName = list.ToLookup(t => t.Name);
        // The tables involved as a VALUES list of escaped literals (COMMENT targets are few enough for one statement).
        var wanted = string.Join(", ", list.Select(t => (t.Name.Schema, t.Name.Table)).Distinct()
            .Select(p => $"({DuckDbDialect.Literal(p.Schema)}, {DuckDbDialect.Literal(p.Table)})"));
        // Each catalog function builds the whole catalog per call (~0.1 s for 100,000 columns): only the ones needed.
        var branches = new List<string>();
        if (list.Any(t => !t.Name.IsColumn))
        {
            branches.Add("""
                SELECT x.schema_name, x.table_name, NULL::VARCHAR, x.comment FROM duckdb_tables() x
                  JOIN wanted w ON x.schema_name = w.s AND x.table_name = w.t WHERE x.database_name = current_database()
                """);
            branches.Add("""
                SELECT x.schema_name, x.view_name, NULL::VARCHAR, x.comment FROM duckdb_views() x
                  JOIN wanted w ON x.schema_name = w.s AND x.view_name = w.t WHERE x.database_name = current_database() AND NOT x.internal
                """);
        }
        if (list.Any(t => t.Name.IsColumn))
            branches.Add("""
                SELECT x.schema_name, x.table_name, x.column_name, x.comment FROM duckdb_columns() x
                  JOIN wanted w ON x.schema_name = w.s AND x.table_name = w.t WHERE x.database_name = current_database() AND NOT x.internal
                """);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = $"WITH wanted(s, t) AS (VALUES {wanted})\n{string.Join("\nUNION ALL\n", branches)}";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var name = new QualifiedName(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2));
            foreach (var t in byName[name]) result[t] = r.IsDBNull(3) ? null : r.GetString(3);
        }
        return result;
    }

    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target)
    {
        var message = FirstLine(error.Message);
        if (message.Contains("read-only mode", StringComparison.OrdinalIgnoreCase))
        {
            var e = ReadOnly(target);
            return (e.Message, e.Hint);
        }
        if (message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) || message.Contains("not found", StringComparison.OrdinalIgnoreCase))
            return ($"{target}: the {KindWord(target.Kind)} no longer exists ({message})", "run amx again to draft the current catalog");
        return ($"{target}: {message}", null);
    }

    static CommentWriteException ReadOnly(CommentTarget target) => CommentWriteException.Failed(target,
        $"{target}: the DuckDB file is opened read-only (the db profile has --read-only), so no comment can be written",
        "drafting works read-only; to apply, use a profile without --read-only: amx add-db-profile NAME --backend duckdb --path FILE --replace");

    internal static async Task<bool> IsReadOnlyAsync(DbConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()";
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    static async Task<string> DatabaseAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        if (Databases.TryGetValue(connection, out var name)) return name;
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT current_database()";
        name = (string)(await cmd.ExecuteScalarAsync(ct))!;
        Databases.AddOrUpdate(connection, name);
        return name;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

/// <summary><c>apply --check</c>: a file opened read-only takes no comments at all.</summary>
public sealed class DuckDbReadOnlyChecker : ICommentPrivilegeChecker
{
    public async Task<IReadOnlyDictionary<CommentTarget, string>> CheckAsync(DbConnection connection, IReadOnlyCollection<CommentTarget> targets, CancellationToken ct = default) =>
        await DuckDbCommentWriter.IsReadOnlyAsync(connection, ct)
            ? targets.Distinct().ToDictionary(t => t, _ => "the DuckDB file is opened read-only (db profile with --read-only)")
            : new Dictionary<CommentTarget, string>();
}
