using System.Data.Common;
using System.Globalization;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Snowflake;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store on Snowflake, through the SQL API v2 (docs/history-store.md, "Snowflake"). EF has no Snowflake provider:
/// the tables come from <see cref="SnowflakeScript"/> and every read and write is amx's plain SQL, its <c>@name</c>
/// parameters bound by position. The API gives each request its own session, so there are no multi-statement
/// transactions and no session locks: each statement commits on its own (<see cref="HttpSqlAutoCommitTransaction"/>),
/// and what must not race is one <c>MERGE</c> — Snowflake runs MERGE, UPDATE and DELETE on a table one at a time — or a
/// lease row in <c>amx_history_locks</c> claimed with one (run ids, migration rows, apply claims). Keys are recorded, not
/// enforced, so no unique violation is ever reported.
/// </summary>
public sealed class SnowflakeHistoryProvider : HistoryProvider
{
    /// <summary>What the migrations table's product_version says for rows amx's Snowflake DDL recorded.</summary>
    public const string ProductVersion = "amx-snowflake-ddl";

    static readonly SnowflakeScript Script = new();

    public override Backend Backend => Backend.Snowflake;
    public override DialectScript DialectScript => Script;
    public override string EffectiveSchema(string? configured) => Script.EffectiveSchema(configured);
    public override IReadOnlySet<string> KnownMigrations { get; } = DialectScript.ModelMigrations.ToHashSet(StringComparer.Ordinal);

