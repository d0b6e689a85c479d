using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.History.Providers;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History;

/// <summary>
/// The history store the other verbs read and write: the shared store when <c>history_store_enabled</c>, else
/// <c>$AMX_HOME/history.db</c> (migrated on first use). Every write is committed before the call returns.
/// </summary>
public sealed class HistoryStore
{
    readonly AmxEnvironment _env;

    HistoryStore(HistoryStoreTarget target, AmxEnvironment env)
    {
        Target = target;
        _env = env;
    }

    public HistoryStoreTarget Target { get; }
    public bool IsShared => Target.IsShared;
    /// <summary>Where the history lives, for messages ("local file …/history.db", "amx.amx_history_* in host/db …").</summary>
    public string Location => Target.Location;

    public static HistoryStore Open(AmxConfig config, AmxEnvironment env) =>
        OpenAsync(config, env).GetAwaiter().GetResult();

    public static Task<HistoryStore> OpenAsync(AmxConfig config, AmxEnvironment env, CancellationToken ct = default) =>
        OpenAsync(HistoryStoreTarget.FromConfig(config, env), env, ct);

    /// <summary>Opens a given store: the local file is created/migrated; a shared one must exist at a version this build knows.</summary>
    public static async Task<HistoryStore> OpenAsync(HistoryStoreTarget target, AmxEnvironment env, CancellationToken ct = default)
    {
        if (!target.IsShared) await LocalHistoryFile.PrepareForWritingAsync(target.Profile.Path!, () => MigrateLocalAsync(target, ct), ct);
        else await CheckSharedAsync(target, ct);
        return new HistoryStore(target, env);
    }

    /// <summary>
    /// Opens the store for reading only: a shared store is not version-checked up front (that check is EF's cold start
    /// and several round trips); a read that fails is explained by the full check (<see cref="ReadAsync{T}"/>).
    /// </summary>
    public static async Task<HistoryStore> OpenForReadingAsync(AmxConfig config, AmxEnvironment env, CancellationToken ct = default)
    {
        var target = HistoryStoreTarget.FromConfig(config, env);
        if (target.IsShared) return new HistoryStore(target, env);
        // A writable file gets the full check even for a read: a damaged store is reported whatever pages the read touches.
        if (LocalHistoryFile.Inspect(target.Profile.Path!) != LocalHistoryFile.State.ReadOnly)
            return await OpenAsync(target, env, ct);
        // A read-only file is read as it is: no migration, no write, and SQLite opens it read-only.
        var readOnly = target with { Profile = ReadOnlyProfile(target.Profile) };
        await using (var db = readOnly.CreateContext())
        {
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
            var unknown = applied.Except(db.Database.GetMigrations()).ToList();
            if (unknown.Count > 0) throw HistoryStoreErrors.NewerStore(readOnly, unknown);
            if (db.Database.GetMigrations().Except(applied).Any())
                throw AmxException.Failed($"the history store {target.Profile.Path} is read-only and older than this amx",
                    $"make it writable once (chmod u+w {target.Profile.Path}) so that amx can upgrade it");
        }
        return new HistoryStore(readOnly, env);
    }

    static DbProfile ReadOnlyProfile(DbProfile p)
    {
        var copy = new DbProfile { Name = p.Name, Backend = p.Backend, Path = p.Path, Variables = p.Variables };
        copy.Options["Mode"] = "ReadOnly";
        return copy;
    }

