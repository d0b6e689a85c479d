using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse;

/// <summary>Reads tables, views, columns, keys, comments and (optionally) profiles, set-based: one query per kind per scope.</summary>
public interface IMetadataReader
{
    Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default);

    /// <summary>
    /// The same catalog in slices for a run (<see cref="CatalogSlices"/>); each slice opens its own connection, so
    /// none idles through hours of drafting. Backends without a sliced read return the whole catalog as one slice.
    /// </summary>
    Task<CatalogSlices> ReadSlicesAsync(Func<CancellationToken, Task<DbConnection>> open, Scope? scope, MetadataOptions options, CancellationToken ct = default) =>
        CatalogSlices.WholeAsync(this, open, scope, options, ct);
}

/// <summary>A comment target: the object and its <see cref="History.Model.TargetKinds"/> kind.</summary>
public readonly record struct CommentTarget(QualifiedName Name, string Kind)
{
    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>
/// Reads and writes table/column comments. <see cref="WriteAsync"/> throws <see cref="CommentWriteException"/>
/// for a failure of that one target (privilege, missing object, too long, verify mismatch); the connection stays
/// usable (outside a transaction) so the caller can go on with the other targets.
/// </summary>
public interface ICommentWriter
{
    WarehouseDialect Dialect { get; }

    Task<string?> ReadLiveCommentAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, CancellationToken ct = default);

    /// <summary>The live comments of many targets in one query per kind; targets that do not exist are absent from the result.</summary>
    Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default);

    /// <summary>
    /// The exact SQL a write would run, with the comment as a properly escaped literal (for <c>--dry-run</c>).
    /// MySQL/MariaDB column comments need the live column definition, hence the connection (may be null elsewhere).
    /// </summary>
    Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default);

    /// <summary>Sets (text) or removes (null) the comment, then reads it back and verifies it byte for byte.</summary>
    Task WriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct = default);

    /// <summary>
    /// Sets or removes many comments, each on its own: one failure never undoes or blocks another. Every write is
    /// read back and verified. Returns the failures (target → why); targets absent from it now hold their text.
    /// Backends override the per-target round trips with a batch (PostgreSQL: savepoint per target; MySQL: one
    /// ALTER per table, per target on failure).
    /// </summary>
    Task<IReadOnlyDictionary<CommentTarget, CommentWriteException>> WriteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes, CancellationToken ct = default) =>
        WriteManyAsync(connection, writes, CommentWriteOptions.Default, ct);

    /// <summary><see cref="WriteManyAsync(DbConnection, IReadOnlyList{CommentWrite}, CancellationToken)"/> with the user's choices.</summary>
    Task<IReadOnlyDictionary<CommentTarget, CommentWriteException>> WriteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes, CommentWriteOptions options, CancellationToken ct = default);
}

/// <summary>
/// What the user allowed a comment write to do beyond the safe default. AllowTableRebuild: where the server cannot
/// change a comment as metadata only, let it copy (and lock) the table (MySQL/MariaDB <c>--allow-table-rebuild</c>).
/// </summary>
public sealed record CommentWriteOptions(bool AllowTableRebuild = false)
{
    public static readonly CommentWriteOptions Default = new();
}

/// <summary>One comment to write (null text: remove the comment).</summary>
public sealed record CommentWrite(CommentTarget Target, string? Text);

/// <summary>Server version and the user amx is connected as (for <c>db inspect</c> and <c>db-profiles test</c>).</summary>
public sealed record ServerInfo(string Backend, string Version, string? User);

public interface IServerInfoReader
{
    Task<ServerInfo> ReadAsync(DbConnection connection, CancellationToken ct = default);

    /// <summary>
    /// The database as the server itself identifies it, the same from every machine however a profile spells the
    /// host or port (<c>localhost</c> vs <c>127.0.0.1</c>, an omitted default port): the key of apply's cross-machine
    /// target locks (docs/runs.md).
    /// </summary>
    Task<string> IdentityAsync(DbConnection connection, CancellationToken ct = default);
}

/// <summary>Everything amx needs of one backend; <see cref="WarehouseProviders.For"/> picks it.</summary>
public interface IWarehouseProvider
{
    Backend Backend { get; }
    WarehouseDialect Dialect { get; }
    IMetadataReader Metadata { get; }
    ICommentWriter Comments { get; }
    IServerInfoReader ServerInfo { get; }
    DbConnection CreateConnection(string connectionString);

    /// <summary>
    /// The connection string to open the profile with, where credentials may need fetching first (Redshift IAM
    /// authentication asks AWS for a temporary password); by default the profile's own.
    /// </summary>
    Task<string> ConnectionStringAsync(DbProfile profile, CancellationToken ct = default) =>
        Task.FromResult(Connections.ConnectionStringFactory.For(profile));

    /// <summary>Checks up front whether this user may comment the targets (<c>apply --check</c>); null where unknown.</summary>
    ICommentPrivilegeChecker? Privileges => null;

    /// <summary>A backend-specific explanation of a failed open (e.g. a file locked by another process); null: the generic one.</summary>
    (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error) => null;
}

/// <summary>Which targets the connected user may not comment, with the reason (missing privilege).</summary>
public interface ICommentPrivilegeChecker
{
    Task<IReadOnlyDictionary<CommentTarget, string>> CheckAsync(DbConnection connection, IReadOnlyCollection<CommentTarget> targets, CancellationToken ct = default);
}
