using System.Data.Common;
using Amx.Data.History.Model;

namespace Amx.Data.Warehouse;

/// <summary>
/// The rules every backend's writer shares: check capability and length before touching the database, turn a
/// driver error into a per-target <see cref="CommentWriteException"/>, and read the comment back to verify it.
/// </summary>
public abstract class CommentWriterBase : ICommentWriter
{
    public abstract WarehouseDialect Dialect { get; }

    public abstract Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default);

    public abstract Task<IReadOnlyList<string>> RenderStatementsAsync(
        DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default);

    /// <summary>Runs the backend's statements for a validated, normalised comment.</summary>
    protected abstract Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct);

    /// <summary>A one-line explanation (and hint) of a driver error for this target.</summary>
    protected abstract (string Message, string? Hint) Describe(DbException error, CommentTarget target);

    /// <summary>The failure recorded for a target whose write threw <paramref name="error"/>.</summary>
    protected CommentWriteException Failure(DbException error, CommentTarget target)
    {
        var (message, hint) = Describe(error, target);
        return CommentWriteException.Failed(target, message, hint, error);
    }

    public async Task<string?> ReadLiveCommentAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, CancellationToken ct = default)
    {
        var t = new CommentTarget(target, kind);
        var all = await ReadLiveCommentsAsync(connection, transaction, [t], ct);
        return all.TryGetValue(t, out var c) ? c : null;
    }

    public async Task WriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var t = new CommentTarget(target, kind);
        var wanted = Validate(t, text);
        try
        {
            await ExecuteWriteAsync(connection, transaction, target, kind, wanted, ct);
        }
        catch (DbException e)
        {
            var (message, hint) = Describe(e, t);
            throw CommentWriteException.Failed(t, message, hint, e);
        }

        string? live;
        try
        {
            live = await ReadLiveCommentAsync(connection, transaction, target, kind, ct);
        }
        catch (DbException e)
        {
            throw CommentWriteException.Failed(t, $"{t}: the comment was written but could not be read back: {e.Message}", null, e);
        }
        if (!string.Equals(live, wanted, StringComparison.Ordinal))
            throw CommentWriteException.Failed(t,
                $"{t}: the comment read back differs from the one written ({Describe(live)} instead of {Describe(wanted)})",
                "the server changed the text; check its character set and comment limits");
    }

    public Task<IReadOnlyDictionary<CommentTarget, CommentWriteException>> WriteManyAsync(
        DbConnection connection, IReadOnlyList<CommentWrite> writes, CancellationToken ct = default) =>
        WriteManyAsync(connection, writes, CommentWriteOptions.Default, ct);

    public async Task<IReadOnlyDictionary<CommentTarget, CommentWriteException>> WriteManyAsync(
        DbConnection connection, IReadOnlyList<CommentWrite> writes, CommentWriteOptions options, CancellationToken ct = default)
    {
        var failures = new Dictionary<CommentTarget, CommentWriteException>();
        var valid = new List<CommentWrite>();
        foreach (var w in writes)
        {
            try { valid.Add(w with { Text = Validate(w.Target, w.Text) }); }
            catch (CommentWriteException e) { failures[w.Target] = e; }
        }
        if (valid.Count == 0) return failures;
        await ExecuteManyAsync(connection, valid, failures, options, ct);

        // Verify what the server now holds, in one query for all.
        var written = valid.Where(w => !failures.ContainsKey(w.Target)).ToList();
        IReadOnlyDictionary<CommentTarget, string?> live;
        try { live = await ReadLiveCommentsAsync(connection, null, written.Select(w => w.Target), ct); }
        catch (DbException e)
        {
            foreach (var w in written)
                failures[w.Target] = CommentWriteException.Failed(w.Target, $"{w.Target}: the comment was written but could not be read back: {e.Message}", null, e);
            return failures;
        }
        foreach (var w in written)
        {
            var now = live.TryGetValue(w.Target, out var c) ? c : null;
            if (!string.Equals(now, w.Text, StringComparison.Ordinal))
                failures[w.Target] = CommentWriteException.Failed(w.Target,
                    $"{w.Target}: the comment read back differs from the one written ({Describe(now)} instead of {Describe(w.Text)})",
                    "the server changed the text; check its character set and comment limits");
        }
        return failures;
    }

    /// <summary>
    /// Writes validated comments, each independently; records a failure per target. The default is one
    /// <see cref="ExecuteWriteAsync"/> per target (autocommit).
    /// </summary>
    protected virtual Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CommentWriteOptions options, CancellationToken ct) =>
        ExecuteManyAsync(connection, writes, failures, ct);

    /// <summary>The batch for backends whose comment writes need no options.</summary>
    protected virtual async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        foreach (var w in writes)
            await ExecuteOneAsync(connection, w, failures, ct);
    }

    protected async Task ExecuteOneAsync(DbConnection connection, CommentWrite w, IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        try
        {
            await ExecuteWriteAsync(connection, null, w.Target.Name, w.Target.Kind, w.Text, ct);
        }
        catch (CommentWriteException e) { failures[w.Target] = e; }
        catch (DbException e) { failures[w.Target] = Failure(e, w.Target); }
    }

    /// <summary>Checks the text against the dialect's facts; returns the comment as it will be stored (null = none).</summary>
    protected string? Validate(CommentTarget t, string? text)
    {
        if (!Dialect.SupportsCommentsOn(t.Kind))
            throw CommentWriteException.BadInput(t,
                $"{Dialect.BackendName} has no comments on {KindWord(t.Kind)}s; {t.Name} keeps its description in the amx history only");
        if (t.Kind == TargetKinds.Column != t.Name.IsColumn)
            throw CommentWriteException.BadInput(t, $"{t}: a {KindWord(t.Kind)} target needs a {(t.Name.IsColumn ? "schema.table" : "schema.table.column")} name");
        if (text is null || (text.Length == 0 && !Dialect.DistinguishesEmptyComment)) return null;
        if (text.Contains('\0'))
            throw CommentWriteException.BadInput(t, $"{t}: the comment contains a NUL character, which {Dialect.BackendName} cannot store");
        if (!Dialect.SupportsFourByteUtf8InComments && text.EnumerateRunes().Any(r => r.Value > 0xFFFF))
            throw CommentWriteException.BadInput(t,
                $"{t}: the comment contains characters outside the Basic Multilingual Plane (emoji, …), which {Dialect.BackendName} stores as '?' in comments",
                "edit the description to remove them (amx review RUN_ID --set QNAME=TEXT)");
        if (Dialect.MaxLengthFor(t.Kind) is { } max)
        {
            var length = Dialect.MeasureLength(text);
            if (length > max)
                throw CommentWriteException.BadInput(t,
                    $"{t}: the comment is {length} {Unit} long; {Dialect.BackendName} allows at most {max} on a {KindWord(t.Kind)} (nothing was written)",
                    "shorten the description (amx review RUN_ID --set QNAME=TEXT) and apply again");
        }
        return text;
    }

    string Unit => Dialect.LengthUnit == LengthUnit.Utf16Bytes ? "bytes (UTF-16)" : "characters";

    protected static string KindWord(string kind) => kind switch
    {
        TargetKinds.Column => "column",
        TargetKinds.View => "view",
        TargetKinds.MaterializedView => "materialized view",
        _ => "table",
    };

    static string Describe(string? comment) => comment is null ? "no comment" : $"{comment.Length} characters";
}
