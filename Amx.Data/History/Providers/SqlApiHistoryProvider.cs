using System.Data.Common;
using System.Globalization;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store on a warehouse reached through its SQL-over-HTTP API (Snowflake, Databricks, BigQuery; docs/cloud-warehouses.md,
/// "The history store on …"). EF has no provider for them: the tables come from the backend's <see cref="Scripts.DialectScript"/>
/// and every read and write is amx's plain SQL. Each API request runs in its own session, so there are no
/// multi-statement transactions and no session locks: each statement commits on its own
/// (<see cref="HttpSqlAutoCommitTransaction"/>), and what must not race is one <c>MERGE</c> — which the engines serialise
/// on the table or let only one of two conflicting ones commit — or a lease row in <c>amx_history_locks</c> claimed with
/// one (run ids, migration rows, apply claims). Keys are recorded, not enforced, so no unique violation is ever reported.
/// </summary>
/// <param name="backend">The backend hosting the store.</param>
/// <param name="script">The DDL amx runs and prints for it.</param>
/// <param name="productVersion">What the migrations table's product_version says for rows amx's DDL recorded there.</param>
/// <param name="timeType">The type a bound time is cast to where nothing else types it (the lease's expiry).</param>
/// <param name="textType">The type a bound key is cast to in a MERGE's one-row source.</param>
public abstract class SqlApiHistoryProvider(Backend backend, DialectScript script, string productVersion, string timeType, string textType) : HistoryProvider
{
    public override Backend Backend => backend;
    protected DialectScript Script => script;
    public string ProductVersion => productVersion;
    string TimeType => timeType;
    string TextType => textType;

    /// <summary>A time as a TIMESTAMP parameter: UTC text with microseconds and an explicit offset, typed so it is not a string
    /// (BigQuery does not cast a STRING parameter; microseconds are Spark's precision). Snowflake binds its own.</summary>
    public override object? StoredTime(DateTime? t) => t is { } v
        ? new TypedValue(DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture), System.Data.DbType.DateTime)
        : null;

    /// <summary>An optimistic-concurrency refusal of a MERGE that lost a race (Delta, BigQuery): retried, then it sees the winner's row.</summary>
    protected virtual bool IsConcurrentWriteConflict(Exception e) => false;

    public override DialectScript DialectScript => Script;
    public override string EffectiveSchema(string? configured) => Script.EffectiveSchema(configured);
    public override IReadOnlySet<string> KnownMigrations { get; } = DialectScript.ModelMigrations.ToHashSet(StringComparer.Ordinal);

    public override string OfflineConnectionString => "";
    public override Type ContextType => throw NoEf();
    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema) => throw NoEf();
    NotSupportedException NoEf() => new($"EF Core has no {Backend.ToConfigName()} provider: amx runs its DialectScript's DDL and plain SQL there");

    public override string QualifiedTable(string schema, string table) => Script.QualifiedTable(schema, table);
    public override string BeforeFirstDot(string column) => $"SPLIT_PART({column}, '.', 1)";

    string Locks(string schema) => QualifiedTable(schema, HistoryModel.LocksTable);

    /// <summary>The catalog view of schemas (BigQuery qualifies it with the project).</summary>
    protected virtual string InformationSchema(HttpSqlConnection conn, string view) => $"INFORMATION_SCHEMA.{view}";

    /// <summary>The catalog view of a schema's tables (BigQuery keeps one per dataset).</summary>
    protected virtual string TablesView(HttpSqlConnection conn, string schema) => InformationSchema(conn, "TABLES");

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = Command(conn, $"SELECT COUNT(*) FROM {InformationSchema((HttpSqlConnection)conn, "SCHEMATA")} WHERE UPPER(SCHEMA_NAME) = @schema");
        AddParameter(cmd, "@schema", schema.ToUpperInvariant());
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
    }

    public override async Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await ExecAsync(conn, CreateSchemaStatement(schema).TrimEnd(';'), ct);
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        return await HistoryTablesAsync(conn, schema, ct);
    }

    /// <summary>Snowflake keeps unquoted table names upper case: compared and returned in lower case, as amx names them.</summary>
    async Task<IReadOnlyList<string>> HistoryTablesAsync(DbConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = Command(conn, $"SELECT LOWER(TABLE_NAME) FROM {TablesView((HttpSqlConnection)conn, schema)} " +
                                            "WHERE UPPER(TABLE_SCHEMA) = @schema AND LOWER(TABLE_NAME) LIKE 'amx!_history!_%' ESCAPE '!'");
        AddParameter(cmd, "@schema", schema.ToUpperInvariant());
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = Command(conn, $"SELECT DISTINCT UPPER(TABLE_SCHEMA) FROM {InformationSchema((HttpSqlConnection)conn, "TABLES")} WHERE LOWER(TABLE_NAME) = '{HistoryModel.RunsTable}'");
        return await ReadStrings(cmd, ct);
    }

    /// <summary>Nothing to take: <see cref="MigrateAsync"/> is idempotent statement by statement.</summary>
    public override Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(new Release(() => Task.CompletedTask));

    /// <summary>
    /// Creates whichever tables are missing (CREATE TABLE IF NOT EXISTS: a concurrent enable is harmless), then records
    /// each migration id with a MERGE: two enables record each id once.
    /// </summary>
    public override async Task<IReadOnlyList<string>> MigrateAsync(HistoryStoreTarget target, IReadOnlyList<string> pending, CancellationToken ct)
    {
        var schema = target.Schema;
        await using var conn = await OpenAsync(target.Profile, ct);
        var tables = await HistoryTablesAsync(conn, schema, ct);
        foreach (var (table, sql) in Script.TableStatements(schema))
            if (!tables.Contains(table)) await ExecAsync(conn, sql, ct);

        var migrations = QualifiedTable(schema, HistoryModel.MigrationsTable);
        var added = new List<string>();
        foreach (var id in DialectScript.ModelMigrations)
        {
            await using var merge = Command(conn,
                $"MERGE INTO {migrations} t USING (SELECT CAST(@id AS {TextType}) AS migration_id) s ON t.migration_id = s.migration_id " +
                "WHEN NOT MATCHED THEN INSERT (migration_id, product_version) VALUES (@id, @version)");
            AddParameter(merge, "@id", id);
            AddParameter(merge, "@version", ProductVersion);
            if (await MergeAsync(merge, ct) > 0) added.Add(id);
        }
        return added;
    }

    /// <summary>
    /// One MERGE that inserts the run only when its run_id is free: of two starts in the same minute one inserts and
    /// the other sees the row (or loses the race and, retried, sees it) and takes the next number. The caller's
    /// transaction, if any, is in name only (each statement commits).
    /// </summary>
    public override async Task<bool> InsertRunAsync(DbConnection conn, DbTransaction? tx, string schema, HistoryRun run, CancellationToken ct)
    {
        await using var cmd = Command(conn,
            $"MERGE INTO {QualifiedTable(schema, HistoryModel.RunsTable)} t USING (SELECT CAST(@r0 AS {TextType}) AS run_id) s ON t.run_id = s.run_id " +
            $"WHEN NOT MATCHED THEN INSERT ({RunSql.RunColumns}) VALUES ({string.Join(", ", Enumerable.Range(0, RunSql.RunColumnCount).Select(i => $"@r{i}"))})");
        BindRun(cmd, run);
        return await MergeAsync(cmd, ct) > 0;
    }

    /// <summary>Runs a MERGE; one refused for a concurrent write (optimistic engines) is retried, and then sees the winner's row.</summary>
    async Task<int> MergeAsync(DbCommand merge, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await merge.ExecuteNonQueryAsync(ct); }
            catch (Exception e) when (attempt < 6 && IsConcurrentWriteConflict(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt + Random.Shared.Next(50)), ct);
            }
        }
    }

    /// <summary>A run claim (<see cref="LeaseClaims"/>): null when another process holds a live one.</summary>
    public override async Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        try
        {
            if (await TryClaimAsync(conn, schema, LeaseClaims.RunClaimName(runId), ct) is { } held) return held;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        await conn.DisposeAsync();
        return null;
    }

    /// <summary>The claim row of this store's appliers: one apply chunk at a time writes comments and records them.</summary>
    const string ApplyLease = "apply_targets";

    /// <summary>
    /// Waits (up to <see cref="HistoryProvider.TargetLockWaitSeconds"/>) for the store's apply lease, held until the
    /// chunk is recorded: every applier's chunks take turns, as under Redshift's LOCK. Its own connection, so the
    /// chunk's statements are not held up behind the renewals.
    /// </summary>
    public override async Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, string schema, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        var own = CreateConnection(conn.ConnectionString);
        try
        {
            await own.OpenAsync(ct);
            var deadline = DateTime.UtcNow.AddSeconds(TargetLockWaitSeconds);
            for (var attempt = 0; ; attempt++)
            {
                if (await TryClaimAsync(own, schema, ApplyLease, ct) is { } held) return held;
                if (DateTime.UtcNow > deadline) throw TargetLockTimeout();
                // Not yet: the holder's chunk is being written; ask again soon, then less often.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(attempt, 4))), ct);
            }
        }
        catch
        {
            await own.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Clears the name's lapsed claim, then claims it with one MERGE that inserts only when no row holds the name
    /// (MERGEs on the table run one at a time). On success the handle renews and finally deletes the row and disposes
    /// <paramref name="conn"/>; null (the caller keeps <paramref name="conn"/>) when a live claim holds the name.
    /// </summary>
    async Task<IAsyncDisposable?> TryClaimAsync(DbConnection conn, string schema, string name, CancellationToken ct)
    {
        var holder = LeaseClaims.NewHolder();
        await using (var clear = Command(conn, $"DELETE FROM {Locks(schema)} WHERE lock_name = @name AND expires_at < CAST(@now AS {TimeType})"))
        {
            AddParameter(clear, "@name", name);
            AddParameter(clear, "@now", StoredTime(DateTime.UtcNow));
            await clear.ExecuteNonQueryAsync(ct);
        }
        await using (var claim = Command(conn,
            $"MERGE INTO {Locks(schema)} t USING (SELECT CAST(@name AS {TextType}) AS lock_name) s ON t.lock_name = s.lock_name " +
            $"WHEN NOT MATCHED THEN INSERT (lock_name, holder, expires_at) VALUES (@name, @holder, CAST(@expires AS {TimeType}))"))
        {
            AddParameter(claim, "@name", name);
            AddParameter(claim, "@holder", holder);
            AddParameter(claim, "@expires", StoredTime(DateTime.UtcNow + LeaseClaims.Lease));
            if (await MergeAsync(claim, ct) == 0) return null;
        }
        return LeaseClaims.Hold(
            renew: async token =>
            {
                await using var renew = Command(conn, $"UPDATE {Locks(schema)} SET expires_at = CAST(@expires AS {TimeType}) WHERE lock_name = @name AND holder = @holder");
                AddParameter(renew, "@expires", StoredTime(DateTime.UtcNow + LeaseClaims.Lease));
                AddParameter(renew, "@name", name);
                AddParameter(renew, "@holder", holder);
                await renew.ExecuteNonQueryAsync(token);
            },
            release: async () =>
            {
                await using var release = Command(conn, $"DELETE FROM {Locks(schema)} WHERE lock_name = @name AND holder = @holder");
                AddParameter(release, "@name", name);
                AddParameter(release, "@holder", holder);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            },
            close: conn.DisposeAsync);
    }

    /// <summary>Never: these engines do not enforce keys (the MERGEs above keep run ids unique instead).</summary>
    public override bool IsUniqueViolation(Exception e) => false;

    public override string CreateSchemaStatement(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Script.SchemaName(schema)};";

    protected static DbCommand Command(DbConnection conn, string sql)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    static async Task ExecAsync(DbConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = Command(conn, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected Task<DbConnection> OpenAsync(DbProfile profile, CancellationToken ct) =>
        OpenedAsync(CreateConnection(StoreConnectionString(profile, "")), ct);
}
