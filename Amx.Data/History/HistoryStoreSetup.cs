using Amx.Data.History.Storage;

namespace Amx.Data.History;

/// <summary>What <c>history-store enable</c> did.</summary>
public sealed record EnableOutcome(bool SchemaCreated, IReadOnlyList<string> AppliedMigrations, HistoryStoreState Before)
{
    public bool CreatedNothing => !SchemaCreated && AppliedMigrations.Count == 0;
}

/// <summary>
/// Creates or joins a store. Runs under a lock on the host (pg_advisory_lock, GET_LOCK, sp_getapplock) so several
/// enables at once create the tables once; creates the schema only when absent; migrates only when migrations are
/// pending (so a member without CREATE rights joins an existing store); refuses a store a newer amx migrated.
/// </summary>
public static class HistoryStoreSetup
{
    public static async Task<EnableOutcome> EnableAsync(HistoryStoreTarget t, CancellationToken ct = default)
    {
        await using var _ = await t.Provider.AcquireMigrationLockAsync(t.Profile, t.Schema, ct);
        var before = await HistoryStoreState.InspectAsync(t, ct);
        if (before.UnknownMigrations.Count > 0) throw HistoryStoreErrors.NewerStore(t, before.UnknownMigrations);

        var schemaCreated = false;
        IReadOnlyList<string> applied = [];
        if (!before.UpToDate)
        {
            if (!before.SchemaExists)
            {
                try { await t.Provider.CreateSchemaAsync(t.Profile, t.Schema, ct); }
                catch (Exception e) when (t.Provider.IsPermissionDenied(e))
                {
                    throw HistoryStoreErrors.NoCreatePrivilege(t, $"create the schema '{t.Schema}'", e);
                }
                schemaCreated = t.Schema.Length > 0;
            }
            try { applied = await t.Provider.MigrateAsync(t, before.PendingMigrations, ct); }
            catch (Exception e) when (t.Provider.IsPermissionDenied(e))
            {
                throw HistoryStoreErrors.NoCreatePrivilege(t, $"create the amx_history_* tables in '{t.Schema}'", e);
            }
        }
        await CheckWritableAsync(t, ct);
        return new EnableOutcome(schemaCreated, applied, before);
    }

    /// <summary>
    /// Proves INSERT and UPDATE on both tables without changing a row: every engine checks privileges when a
    /// statement starts, even one that matches nothing.
    /// </summary>
    public static async Task CheckWritableAsync(HistoryStoreTarget t, CancellationToken ct = default)
    {
        await using var conn = t.Provider.CreateConnection(t.ConnectionString);
        await conn.OpenAsync(ct);
        foreach (var (table, cols, update) in new[]
                 {
                     (HistoryModel.RunsTable, "run_id, who, started_at, scope, state, ok_count, fail_count", "state = state"),
                     (HistoryModel.ResultsTable, "run_id, target_qname, target_kind, decision, applied", "decision = decision"),
                 })
        {
            var name = t.Provider.QualifiedTable(t.Schema, table);
            await using var tx = await conn.BeginTransactionAsync(ct);
            try
            {
                foreach (var sql in new[] { $"INSERT INTO {name} ({cols}) SELECT {cols} FROM {name} WHERE 1 = 0", $"UPDATE {name} SET {update} WHERE 1 = 0" })
                {
                    await using var cmd = conn.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = sql;
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            catch (Exception e) when (t.Provider.IsPermissionDenied(e))
            {
                throw HistoryStoreErrors.NoWritePrivilege(t, table, e);
            }
            finally
            {
                await tx.RollbackAsync(CancellationToken.None);
            }
        }
    }
}