    /// <summary>A plain-SQL read (<see cref="HistoryReader"/>); a database error is turned into the store check's message
    /// (unreachable, tables missing, out of date) when that check finds something wrong.</summary>
    public async Task<T> ReadAsync<T>(Func<HistoryReader, Task<T>> read, CancellationToken ct = default)
    {
        try { return await read(new HistoryReader(Target)); }
        catch (System.Data.Common.DbException) when (IsShared)
        {
            await CheckSharedAsync(Target, ct, quick: false);
            throw;
        }
        catch (Exception e) when (!IsShared && LocalHistoryFile.IsCorruption(e))
        {
            throw LocalHistoryFile.Damaged(Target.Profile.Path!, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>The run's results one at a time (<see cref="HistoryReader.StreamResultsAsync"/>).</summary>
    public IAsyncEnumerable<HistoryResult> StreamResultsAsync(string runId, bool full, CancellationToken ct = default) =>
        new HistoryReader(Target).StreamResultsAsync(runId, full, ct);

    /// <summary>Apply's candidates chunk by chunk (<see cref="HistoryReader.ApplyCandidateChunksAsync"/>).</summary>
    public IAsyncEnumerable<List<HistoryResult>> ApplyCandidateChunksAsync(string runId, bool revert, int size, CancellationToken ct = default) =>
        new HistoryReader(Target).ApplyCandidateChunksAsync(runId, revert, size, ct);

    /// <summary>The run (plain SQL: no EF query compilation for the lookup every verb starts with), or exit 2 naming it.</summary>
    public async Task<HistoryRun> FindRunAsync(string runId, CancellationToken ct = default) =>
        await ReadAsync(r => r.FindRunAsync(runId, ct), ct) ?? throw UnknownRun(runId);

    AmxException UnknownRun(string runId) =>
        AmxException.BadInput($"unknown run '{runId}' in the history store ({Location})", "list the runs with: amx history list");

    static async Task MigrateLocalAsync(HistoryStoreTarget target, CancellationToken ct)
    {
        // The common cases by plain SQL, without EF's migrator and its cold start (docs/history-store.md): a store at
        // this build's migrations is left alone; a new, empty file gets the DDL EF generates (LocalStore.sql).
        switch (await LocalStoreScript.InspectAsync(target, ct))
        {
            case LocalStoreScript.State.Current: return;
            case LocalStoreScript.State.Empty: await LocalStoreScript.CreateAsync(target, ct); return;
        }
        await target.Provider.CreateSchemaAsync(target.Profile, "", ct);
        await using var db = target.CreateContext();
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
        var unknown = applied.Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0) throw HistoryStoreErrors.NewerStore(target, unknown);
        if (db.Database.GetMigrations().Except(applied).Any())
        {
            await db.Database.MigrateAsync(ct);
            await target.Provider.AfterMigrateAsync(db, ct);
        }
    }

    static async Task CheckSharedAsync(HistoryStoreTarget target, CancellationToken ct, bool quick = true)
    {
        if (quick && await IsSharedCurrentAsync(target, ct)) return;
        HistoryStoreState state;
        try { state = await HistoryStoreState.InspectAsync(target, ct); }
        catch (AmxException) { throw; }
        catch (Exception e)
        {
            throw AmxException.Failed($"cannot reach the history store {target.Location}: {e.Message.Split('\n')[0]}",
                $"check the profile with: amx db-profiles test {target.Profile.Name}; or use the local file: amx history-store disable", e);
        }
        if (state.UnknownMigrations.Count > 0) throw HistoryStoreErrors.NewerStore(target, state.UnknownMigrations);
        if (!state.TablesExist)
            throw HistoryStoreErrors.TablesMissing(target, await target.Provider.SchemasHoldingHistoryTablesAsync(target.Profile, ct));
        if (state.PendingMigrations.Count > 0) throw HistoryStoreErrors.OutOfDate(target, state.PendingMigrations);
    }

    /// <summary>
    /// The shared store's usual answer in one plain query, without EF's migrator and its cold start (issue #19): it
    /// records exactly this build's migrations. Anything else — unreachable, missing, older, newer — is false, and the
    /// full check says what is wrong.
    /// </summary>
    static async Task<bool> IsSharedCurrentAsync(HistoryStoreTarget target, CancellationToken ct)
    {
        try
        {
            var known = KnownMigrations(target.Provider.ContextType);
            await using var conn = target.Provider.CreateConnection(target.ConnectionString);
            await conn.OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            // MigrationId is the first column of EF's history table on every provider: no per-provider column quoting.
            // The two empty probes make a missing runs or results table an error here, so the full check explains it.
            string Table(string name) => target.Provider.QualifiedTable(target.Schema, name);
            cmd.CommandText = $"SELECT * FROM {Table(Storage.HistoryModel.MigrationsTable)} " +
                              $"WHERE NOT EXISTS (SELECT 1 FROM {Table(Storage.HistoryModel.RunsTable)} WHERE 1 = 0) " +
                              $"AND NOT EXISTS (SELECT 1 FROM {Table(Storage.HistoryModel.ResultsTable)} WHERE 1 = 0)";
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
            return known.Count > 0 && applied.SetEquals(known);
        }
        catch (Exception e) when (e is not OperationCanceledException) { return false; }
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, IReadOnlySet<string>> Known = new();

    /// <summary>The migration ids this build carries for a context type, from the migrations' attributes (no EF model).</summary>
    internal static IReadOnlySet<string> KnownMigrations(Type contextType) => Known.GetOrAdd(contextType, t =>
        typeof(HistoryStore).Assembly.GetTypes()
            .Where(m => m.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)) &&
                        (Attribute.GetCustomAttribute(m, typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute))
                            as Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute)?.ContextType == t)
            .Select(m => ((Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute?)Attribute.GetCustomAttribute(m,
                typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute)))?.Id)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>Claims a run for applying; null when another process is applying it.</summary>
    public Task<IAsyncDisposable?> TryLockRunAsync(string runId, CancellationToken ct = default) =>
        Target.Provider.TryLockRunAsync(Target.Profile, Target.Schema, runId, ct);

