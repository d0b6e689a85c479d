using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

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

public sealed record DriftReport(string Profile, string Scope, int InSync, int ChangedOutsideAmx, int Removed, int ObjectGone,
    IReadOnlyList<DriftItem> Items)
{
    public bool DriftFound => ChangedOutsideAmx + Removed > 0;
}

/// <summary>
/// Live comments against what amx last wrote to each target, across the whole history (any teammate, any run on this
/// db profile). Set-based: one catalog read and one history query, then an in-memory join.
/// </summary>
public static class DriftService
{
    public static async Task<DriftReport> CheckAsync(DbProfile profile, Scope? scope, HistoryStore store, CancellationToken ct)
    {
        var provider = WarehouseProviders.For(profile.Backend);
        Catalog catalog;
        await using (var conn = await provider.OpenAsync(profile, ct))
            catalog = await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default, ct);
        var writes = await LastWritesAsync(store, profile.Name, scope, ct);
        return Build(profile.Name, scope, catalog, writes);
    }

    /// <summary>The row of each target that amx last wrote (applied, or reverted), newest first per target.</summary>
    static async Task<List<HistoryResult>> LastWritesAsync(HistoryStore store, string profile, Scope? scope, CancellationToken ct)
    {
        var rows = await store.ReadAsync(r => r.WrittenToAsync(profile, scope?.ToString(), ct), ct);
        return rows.GroupBy(r => r.TargetQname, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.AppliedAt).ThenByDescending(r => r.RunId, StringComparer.Ordinal).First())
            .Where(r => InScope(scope, r.TargetQname))
            .ToList();
    }

    static bool InScope(Scope? scope, string qname)
    {
        if (scope is null) return true;
        QualifiedName name;
        try { name = QualifiedName.Parse(qname); } catch (FormatException) { return false; }
        return scope.Covers(name.TableName) && (scope.Column is null || name.Column == scope.Column);
    }

    public static DriftReport Build(string profile, Scope? scope, Catalog catalog, IEnumerable<HistoryResult> lastWrites)
    {
        var live = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var t in catalog.Tables.Where(t => !t.IsAmxOwned))
        {
            live[t.Name.ToString()] = t.Comment;
            foreach (var c in t.Columns) live[new QualifiedName(t.Name.Schema, t.Name.Table, c.Name).ToString()] = c.Comment;
        }
        var items = new List<DriftItem>();
        foreach (var w in lastWrites)
        {
            var reverted = !w.Applied && w.ApplyStatus == ApplyStatuses.Reverted;
            var amxText = reverted ? w.PreviousComment : w.Description;
            string status;
            string? current = null;
            if (!live.TryGetValue(w.TargetQname, out current)) status = DriftStatuses.ObjectGone;
            else if (Same(current, amxText)) status = DriftStatuses.InSync;
            else if (string.IsNullOrEmpty(current)) status = DriftStatuses.Removed;
            else status = DriftStatuses.ChangedOutsideAmx;
            items.Add(new DriftItem(w.TargetQname, w.TargetKind, status, current, amxText,
                reverted ? "reverted" : "applied", w.AppliedBy, w.AppliedAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null, w.RunId));
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Target, b.Target));
        return new DriftReport(profile, scope?.ToString() ?? "*",
            items.Count(i => i.Status == DriftStatuses.InSync), items.Count(i => i.Status == DriftStatuses.ChangedOutsideAmx),
            items.Count(i => i.Status == DriftStatuses.Removed), items.Count(i => i.Status == DriftStatuses.ObjectGone), items);
    }

    /// <summary>No comment and an empty comment are the same on PostgreSQL and MySQL (COMMENT IS '' drops it).</summary>
    static bool Same(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);
}