    public override string OfflineConnectionString => "";
    public override Type ContextType => throw NoEf();
    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema) => throw NoEf();
    static NotSupportedException NoEf() => new("EF Core has no Snowflake provider: amx runs SnowflakeScript's DDL and plain SQL there");

    public override DbConnection CreateConnection(string connectionString) => new SnowflakeConnection(connectionString) { AutoCommitTransactions = true };

    public override string QualifiedTable(string schema, string table) => Script.QualifiedTable(schema, table);
    public override string BeforeFirstDot(string column) => $"SPLIT_PART({column}, '.', 1)";

    /// <summary>ISO 8601 text in UTC, which Snowflake casts to the TIMESTAMP_TZ columns (the API's timestamp bindings want epoch text).</summary>
    public override object? StoredTime(DateTime? t) =>
        t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : null;

    string Locks(string schema) => QualifiedTable(schema, HistoryModel.LocksTable);

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = Command(conn, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE UPPER(SCHEMA_NAME) = @schema");
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

    /// <summary>Snowflake keeps the unquoted table names upper case: compared and returned in lower case, as amx names them.</summary>
    static async Task<IReadOnlyList<string>> HistoryTablesAsync(DbConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = Command(conn, "SELECT LOWER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES " +
                                            "WHERE UPPER(TABLE_SCHEMA) = @schema AND LOWER(TABLE_NAME) LIKE 'amx!_history!_%' ESCAPE '!'");
        AddParameter(cmd, "@schema", schema.ToUpperInvariant());
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = Command(conn, $"SELECT DISTINCT UPPER(TABLE_SCHEMA) FROM INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) = '{HistoryModel.RunsTable}'");
        return await ReadStrings(cmd, ct);
    }

    /// <summary>Nothing to take: <see cref="MigrateAsync"/> is idempotent statement by statement.</summary>
    public override Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(new Release(() => Task.CompletedTask));

    /// <summary>
    /// Creates whichever tables are missing (CREATE TABLE IF NOT EXISTS: a concurrent enable is harmless), then records
    /// each migration id with a MERGE, which Snowflake serialises on the table: two enables record each id once.
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
                $"MERGE INTO {migrations} t USING (SELECT CAST(@id AS VARCHAR) AS migration_id) s ON t.migration_id = s.migration_id " +
                "WHEN NOT MATCHED THEN INSERT (migration_id, product_version) VALUES (@id, @version)");
            AddParameter(merge, "@id", id);
            AddParameter(merge, "@version", ProductVersion);
            if (await merge.ExecuteNonQueryAsync(ct) > 0) added.Add(id);
        }
        return added;
    }

    /// <summary>
    /// One MERGE that inserts the run only when its run_id is free: MERGEs on a table run one at a time, so of two
    /// starts in the same minute one inserts and the other sees the row and takes the next number. The caller's
    /// transaction, if any, is in name only (each statement commits).
    /// </summary>
    public override async Task<bool> InsertRunAsync(DbConnection conn, DbTransaction? tx, string schema, HistoryRun run, CancellationToken ct)
    {
        await using var cmd = Command(conn,
            $"MERGE INTO {QualifiedTable(schema, HistoryModel.RunsTable)} t USING (SELECT CAST(@r0 AS VARCHAR) AS run_id) s ON t.run_id = s.run_id " +
            $"WHEN NOT MATCHED THEN INSERT ({RunSql.RunColumns}) VALUES ({string.Join(", ", Enumerable.Range(0, RunSql.RunColumnCount).Select(i => $"@r{i}"))})");
        BindRun(cmd, run);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
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
        await using (var clear = Command(conn, $"DELETE FROM {Locks(schema)} WHERE lock_name = @name AND expires_at < CAST(@now AS TIMESTAMP_TZ)"))
        {
            AddParameter(clear, "@name", name);
            AddParameter(clear, "@now", StoredTime(DateTime.UtcNow));
            await clear.ExecuteNonQueryAsync(ct);
        }
        await using (var claim = Command(conn,
            $"MERGE INTO {Locks(schema)} t USING (SELECT CAST(@name AS VARCHAR) AS lock_name) s ON t.lock_name = s.lock_name " +
            "WHEN NOT MATCHED THEN INSERT (lock_name, holder, expires_at) VALUES (@name, @holder, CAST(@expires AS TIMESTAMP_TZ))"))
        {
            AddParameter(claim, "@name", name);
            AddParameter(claim, "@holder", holder);
            AddParameter(claim, "@expires", StoredTime(DateTime.UtcNow + LeaseClaims.Lease));
            if (await claim.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        return LeaseClaims.Hold(
            renew: async token =>
            {
                await using var renew = Command(conn, $"UPDATE {Locks(schema)} SET expires_at = CAST(@expires AS TIMESTAMP_TZ) WHERE lock_name = @name AND holder = @holder");
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

    /// <summary>Snowflake's "SQL access control error" (003001, SQLSTATE 42501).</summary>
    public override bool IsPermissionDenied(Exception e) => Find<HttpSqlException>(e) is { } x && (x.VendorCode == "003001" || x.SqlState == "42501");

    /// <summary>Never: Snowflake does not enforce keys (the MERGEs above keep run ids unique instead).</summary>
    public override bool IsUniqueViolation(Exception e) => false;

    /// <summary>Snowflake grants to roles: <paramref name="role"/> is the role the member's profile uses.</summary>
    public override string GrantStatement(string schema, string role)
    {
        var quoted = "\"" + role.Replace("\"", "\"\"") + "\"";
        return $"GRANT USAGE ON SCHEMA {Script.SchemaName(schema)} TO ROLE {quoted}; " +
               $"GRANT SELECT, INSERT, UPDATE ON TABLE {QualifiedTable(schema, HistoryModel.RunsTable)} TO ROLE {quoted}; " +
               $"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {QualifiedTable(schema, HistoryModel.ResultsTable)} TO ROLE {quoted}; " +
               $"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {Locks(schema)} TO ROLE {quoted}; " +
               $"GRANT SELECT ON TABLE {QualifiedTable(schema, HistoryModel.MigrationsTable)} TO ROLE {quoted};";
    }

    public override string CreateSchemaStatement(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Script.SchemaName(schema)};";

    static DbCommand Command(DbConnection conn, string sql)
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

    async Task<DbConnection> OpenAsync(DbProfile profile, CancellationToken ct)
    {
        var conn = CreateConnection(StoreConnectionString(profile, ""));
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
}