    /// <summary>
    /// A plain connection to the store with a transaction begun on it, for apply's chunks: EF's context (and its cold
    /// start in every apply process) is not needed to lock, read and record.
    /// </summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginAsync(CancellationToken ct = default)
    {
        var conn = Target.Provider.CreateConnection(Target.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return (conn, await conn.BeginTransactionAsync(ct));
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Serialises applies of these targets (any machine) until the handle is disposed after the commit.</summary>
    public Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, IEnumerable<string> targetKeys, CancellationToken ct = default) =>
        Target.Provider.LockTargetsAsync(conn, tx, targetKeys.Select(k => HistoryProvider.LockKey(k)).Distinct().ToList(), ct);

    /// <summary>Records results as applied or reverted (one status, time and user) inside <paramref name="tx"/>.</summary>
    public Task MarkResultsAsync(DbConnection conn, DbTransaction tx, string runId, IReadOnlyCollection<string> targets, bool applied, string status, DateTime at, string by, CancellationToken ct = default) =>
        Target.Provider.MarkResultsAsync(conn, tx, Target.Schema, runId, targets, applied, status, at, by, ct);

    /// <summary>Records one result's conflict, failure or skip and its message inside <paramref name="tx"/>.</summary>
    public Task MarkOutcomeAsync(DbConnection conn, DbTransaction tx, string runId, string target, string? status, string? error, CancellationToken ct = default) =>
        Target.Provider.MarkOutcomeAsync(conn, tx, Target.Schema, runId, target, status, error, ct);

    /// <summary>What apply and revert change on the run row (state, apply and revert time and user), in plain SQL.</summary>
    public async Task UpdateRunOutcomeAsync(HistoryRun run, CancellationToken ct = default)
    {
        await using var conn = Target.Provider.CreateConnection(Target.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = ApplySql.RunOutcome(Target.Provider, Target.Schema);
        HistoryProvider.AddParameter(cmd, "@state", run.State);
        HistoryProvider.AddParameter(cmd, "@applied_at", Target.Provider.StoredTime(run.AppliedAt));
        HistoryProvider.AddParameter(cmd, "@applied_by", run.AppliedBy);
        HistoryProvider.AddParameter(cmd, "@reverted_at", Target.Provider.StoredTime(run.RevertedAt));
        HistoryProvider.AddParameter(cmd, "@reverted_by", run.RevertedBy);
        HistoryProvider.AddParameter(cmd, "@run", run.RunId);
        try { await cmd.ExecuteNonQueryAsync(ct); }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.RunsTable, e);
        }
    }

    /// <summary>Copies a run row into this store when it is not there yet (a run that moved here mid-way).</summary>
    public async Task ImportRunAsync(HistoryRun run, CancellationToken ct = default)
    {
        await using var db = CreateContext();
        if (await db.Runs.AnyAsync(r => r.RunId == run.RunId, ct)) return;
        db.Runs.Add(new HistoryRun
        {
            RunId = run.RunId, Who = run.Who, Host = run.Host, ClientVersion = run.ClientVersion, StartedAt = run.StartedAt,
            FinishedAt = run.FinishedAt, Scope = run.Scope, DbProfile = run.DbProfile, DbBackend = run.DbBackend,
            LlmProvider = run.LlmProvider, LlmModel = run.LlmModel, State = run.State, OkCount = run.OkCount,
            FailCount = run.FailCount, AppliedAt = run.AppliedAt, AppliedBy = run.AppliedBy, MetadataJson = run.MetadataJson,
        });
        await db.SaveChangesAsync(ct);
    }

    public static Task<HistoryStore> OpenLocalAsync(AmxEnvironment env, CancellationToken ct = default) =>
        OpenAsync(HistoryStoreTarget.Local(env), env, ct);

    /// <summary>A new context on the store (the caller disposes it).</summary>
    public HistoryDbContext CreateContext() => Target.CreateContext();

