using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History;

/// <summary>What a store holds right now: schema, tables, and which migrations it has compared with this build's.</summary>
public sealed record HistoryStoreState(
    bool SchemaExists,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> AppliedMigrations,
    IReadOnlyList<string> KnownMigrations)
{
    public bool TablesExist => Tables.Contains(HistoryModel.RunsTable) && Tables.Contains(HistoryModel.ResultsTable);

    /// <summary>Migrations a newer amx applied: this build must not write there.</summary>
    public IReadOnlyList<string> UnknownMigrations => AppliedMigrations.Except(KnownMigrations).ToList();

    public IReadOnlyList<string> PendingMigrations => KnownMigrations.Except(AppliedMigrations).ToList();

    public bool UpToDate => TablesExist && PendingMigrations.Count == 0 && UnknownMigrations.Count == 0;

    public string? CurrentMigration => AppliedMigrations.Count == 0 ? null : AppliedMigrations[^1];

    public static async Task<HistoryStoreState> InspectAsync(HistoryStoreTarget target, CancellationToken ct = default)
    {
        await using var db = target.CreateContext();
        var known = db.Database.GetMigrations().ToList();
        if (!await target.Provider.SchemaExistsAsync(target.Profile, target.Schema, ct))
            return new HistoryStoreState(false, [], [], known);
        var tables = await target.Provider.HistoryTablesAsync(target.Profile, target.Schema, ct);
        IReadOnlyList<string> applied = tables.Contains(HistoryModel.MigrationsTable)
            ? (await db.Database.GetAppliedMigrationsAsync(ct)).ToList()
            : [];
        return new HistoryStoreState(true, tables, applied, known);
    }
}
