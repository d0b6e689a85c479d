using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;

namespace Amx.Data.Checks;

/// <summary>The statuses of <c>amx drift</c> (docs/ci-and-cron.md).</summary>
public static class DriftStatuses
{
    public const string InSync = "in sync";
    public const string ChangedOutsideAmx = "changed outside amx";
    public const string Removed = "removed";
    /// <summary>The table or column itself no longer exists: not drift of a comment, but worth knowing.</summary>
    public const string ObjectGone = "object gone";
}

/// <summary>
/// One target amx wrote: what amx last left there (<c>amx_text</c>: the applied description, or for a revert the
/// restored comment), by whom, when and in which run, and the live comment now.
/// </summary>
public sealed record DriftItem(string Target, string Kind, string Status, string? LiveComment, string? AmxText,
    string LastAction, string? By, DateTime? At, string RunId);

/// <summary>The tally of a drift check, filled as its items stream past.</summary>
public sealed class DriftCounts
{
    public int InSync { get; private set; }
    public int ChangedOutsideAmx { get; private set; }
    public int Removed { get; private set; }
    public int ObjectGone { get; private set; }
    public int Total => InSync + ChangedOutsideAmx + Removed + ObjectGone;

    /// <summary>The first target (in name order) whose comment drifted, for the error line.</summary>
    public DriftItem? FirstDrift { get; private set; }

    public bool DriftFound => ChangedOutsideAmx + Removed > 0;

    internal void Count(DriftItem item)
    {
        switch (item.Status)
        {
            case DriftStatuses.InSync: InSync++; break;
            case DriftStatuses.ChangedOutsideAmx: ChangedOutsideAmx++; FirstDrift ??= item; break;
            case DriftStatuses.Removed: Removed++; FirstDrift ??= item; break;
            default: ObjectGone++; break;
        }
    }
}

/// <summary>
/// Live comments against what amx last wrote to each target, across the whole history (any teammate, any run on this
/// db profile). Streamed in bounded memory: the store hands each target's writes in name order (newest first), and
/// every 1,000 targets' live comments are read in one set-based query per kind, as apply's compare-and-set reads
/// them; a million written targets are never held.
/// </summary>
public static class DriftService
{
    const int Chunk = 1000;

    /// <summary>Each target amx wrote, in UTF-8 byte order of its name, with <paramref name="counts"/> kept up to date.</summary>
    public static async IAsyncEnumerable<DriftItem> CheckAsync(DbProfile profile, Scope? scope, HistoryStore store, DriftCounts counts,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var provider = WarehouseProviders.For(profile.Backend);
        await using var conn = await provider.OpenAsync(profile, ct);
        var chunk = new List<(HistoryResult Write, CommentTarget Target)>(Chunk);
        await foreach (var w in store.StreamLastWritesAsync(profile.Name, scope?.ToString(), ct))
        {
            if (Target(scope, w) is not { } target) continue;
            chunk.Add((w, target));
            if (chunk.Count < Chunk) continue;
            foreach (var item in await JudgeAsync(provider, conn, chunk, counts, ct)) yield return item;
            chunk.Clear();
        }
        foreach (var item in await JudgeAsync(provider, conn, chunk, counts, ct)) yield return item;
    }

    /// <summary>The write's comment target when it lies in <paramref name="scope"/>.</summary>
    static CommentTarget? Target(Scope? scope, HistoryResult w)
    {
        QualifiedName name;
        try { name = QualifiedName.Parse(w.TargetQname); } catch (FormatException) { return null; }
        if (scope is not null && !(scope.Covers(name.TableName) && (scope.Column is null || name.Column == scope.Column))) return null;
        return new CommentTarget(name, w.TargetKind);
    }

    static async Task<List<DriftItem>> JudgeAsync(IWarehouseProvider provider, System.Data.Common.DbConnection conn,
        List<(HistoryResult Write, CommentTarget Target)> chunk, DriftCounts counts, CancellationToken ct)
    {
        if (chunk.Count == 0) return [];
        var live = await provider.Comments.ReadLiveCommentsAsync(conn, null, chunk.Select(c => c.Target), ct);
        var items = new List<DriftItem>(chunk.Count);
        foreach (var (w, target) in chunk)
        {
            var reverted = !w.Applied && w.ApplyStatus == ApplyStatuses.Reverted;
            var amxText = reverted ? w.PreviousComment : w.Description;
            string status;
            if (!live.TryGetValue(target, out var current)) status = DriftStatuses.ObjectGone;
            else if (Same(current, amxText)) status = DriftStatuses.InSync;
            else if (string.IsNullOrEmpty(current)) status = DriftStatuses.Removed;
            else status = DriftStatuses.ChangedOutsideAmx;
            var item = new DriftItem(w.TargetQname, w.TargetKind, status, current, amxText,
                reverted ? "reverted" : "applied", w.AppliedBy, w.AppliedAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null, w.RunId);
            counts.Count(item);
            items.Add(item);
        }
        return items;
    }

    /// <summary>No comment and an empty comment are the same on PostgreSQL and MySQL (COMMENT IS '' drops it).</summary>
    static bool Same(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);
}
