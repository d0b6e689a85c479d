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

    /// <summary>Each written target's last write, one at a time (<see cref="HistoryReader.StreamLastWritesAsync"/>).</summary>
    public IAsyncEnumerable<HistoryResult> StreamLastWritesAsync(string profile, string? scope, CancellationToken ct = default) =>
        new HistoryReader(Target).StreamLastWritesAsync(profile, scope, ct);

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
            var known = target.Provider.KnownMigrations;
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

    /// <summary>Claims a run for applying; null when another process is applying it.</summary>
    public Task<IAsyncDisposable?> TryLockRunAsync(string runId, CancellationToken ct = default) =>
        Target.Provider.TryLockRunAsync(Target.Profile, Target.Schema, runId, ct);

    /// <summary>
    /// A plain connection to the store with a transaction begun on it, for apply's chunks: EF's context (and its cold
    /// start in every apply process) is not needed to lock, read and record.
    /// </summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginAsync(CancellationToken ct = default)
    {
        var conn = await OpenConnectionAsync(ct);
        try { return (conn, await conn.BeginTransactionAsync(ct)); }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Serialises applies of these targets (any machine) until the handle is disposed after the commit.</summary>
    public Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, IEnumerable<string> targetKeys, CancellationToken ct = default) =>
        Target.Provider.LockTargetsAsync(conn, tx, Target.Schema, targetKeys.Select(k => HistoryProvider.LockKey(k)).Distinct().ToList(), ct);

    /// <summary>Records results as applied or reverted (one status, time and user) inside <paramref name="tx"/>.</summary>
    public Task MarkResultsAsync(DbConnection conn, DbTransaction tx, string runId, IReadOnlyCollection<string> targets, bool applied, string status, DateTime at, string by, CancellationToken ct = default) =>
        Target.Provider.MarkResultsAsync(conn, tx, Target.Schema, runId, targets, applied, status, at, by, ct);

    /// <summary>Records one result's conflict, failure or skip and its message inside <paramref name="tx"/>.</summary>
    public Task MarkOutcomeAsync(DbConnection conn, DbTransaction tx, string runId, string target, string? status, string? error, CancellationToken ct = default) =>
        Target.Provider.MarkOutcomeAsync(conn, tx, Target.Schema, runId, target, status, error, ct);

    /// <summary>What apply and revert change on the run row (state, apply and revert time and user), in plain SQL.</summary>
    public async Task UpdateRunOutcomeAsync(HistoryRun run, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = Command(conn, ApplySql.RunOutcome(Target.Provider, Target.Schema));
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
        var copy = new HistoryRun
        {
            RunId = run.RunId, Who = run.Who, Host = run.Host, ClientVersion = run.ClientVersion, StartedAt = run.StartedAt,
            FinishedAt = run.FinishedAt, Scope = run.Scope, DbProfile = run.DbProfile, DbBackend = run.DbBackend,
            LlmProvider = run.LlmProvider, LlmModel = run.LlmModel, State = run.State, OkCount = run.OkCount,
            FailCount = run.FailCount, AppliedAt = run.AppliedAt, AppliedBy = run.AppliedBy, MetadataJson = run.MetadataJson, RunKind = run.RunKind,
        };
        HistoryRedaction.Apply(copy);
        // False when it is there already (imported before, or a moment ago by another process): nothing to do.
        await using var conn = await OpenConnectionAsync(ct);
        await Target.Provider.InsertRunAsync(conn, null, Target.Schema, copy, ct);
    }

    public static Task<HistoryStore> OpenLocalAsync(AmxEnvironment env, CancellationToken ct = default) =>
        OpenAsync(HistoryStoreTarget.Local(env), env, ct);

    /// <summary>A new context on the store (the caller disposes it).</summary>
    public HistoryDbContext CreateContext() => Target.CreateContext();

    /// <summary>An open plain connection to the store (the caller disposes it).</summary>
    public Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default) =>
        HistoryProvider.OpenedAsync(Target.Provider.CreateConnection(Target.ConnectionString), ct);

    static DbCommand Command(DbConnection conn, string text)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = text;
        return cmd;
    }

    /// <summary>
    /// Inserts the run with a fresh run_id (docs/history-store.md): <c>run_</c> + UTC start minute + <c>-NNN</c>, NNN = 1 + runs of
    /// the same who that UTC day. Two processes in the same minute cannot collide: the insert itself is the arbiter,
    /// and a duplicate key takes the next number. Fills Who (AMX_USER/OS user) and StartedAt when unset. Plain SQL:
    /// starting a run needs none of EF's cold start.
    /// </summary>
    public async Task<string> StartRunAsync(HistoryRun run, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(run.Who)) run.Who = _env.User;
        run.StartedAt = run.StartedAt == default ? DateTime.UtcNow : ToUtc(run.StartedAt);
        HistoryRedaction.Apply(run);
        var day = DateTime.SpecifyKind(run.StartedAt.Date, DateTimeKind.Utc);
        await using var conn = await OpenConnectionAsync(ct);
        int sameDay;
        await using (var count = Command(conn, RunSql.SameDayRuns(Target.Provider, Target.Schema)))
        {
            HistoryProvider.AddParameter(count, "@who", run.Who);
            HistoryProvider.AddParameter(count, "@from", Target.Provider.StoredTime(day));
            HistoryProvider.AddParameter(count, "@to", Target.Provider.StoredTime(day.AddDays(1)));
            sameDay = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
        }

        for (var n = sameDay + 1; ; n++)
        {
            run.RunId = FormatRunId(run.StartedAt, n);
            try
            {
                if (await Target.Provider.InsertRunAsync(conn, null, Target.Schema, run, ct)) return run.RunId;
                // Someone took this number a moment ago: try the next one.
                if (n >= sameDay + 10_000) throw AmxException.Failed($"no free run id for {run.Who} today", "retry tomorrow, or set AMX_USER");
            }
            catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
            {
                throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.RunsTable, e);
            }
        }
    }

    public static string FormatRunId(DateTime startedUtc, int number) =>
        $"run_{startedUtc:yyyy-MM-dd_HH-mm}-{number:D3}";

    /// <summary>Inserts results in one committed batch (COPY on PostgreSQL for large batches).</summary>
    public async Task AddResultsAsync(IReadOnlyCollection<HistoryResult> results, CancellationToken ct = default)
    {
        if (results.Count == 0) return;
        foreach (var r in results) HistoryRedaction.Apply(r);
        try
        {
            await using var conn = await OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await Target.Provider.BulkInsertResultsAsync(conn, tx, results, Target.Schema, ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.ResultsTable, e);
        }
    }

    /// <summary>Writes every column of the run (state, counts, finished_at, …).</summary>
    public async Task UpdateRunAsync(HistoryRun run, CancellationToken ct = default)
    {
        HistoryRedaction.Apply(run);
        try
        {
            await using var conn = await OpenConnectionAsync(ct);
            await using var cmd = Command(conn, RunSql.UpdateRun(Target.Provider, Target.Schema));
            Target.Provider.BindRun(cmd, run);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.RunsTable, e);
        }
    }

    /// <summary>Refreshes a drafting run's heartbeat (its metadata), only while the run is still running.</summary>
    public async Task HeartbeatAsync(string runId, string metadataJson, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = Command(conn, RunSql.Heartbeat(Target.Provider, Target.Schema));
        HistoryProvider.AddParameter(cmd, "@meta", Security.Redactor.Redact(metadataJson));
        HistoryProvider.AddParameter(cmd, "@run", runId);
        HistoryProvider.AddParameter(cmd, "@running", RunStates.Running);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marks a run whose process is gone as failed, unless its state changed meanwhile; false when it had.</summary>
    public async Task<bool> MarkInterruptedAsync(HistoryRun run, CancellationToken ct = default)
    {
        HistoryRedaction.Apply(run);
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = Command(conn, RunSql.MarkInterrupted(Target.Provider, Target.Schema));
        HistoryProvider.AddParameter(cmd, "@state", run.State);
        HistoryProvider.AddParameter(cmd, "@finished", Target.Provider.StoredTime(run.FinishedAt));
        HistoryProvider.AddParameter(cmd, "@meta", run.MetadataJson);
        HistoryProvider.AddParameter(cmd, "@run", run.RunId);
        HistoryProvider.AddParameter(cmd, "@running", RunStates.Running);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Inserts a run row and its results in one transaction (a copy from another store: both or neither).</summary>
    public async Task InsertRunWithResultsAsync(HistoryRun run, IReadOnlyCollection<HistoryResult> results, CancellationToken ct = default)
    {
        HistoryRedaction.Apply(run);
        foreach (var r in results) HistoryRedaction.Apply(r);
        await using var conn = await OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await Target.Provider.InsertRunAsync(conn, tx, Target.Schema, run, ct))
            throw AmxException.Conflict($"run {run.RunId} is already in the history store ({Location})", "list it with: amx history show " + run.RunId);
        if (results.Count > 0) await Target.Provider.BulkInsertResultsAsync(conn, tx, results, Target.Schema, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Completes run <paramref name="there"/> of this store from a copy of it elsewhere, in one transaction: adds the
    /// results it misses (by target name), lets <paramref name="takeState"/> bring its row up to date, and recounts
    /// its ok and failed results from what it then holds. -1 when nothing was missing and there is no state to take.
    /// </summary>
    public async Task<int> CompleteRunAsync(HistoryRun there, IReadOnlyCollection<HistoryResult> sourceRows, Action<HistoryRun>? takeState,
        CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        HashSet<string> have;
        await using (var names = Command(conn, RunSql.ResultNames(Target.Provider, Target.Schema)))
        {
            names.Transaction = tx;
            HistoryProvider.AddParameter(names, "@run", there.RunId);
            have = new HashSet<string>(await HistoryProvider.ReadStrings(names, ct), StringComparer.Ordinal);
        }
        var missing = sourceRows.Where(r => !have.Contains(r.TargetQname)).ToList();
        if (missing.Count == 0 && takeState is null) return -1;
        foreach (var r in missing) HistoryRedaction.Apply(r);
        if (missing.Count > 0) await Target.Provider.BulkInsertResultsAsync(conn, tx, missing, Target.Schema, ct);
        takeState?.Invoke(there);
        await using (var tally = Command(conn, RunSql.Tally(Target.Provider, Target.Schema)))
        {
            tally.Transaction = tx;
            HistoryReader.BindTally(tally, there.RunId);
            var counts = await HistoryReader.ReadTallyAsync(tally, ct);
            (there.OkCount, there.FailCount) = (counts.Ok, counts.Failed);
        }
        HistoryRedaction.Apply(there);
        await using (var update = Command(conn, RunSql.UpdateRun(Target.Provider, Target.Schema)))
        {
            update.Transaction = tx;
            Target.Provider.BindRun(update, there);
            await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return missing.Count;
    }

    /// <summary>A resumed run's failed results go (they are drafted again); the names of those that stay.</summary>
    public async Task<HashSet<string>> ForgetFailedAsync(string runId, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using (var delete = Command(conn, RunSql.DeleteFailed(Target.Provider, Target.Schema)))
        {
            HistoryProvider.AddParameter(delete, "@run", runId);
            await delete.ExecuteNonQueryAsync(ct);
        }
        await using var select = Command(conn, RunSql.ResultNames(Target.Provider, Target.Schema));
        HistoryProvider.AddParameter(select, "@run", runId);
        return new HashSet<string>(await HistoryProvider.ReadStrings(select, ct), StringComparer.Ordinal);
    }

    /// <summary>Accepts the run's pending drafts of the given confidences (run's --accept); how many.</summary>
    public async Task<int> AcceptLevelsAsync(string runId, IReadOnlyList<string> confidences, string by, DateTime at, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        return await AcceptLevelsAsync(conn, null, runId, confidences, by, at, ct);
    }

    /// <summary><see cref="AcceptLevelsAsync(string, IReadOnlyList{string}, string, DateTime, CancellationToken)"/> inside <paramref name="tx"/>.</summary>
    public async Task<int> AcceptLevelsAsync(DbConnection conn, DbTransaction? tx, string runId, IReadOnlyList<string> confidences, string by, DateTime at, CancellationToken ct = default)
    {
        await using var cmd = Command(conn, RunSql.AcceptLevels(Target.Provider, Target.Schema, confidences.Count));
        cmd.Transaction = tx;
        HistoryProvider.AddParameter(cmd, "@accepted", Decisions.Accepted);
        HistoryProvider.AddParameter(cmd, "@by", by);
        HistoryProvider.AddParameter(cmd, "@at", Target.Provider.StoredTime(at));
        HistoryProvider.AddParameter(cmd, "@run", runId);
        HistoryProvider.AddParameter(cmd, "@pending", Decisions.Pending);
        HistoryProvider.AddParameter(cmd, "@no", false);
        for (var i = 0; i < confidences.Count; i++) HistoryProvider.AddParameter(cmd, $"@l{i}", confidences[i]);
        try { return await cmd.ExecuteNonQueryAsync(ct); }
        catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
        {
            throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.ResultsTable, e);
        }
    }

    /// <summary>Records reviewers' decisions (text, alternatives, decision, reviewer, time, error) inside <paramref name="tx"/>.</summary>
    public async Task RecordDecisionsAsync(DbConnection conn, DbTransaction tx, IReadOnlyCollection<HistoryResult> results, CancellationToken ct = default)
    {
        if (results.Count == 0) return;
        await using var cmd = Command(conn, RunSql.Decide(Target.Provider, Target.Schema));
        cmd.Transaction = tx;
        foreach (var r in results)
        {
            HistoryRedaction.Apply(r);
            cmd.Parameters.Clear();
            HistoryProvider.AddParameter(cmd, "@description", r.Description);
            HistoryProvider.AddParameter(cmd, "@alternatives", r.Alternatives);
            HistoryProvider.AddParameter(cmd, "@decision", r.Decision);
            HistoryProvider.AddParameter(cmd, "@by", r.ReviewedBy);
            HistoryProvider.AddParameter(cmd, "@at", Target.Provider.StoredTime(r.ReviewedAt));
            HistoryProvider.AddParameter(cmd, "@error", r.Error);
            HistoryProvider.AddParameter(cmd, "@run", r.RunId);
            HistoryProvider.AddParameter(cmd, "@t0", r.TargetQname);
            try { await cmd.ExecuteNonQueryAsync(ct); }
            catch (Exception e) when (Target.Provider.IsPermissionDenied(e))
            {
                throw HistoryStoreErrors.NoWritePrivilege(Target, HistoryModel.ResultsTable, e);
            }
        }
    }

    /// <summary>The run's results for the given targets, 1,000 per query (what views inherit from their bases).</summary>
    public Task<Dictionary<string, Drafting.InheritancePlan.RunResult>> RunResultsOfAsync(string runId, IReadOnlyCollection<string> targets, CancellationToken ct = default) =>
        ReadAsync(r => r.RunResultsOfAsync(runId, targets, ct), ct);

    /// <summary>The run's results ordered by target_qname (UTF-8 byte order, whatever the database's collation).</summary>
    public async Task<IReadOnlyList<HistoryResult>> GetResultsAsync(string runId, CancellationToken ct = default) =>
        await ReadAsync(r => r.ResultsAsync(runId, full: true, ct), ct);

    static DateTime ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };
}
