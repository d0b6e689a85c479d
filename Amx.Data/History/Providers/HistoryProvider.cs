using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Amx.Data.History.Providers;

/// <summary>
/// Everything that differs between the engines that can host the history store: the EF provider, how schema names
/// are normalised, how a schema is created, the migration lock, and how privilege errors are recognised.
/// </summary>
public abstract class HistoryProvider
{
    public static HistoryProvider For(Backend backend) => backend switch
    {
        Backend.PostgreSql => new PostgresHistoryProvider(),
        Backend.MySql => new MySqlHistoryProvider(mariaDb: false),
        Backend.MariaDb => new MySqlHistoryProvider(mariaDb: true),
        Backend.SqlServer => new SqlServerHistoryProvider(),
        Backend.Sqlite => new SqliteHistoryProvider(),
        Backend.Redshift => new RedshiftHistoryProvider(),
        Backend.Snowflake => new SnowflakeHistoryProvider(),
        Backend.Databricks => new DatabricksHistoryProvider(),
        Backend.BigQuery => new BigQueryHistoryProvider(),
        // A warehouse backend that cannot host the store (DuckDB): refused with the reason.
        _ => throw AmxException.BadInput(
            $"{backend.ToConfigName()} cannot host the history store: " +
            (HistoryStoreTarget.RefusedHosts.TryGetValue(backend.ToConfigName(), out var why) ? why : "amx has no history provider for it"),
            "host it on PostgreSQL (recommended), MySQL/MariaDB or SQL Server; this backend still works as a warehouse"),
    };

    public abstract Backend Backend { get; }

    /// <summary>The schema name the store uses for a configured one (docs/history-store.md); "" where the engine has none.</summary>
    public abstract string EffectiveSchema(string? configured);

    /// <summary>The schema put into the EF model (null: tables unprefixed, the connection selects the database).</summary>
    public virtual string? ModelSchema(string effectiveSchema) => effectiveSchema;

    /// <summary>The connection string of the store (MySQL/MariaDB: the schema's database).</summary>
    public virtual string StoreConnectionString(DbProfile profile, string effectiveSchema) =>
        Connections.ConnectionStringFactory.For(profile);

    /// <summary>Connection string used only to generate scripts (nothing connects).</summary>
    public abstract string OfflineConnectionString { get; }

    public abstract HistoryDbContext CreateContext(string connectionString, string? modelSchema);

    /// <summary>The context type whose migrations this provider's stores carry (known without building a context).</summary>
    public abstract Type ContextType { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>
    /// The migration ids a store current for this build records, written out per provider (a test holds each list to
    /// EF's own): finding them by reflection at every store check loaded every type of Amx.Data, and with them EF Core,
    /// ScriptDom and the HTTP stack, before a run's first query.
    /// </summary>
    public abstract IReadOnlySet<string> KnownMigrations { get; }

    /// <summary>
    /// Brings the store to this build's migrations and returns the ids it recorded (<paramref name="pending"/> for EF's
    /// migrator; hosts EF has no provider for run their own DDL).
    /// </summary>
    public virtual async Task<IReadOnlyList<string>> MigrateAsync(HistoryStoreTarget target, IReadOnlyList<string> pending, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        await db.Database.MigrateAsync(ct);
        await AfterMigrateAsync(db, ct);
        return pending;
    }

    /// <summary>
    /// Inserts a run row, inside <paramref name="tx"/> when given; false when its run_id is taken. Engines that enforce the
    /// key report a duplicate as a unique violation; hosts that do not override this to check and insert under a lock.
    /// </summary>
    public virtual async Task<bool> InsertRunAsync(DbConnection conn, DbTransaction? tx, string schema, HistoryRun run, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = RunSql.InsertRun(this, schema);
        BindRun(cmd, run);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (DbException e) when (tx is null && IsUniqueViolation(e)) { return false; }
    }

    /// <summary>Quoted, schema-qualified table name for hand-written SQL.</summary>
    public abstract string QualifiedTable(string effectiveSchema, string table);

    /// <summary>Keeps the first <paramref name="n"/> rows of an ordered SELECT (appended after ORDER BY).</summary>
    public virtual string Limit(int n) => $"LIMIT {n}";

    public virtual bool SupportsIdempotentScript => true;

    /// <summary>The hand-written DDL of a host EF has no provider for (Redshift); null: EF's migrations make the script.</summary>
    public virtual Scripts.DialectScript? DialectScript => null;

    /// <summary>Tidies up after EF's Migrate (SQLite: EF's lock table).</summary>
    public virtual Task AfterMigrateAsync(HistoryDbContext db, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Statements a DBA runs before the migration script (MySQL: create and select the database).</summary>
    public virtual string ScriptPrologue(string effectiveSchema) => "";

    public abstract Task<bool> SchemaExistsAsync(DbProfile profile, string effectiveSchema, CancellationToken ct);

    /// <summary>Creates the schema; called only when it does not exist, so a DBA-made schema needs no CREATE right.</summary>
    public abstract Task CreateSchemaAsync(DbProfile profile, string effectiveSchema, CancellationToken ct);

    /// <summary>Names of the amx_history_* tables present in the schema.</summary>
    public abstract Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string effectiveSchema, CancellationToken ct);

    /// <summary>Schemas (databases on MySQL/MariaDB) that hold amx_history_* tables, for the "tables missing" error.</summary>
    public abstract Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct);

