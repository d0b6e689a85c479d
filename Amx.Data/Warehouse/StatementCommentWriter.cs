using System.Data.Common;

namespace Amx.Data.Warehouse;

/// <summary>
/// A writer whose comment change is one plain statement with the text as an escaped literal (Snowflake, Databricks,
/// Redshift): the dry run shows that statement, the write runs it.
/// </summary>
public abstract class StatementCommentWriter : CommentWriterBase
{
    /// <summary>The one statement that sets (text) or removes (null) the comment.</summary>
    protected abstract string Statement(QualifiedName target, string kind, string? text);

    public override Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<string>>([Statement(target, kind, Validate(new CommentTarget(target, kind), text))]);

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = Statement(target, kind, text);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
