using System.Data.Common;
using Amx.Data.History.Model;
using Npgsql;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// <c>COMMENT ON TABLE|VIEW|COLUMN … IS '…'</c> (the forms Redshift documents; the text is a literal escaped by
/// <see cref="RedshiftDialect.Literal"/>, since COMMENT takes no bind parameters); <c>IS NULL</c> removes it.
/// Redshift has no savepoints, so many writes go in one transaction per chunk and a chunk that fails is rolled back
/// whole and redone one target at a time (each on its own, so one failure never undoes another).
/// </summary>
public sealed class RedshiftCommentWriter : StatementCommentWriter
{
    /// <summary>Targets per transaction in <see cref="ExecuteManyAsync"/>.</summary>
    const int ChunkSize = 100;

    public override WarehouseDialect Dialect => RedshiftDialect.Instance;

    public static string RenderStatement(QualifiedName target, string kind, string? text)
    {
        var d = RedshiftDialect.Instance;
        var obj = kind switch
        {
            TargetKinds.Column => $"COLUMN {d.QuoteTable(target)}.{d.QuoteIdentifier(target.Column!)}",
            // Redshift's materialized views take COMMENT ON VIEW: its COMMENT has no MATERIALIZED VIEW form.
            TargetKinds.View or TargetKinds.MaterializedView => $"VIEW {d.QuoteTable(target)}",
            _ => $"TABLE {d.QuoteTable(target)}",
        };
        return $"COMMENT ON {obj} IS {RedshiftDialect.Literal(text)}";
    }

    protected override string Statement(QualifiedName target, string kind, string? text) => RenderStatement(target, kind, text);

    protected override async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)connection;
        foreach (var chunk in writes.Chunk(ChunkSize))
        {
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                try
                {
                    await using var batch = new NpgsqlBatch(conn, tx);
                    foreach (var w in chunk) batch.BatchCommands.Add(new NpgsqlBatchCommand(RenderStatement(w.Target.Name, w.Target.Kind, w.Text)));
                    await batch.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                    continue;
                }
                catch (PostgresException)
                {
                    await tx.RollbackAsync(ct);
                }
            }
            // Nothing of the chunk was kept: each target again, alone, so the failure is pinned to its target.
            foreach (var w in chunk) await ExecuteOneAsync(connection, w, failures, ct);
        }
    }

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var list = targets.Distinct().ToList();
        var result = new Dictionary<CommentTarget, string?>();
        var byName = list.ToLookup(t => t.Name);
        var relations = list.Where(t => !t.Name.IsColumn).Select(t => (t.Name.Schema, t.Name.Table)).Distinct().ToList();
        var tablesOfColumns = list.Where(t => t.Name.IsColumn).Select(t => (t.Name.Schema, t.Name.Table)).Distinct().ToList();

        foreach (var chunk in relations.Chunk(RedshiftCatalogSql.TablesPerQuery))
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = $"""
                SELECT n.nspname::varchar, c.relname::varchar, d.description::varchar
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
                WHERE c.relkind IN ('r','v') AND {RedshiftCatalogSql.TableFilter(cmd, chunk)}
                """;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                foreach (var t in byName[new QualifiedName(r.GetString(0), r.GetString(1))])
                    result[t] = r.IsDBNull(2) ? null : r.GetString(2);
        }
        // Every column of the tables involved (one query per chunk of tables), keeping the ones asked for.
        foreach (var chunk in tablesOfColumns.Chunk(RedshiftCatalogSql.TablesPerQuery))
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = $"""
                SELECT n.nspname::varchar, c.relname::varchar, a.attname::varchar, d.description::varchar
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                WHERE c.relkind IN ('r','v') AND {RedshiftCatalogSql.TableFilter(cmd, chunk)}
                """;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                foreach (var t in byName[new QualifiedName(r.GetString(0), r.GetString(1), r.GetString(2))])
                    result[t] = r.IsDBNull(3) ? null : r.GetString(3);
        }
        return result;
    }

    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target)
    {
        var what = $"{target}";
        var message = error.Message.Split('\n')[0].Trim();
        return error.SqlState switch
        {
            "42501" => ($"{what}: permission denied ({message})",
                $"on Redshift only the owner of {target.Name.TableName} or a superuser can comment on it; ask them to apply, or run the statement from `amx apply RUN_ID --dry-run`"),
            "42P01" => ($"{what}: the {KindWord(target.Kind)} no longer exists", "run amx again to draft the current catalog"),
            "42703" => ($"{what}: the column no longer exists (or belongs to a late-binding view, whose columns take no comments)", "run amx again to draft the current catalog"),
            _ => ($"{what}: {message}", null),
        };
    }
}