    /// <summary>
    /// Inserts the run with a fresh run_id (docs/history-store.md): <c>run_</c> + UTC start minute + <c>-NNN</c>, NNN = 1 + runs of
    /// the same who that UTC day. Two processes in the same minute cannot collide: the insert itself is the arbiter,
    /// and a duplicate key takes the next number. Fills Who (AMX_USER/OS user) and StartedAt when unset.
    /// </summary>
    public async Task<string> StartRunAsync(HistoryRun run, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(run.Who)) run.Who = _env.User;
        run.StartedAt = run.StartedAt == default ? DateTime.UtcNow : ToUtc(run.StartedAt);
        var day = DateTime.SpecifyKind(run.StartedAt.Date, DateTimeKind.Utc);
        int sameDay;
        await using (var db = CreateContext())
            sameDay = await db.Runs.CountAsync(r => r.Who == run.Who && r.StartedAt >= day && r.StartedAt < day.AddDays(1), ct);

        for (var n = sameDay + 1; ; n++)
        {
            run.RunId = FormatRunId(run.StartedAt, n);
            await using var db = CreateContext();
            db.Runs.Add(run);
            try
            {
                await db.SaveChangesAsync(ct);
                return run.RunId;
            }
            catch (DbUpdateException e) when (Target.Provider.IsUniqueViolation(e) && n < sameDay + 10_000)
            {
                // Someone took this number a moment ago: try the next one.
            }
            catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
            {
                throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.RunsTable, e);
            }
        }
    }

    public static string FormatRunId(DateTime startedUtc, int number) =>
        $"run_{startedUtc:yyyy-MM-dd_HH-mm}-{number:D3}";

    /// <summary>Inserts results in one committed batch (binary COPY on PostgreSQL for large batches).</summary>
    public async Task AddResultsAsync(IReadOnlyCollection<HistoryResult> results, CancellationToken ct = default)
    {
        if (results.Count == 0) return;
        // The bulk paths (binary COPY, prepared INSERT) bypass SaveChanges and its redaction.
        foreach (var r in results) HistoryRedaction.Apply(r);
        await using var db = CreateContext();
        try { await Target.Provider.BulkInsertResultsAsync(db, results, Target.Schema, ct); }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.ResultsTable, e);
        }
    }

    /// <summary>Writes every column of the run (state, counts, finished_at, …).</summary>
    public async Task UpdateRunAsync(HistoryRun run, CancellationToken ct = default)
    {
        await using var db = CreateContext();
        db.Runs.Update(run);
        try { await db.SaveChangesAsync(ct); }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.RunsTable, e);
        }
    }

    /// <summary>Writes every column of the given results (decisions, apply status, …) in one transaction.</summary>
    public async Task UpdateResultsAsync(IReadOnlyCollection<HistoryResult> results, CancellationToken ct = default)
    {
        if (results.Count == 0) return;
        await using var db = CreateContext();
        db.Results.UpdateRange(results);
        try { await db.SaveChangesAsync(ct); }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.ResultsTable, e);
        }
    }

    /// <summary>The run, or exit 2 naming it.</summary>
    /// <summary>The run's results for the given targets, 1,000 per query (what views inherit from their bases).</summary>
    public async Task<Dictionary<string, Drafting.InheritancePlan.RunResult>> RunResultsOfAsync(string runId, IReadOnlyCollection<string> targets, CancellationToken ct = default)
    {
        var found = new Dictionary<string, Drafting.InheritancePlan.RunResult>(StringComparer.Ordinal);
        await using var db = CreateContext();
        foreach (var chunk in targets.Chunk(1000))
            foreach (var r in await db.Results.AsNoTracking().Where(r => r.RunId == runId && chunk.Contains(r.TargetQname))
                         .Select(r => new { r.TargetQname, r.Description, r.Confidence }).ToListAsync(ct))
                found[r.TargetQname] = new(r.Description, r.Confidence);
        return found;
    }


    /// <summary>The run's results ordered by target_qname (ordinal, whatever the database's collation).</summary>
    public async Task<IReadOnlyList<HistoryResult>> GetResultsAsync(string runId, CancellationToken ct = default)
    {
        await using var db = CreateContext();
        var list = await db.Results.AsNoTracking().Where(r => r.RunId == runId).ToListAsync(ct);
        list.Sort((a, b) => string.CompareOrdinal(a.TargetQname, b.TargetQname));
        return list;
    }

    static DateTime ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };
}
