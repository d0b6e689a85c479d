using Amx.Data.History.Storage;

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

    /// <summary>What the store holds, in plain SQL (EF's migrator and its cold start are needed only to migrate).</summary>
    public static async Task<HistoryStoreState> InspectAsync(HistoryStoreTarget target, CancellationToken ct = default)
    {
        var known = target.Provider.KnownMigrations.Order(StringComparer.Ordinal).ToList();
        if (!await target.Provider.SchemaExistsAsync(target.Profile, target.Schema, ct))
            return new HistoryStoreState(false, [], [], known);
        var tables = await target.Provider.HistoryTablesAsync(target.Profile, target.Schema, ct);
        IReadOnlyList<string> applied = tables.Contains(HistoryModel.MigrationsTable) ? await AppliedMigrationsAsync(target, ct) : [];
        return new HistoryStoreState(true, tables, applied, known);
    }

    /// <summary>The migration ids recorded in the store, in order (EF's ids start with a sortable timestamp).</summary>
    static async Task<IReadOnlyList<string>> AppliedMigrationsAsync(HistoryStoreTarget target, CancellationToken ct)
    {
        await using var conn = target.Provider.CreateConnection(target.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        // MigrationId is the first column of EF's history table on every provider: no per-provider column quoting.
        cmd.CommandText = $"SELECT * FROM {target.Provider.QualifiedTable(target.Schema, HistoryModel.MigrationsTable)}";
        return (await Providers.HistoryProvider.ReadStrings(cmd, ct)).Order(StringComparer.Ordinal).ToList();
    }
}
