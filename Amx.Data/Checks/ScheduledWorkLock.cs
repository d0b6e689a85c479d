using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Providers;

namespace Amx.Data.Checks;

/// <summary>
/// Keeps two overlapping <c>run-apply</c> invocations against the same warehouse (two cron firings, a cron job and a
/// colleague) from both running. The lock lives where the history lives, so it spans every machine that shares the
/// store: a session-level advisory lock (PostgreSQL <c>pg_try_advisory_lock</c>, MySQL/MariaDB <c>GET_LOCK</c>, SQL
/// Server <c>sp_getapplock</c>) or, for the local SQLite store, an exclusive OS lock on a file beside it. All of them
/// end with the session or the process, so a killed run never leaves a stale lock (docs/ci-and-cron.md).
/// </summary>
public static class ScheduledWorkLock
{
    /// <summary>Takes the lock or throws exit 6 (busy); dispose the handle to release it.</summary>
    public static async Task<IAsyncDisposable> AcquireAsync(HistoryStore store, DbProfile warehouse, CancellationToken ct)
    {
        var id = WarehouseIdentity(warehouse);
        // A key that can never be a real run id (those are run_…), hashed so it is also a safe file name.
        var key = "scheduled-" + HistoryProvider.LockKey("run-apply|" + id).ToString("x16");
        return await store.TryLockRunAsync(key, ct)
            ?? throw new AmxException(ExitCode.Busy,
                $"another amx run-apply against {id} (db profile '{warehouse.Name}') is still running; this one did nothing",
                "let it finish; the next scheduled run picks up what is left (the lock is freed when that process ends, even if it is killed)");
    }

    /// <summary>The same database under any profile name or machine.</summary>
    public static string WarehouseIdentity(DbProfile p) =>
        $"{p.Backend.ToConfigName()}://{(p.Host ?? "localhost").ToLowerInvariant()}:{p.Port}/{p.Database ?? p.Path}";
}
