using System.Data.Common;

namespace Amx.Data.Warehouse.Sqlite;

/// <summary>SQLite has no comments: every write is refused with a plain explanation; descriptions stay in the history.</summary>
public sealed class SqliteCommentWriter : CommentWriterBase
{
    public override WarehouseDialect Dialect => SqliteDialect.Instance;

    public override Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<CommentTarget, string?>>(targets.Distinct().ToDictionary(t => t, _ => (string?)null));

    public override Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        Validate(new CommentTarget(target, kind), text); // throws: no comments here
        return Task.FromResult<IReadOnlyList<string>>([]);
    }

    protected override Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct) =>
        throw CommentWriteException.BadInput(new CommentTarget(target, kind), "SQLite has no comments");

    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target) => ($"{target}: {error.Message}", null);
}