    /// <summary>Serialises migrations across processes and machines; disposing releases the lock.</summary>
    public abstract Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string effectiveSchema, CancellationToken ct);

    /// <summary>
    /// Marks one run as being applied, for as long as the returned handle lives (a session lock on the history
    /// host). Null when another process holds it: two applies of the same run never interleave.
    /// </summary>
    public abstract Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string effectiveSchema, string runId, CancellationToken ct);

    /// <summary>
    /// Takes exclusive locks on the given targets inside the open transaction <paramref name="tx"/>, in key order so two
    /// appliers cannot deadlock. Applies of the same target from any machine are serialised until the handle is
    /// disposed (after the commit).
    /// </summary>
    public abstract Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, string schema, IReadOnlyCollection<long> keys, CancellationToken ct);

    /// <summary>
    /// How long an apply waits for another applying the same targets. The lock statement's command timeout is set to
    /// it too: the drivers' default of 30 s would otherwise cut the wait short with a driver error.
    /// </summary>
    public const int TargetLockWaitSeconds = 120;

    protected static Errors.AmxException TargetLockTimeout() =>
        Errors.AmxException.Failed("timed out waiting for another amx applying the same targets", "retry in a minute");

    /// <summary>
    /// Records results as applied (or reverted) with one status, time and user, inside the open transaction
    /// <paramref name="tx"/>: one set-based UPDATE per 500 targets (the changed rows only; 10,000 single UPDATEs were a
    /// third of a MariaDB apply), in plain SQL (EF's ExecuteUpdate cost its query compilation in every apply process).
    /// </summary>
    public virtual async Task MarkResultsAsync(DbConnection conn, DbTransaction tx, string schema, string runId, IReadOnlyCollection<string> targets,
        bool applied, string status, DateTime at, string by, CancellationToken ct)
    {
        foreach (var chunk in targets.Chunk(500))
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = ApplySql.MarkResults(this, schema, chunk.Length, applied);
            BindMarkResults(cmd, runId, applied, status, at, by);
            for (var i = 0; i < chunk.Length; i++) AddParameter(cmd, $"@t{i}", chunk[i]);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The parameters <see cref="ApplySql.MarkResults"/> and its variants share.</summary>
    protected void BindMarkResults(DbCommand cmd, string runId, bool applied, string status, DateTime at, string by)
    {
        AddParameter(cmd, "@applied", applied);
        AddParameter(cmd, "@status", status);
        AddParameter(cmd, "@at", StoredTime(at));
        AddParameter(cmd, "@by", by);
        AddParameter(cmd, "@run", runId);
    }

    /// <summary>
    /// Sets <paramref name="cmd"/> up as <see cref="ApplySql.AppliedTo"/> for a batch of targets and their live comments:
    /// the earlier applies whose text explains each live comment. Names and distinct texts bound one by one
    /// (<c>@t0…</c>, <c>@c0…</c>); PostgreSQL binds two arrays instead.
    /// </summary>
    public virtual void PrepareAppliedTo(DbCommand cmd, string schema, IReadOnlyList<(string Target, string? Live)> batch)
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        var anyEmpty = false;
        for (var i = 0; i < batch.Count; i++)
        {
            AddParameter(cmd, "@t" + i, batch[i].Target);
            if (string.IsNullOrEmpty(batch[i].Live)) anyEmpty = true;
            else if (texts.Add(batch[i].Live!)) AddParameter(cmd, "@c" + (texts.Count - 1), batch[i].Live!);
        }
        cmd.CommandText = ApplySql.AppliedTo(this, schema, batch.Count, texts.Count, anyEmpty);
    }

    /// <summary>Records one result's outcome that is not "written" (a conflict, a failure, a skip) and its message.</summary>
    public async Task MarkOutcomeAsync(DbConnection conn, DbTransaction tx, string schema, string runId, string target, string? status, string? error, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = ApplySql.MarkOutcome(this, schema);
        AddParameter(cmd, "@status", status);
        AddParameter(cmd, "@error", error);
        AddParameter(cmd, "@run", runId);
        AddParameter(cmd, "@t0", target);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// What follows the results table in apply's outcome UPDATE (<see cref="ApplySql.MarkResults"/>); MySQL/MariaDB force
    /// the primary key there, so InnoDB locks exactly the named rows.
    /// </summary>
    public virtual string OutcomeUpdateHint => "";

    /// <summary>
    /// Whether apply reads its candidates as one streamed query, chunked as they arrive, instead of one keyset query
    /// per chunk. Only where a paused reader never blocks the chunk's writes on another connection (MVCC readers), and
    /// where per-chunk queries cost more: PostgreSQL plans them from statistics that lag a freshly drafted run.
    /// </summary>
    public virtual bool StreamsApplyCandidates => false;

    /// <summary>A time as this engine's driver takes it for the store's columns (UTC; MySQL's DATETIME wants no kind).</summary>
    public virtual object? StoredTime(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    /// <summary>Binds a parameter the same way on every driver (null as DBNull); the store's plain SQL all goes through it.</summary>
    internal static void AddParameter(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        if (value is TypedValue typed)
        {
            p.DbType = typed.Type;
            value = typed.Value;
        }
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    /// <summary>A value with the parameter type its driver would not infer (SQL Server's datetime2 for a DateTime).</summary>
    protected sealed record TypedValue(object Value, System.Data.DbType Type);

    /// <summary>
    /// An ORDER BY term that sorts the column in UTF-8 byte order, the descriptions hash's order: SQLite's BINARY and
    /// the store's utf8mb4_bin already do; PostgreSQL and SQL Server name a binary collation.
    /// </summary>
    public virtual string ByteOrder(string column) => column;

    /// <summary>SQL for the text of <paramref name="column"/> before its first dot (all of it when it has none).</summary>
    public abstract string BeforeFirstDot(string column);

    /// <summary>
    /// Ends the derived table of the run's tally (<see cref="RunSql.Tally"/>) so the planner groups its narrow rows as
    /// they are, guessing a few groups rather than one per result; empty where no planner needs it.
    /// </summary>
    public virtual string GroupingFence => "";

    /// <summary>
    /// The descriptions hash (<see cref="DescriptionsHash"/>) computed from text the engine writes itself, on the open
    /// connection; null where the engine has no such output and amx builds the text from the rows.
    /// </summary>
    public virtual Task<string?> DescriptionsHashAsync(DbConnection conn, string schema, string runId, CancellationToken ct) =>
        Task.FromResult<string?>(null);

    /// <summary>A stable 64-bit lock key for a name (same on every machine).</summary>
    public static long LockKey(string name) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)), 0);

    public abstract bool IsPermissionDenied(Exception e);
    public abstract bool IsUniqueViolation(Exception e);

    /// <summary>Everything a DBA grants a member so runs and reviews can be recorded (the migration check reads its table too).</summary>
    public abstract string GrantStatement(string effectiveSchema, string user);

    /// <summary>The DDL that needs the database-level CREATE privilege, for the DBA.</summary>
    public abstract string CreateSchemaStatement(string effectiveSchema);

    /// <summary>
    /// Inserts results inside the caller's transaction <paramref name="tx"/> on <paramref name="conn"/>, as multi-row
    /// INSERTs of <see cref="InsertRowsPerStatement"/> rows; providers with a bulk path (PostgreSQL's COPY) override this.
    /// </summary>
    public virtual async Task BulkInsertResultsAsync(DbConnection conn, DbTransaction tx, IReadOnlyCollection<HistoryResult> results, string effectiveSchema, CancellationToken ct)
    {
        string? fullText = null;
        foreach (var chunk in results.Chunk(InsertRowsPerStatement))
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = chunk.Length == InsertRowsPerStatement
                ? fullText ??= RunSql.InsertResults(this, effectiveSchema, chunk.Length)
                : RunSql.InsertResults(this, effectiveSchema, chunk.Length);
            for (var r = 0; r < chunk.Length; r++) BindResult(cmd, r, chunk[r]);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Rows per INSERT: 18 parameters each stay under SQL Server's 2,100 per statement.</summary>
    protected virtual int InsertRowsPerStatement => 100;

    /// <summary>Row <paramref name="row"/>'s values of <see cref="RunSql.InsertResults"/>.</summary>
    void BindResult(DbCommand cmd, int row, HistoryResult r)
    {
        var values = ResultValues(r);
        for (var c = 0; c < values.Length; c++) AddParameter(cmd, $"@v{row}_{c}", values[c]);
    }

    /// <summary>A result's values in <see cref="RunSql.ResultColumns"/> order, times as this engine stores them.</summary>
    protected object?[] ResultValues(HistoryResult r) =>
    [
        r.RunId, r.TargetQname, r.TargetKind, r.Description, r.Alternatives, r.Confidence, r.PreviousComment, r.Decision,
        r.ReviewedBy, StoredTime(r.ReviewedAt), r.Applied, StoredTime(r.AppliedAt), r.AppliedBy, r.ApplyStatus, r.Error, r.MetadataJson,
        StoredTime(r.RevertedAt), r.RevertedBy,
    ];

    /// <summary>The values of <see cref="RunSql.InsertRun"/> and <see cref="RunSql.UpdateRun"/> (<c>@r0…</c>, <see cref="RunSql.RunColumns"/> order).</summary>
    public void BindRun(DbCommand cmd, HistoryRun run)
    {
        object?[] values =
        [
            run.RunId, run.Who, run.Host, run.ClientVersion, StoredTime(run.StartedAt), StoredTime(run.FinishedAt), run.Scope, run.DbProfile,
            run.DbBackend, run.LlmProvider, run.LlmModel, run.State, run.OkCount, run.FailCount, StoredTime(run.AppliedAt), run.AppliedBy,
            run.MetadataJson, run.RunKind, StoredTime(run.RevertedAt), run.RevertedBy,
        ];
        for (var i = 0; i < values.Length; i++) AddParameter(cmd, $"@r{i}", values[i]);
    }

    /// <summary>Options every provider shares: our migrations table, schema-bound migrations, per-schema model cache.</summary>
    protected static DbContextOptions<T> Finish<T>(DbContextOptionsBuilder<T> builder) where T : DbContext
    {
        builder.ReplaceService<IModelCacheKeyFactory, HistoryModelCacheKeyFactory>()
               .ReplaceService<IMigrationsAssembly, SchemaBoundMigrationsAssembly>()
               // The snapshot is schema-less; the runtime model carries the team's schema. The differ test
               // (HistoryMigrationsTests) guards real pending changes instead.
               .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return builder.Options;
    }

    /// <summary>Opens <paramref name="conn"/>, or disposes it and rethrows when it cannot be opened.</summary>
    internal static async Task<DbConnection> OpenedAsync(DbConnection conn, CancellationToken ct)
    {
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The first column of every row, as text.</summary>
    internal static async Task<IReadOnlyList<string>> ReadStrings(DbCommand cmd, CancellationToken ct)
    {
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    protected static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is T t) return t;
        return null;
    }
}
