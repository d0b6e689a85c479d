using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Model;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.Redshift.Iam;
using Npgsql;

namespace Amx.Data.History.Providers;

/// <summary>
/// Amazon Redshift over the PostgreSQL protocol (docs/redshift.md). EF has no Redshift provider, so the tables come
/// from <see cref="RedshiftScript"/>; Redshift has no advisory locks and enforces no keys, so amx serialises the
/// writes that need it with <c>LOCK</c> on <c>amx_history_locks</c> (released at commit, also when a session dies),
/// checks a run id inside that lock before inserting it, and claims a run for applying with a row in that table that
/// expires unless renewed (<see cref="LeaseClaims.Lease"/>).
/// </summary>
public sealed class RedshiftHistoryProvider : HistoryProvider
{
    /// <summary>The migration ids <see cref="RedshiftScript"/>'s tables stand for (<see cref="DialectScript.ModelMigrations"/>).</summary>
    public static IReadOnlyList<string> Migrations => DialectScript.ModelMigrations;

    /// <summary>What the migrations table's product_version says for rows amx's Redshift DDL recorded.</summary>
    public const string ProductVersion = "amx-redshift-ddl";

    static readonly RedshiftScript Script = new();

    public override Backend Backend => Backend.Redshift;

    public override string BeforeFirstDot(string column) => $"split_part({column}, '.', 1)";

    public override DialectScript DialectScript => Script;

    public override string EffectiveSchema(string? configured) => Script.EffectiveSchema(configured);

    public override IReadOnlySet<string> KnownMigrations { get; } = Migrations.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// With <c>auth: iam</c>, the temporary user and password AWS hands out (as for the warehouse), kept in memory until a
    /// minute before they expire: a long run's later connections log in with fresh ones, open ones stay logged in. The
    /// store's connections are made where a finished connection string is expected, so the one AWS call a quarter
    /// hour is waited for here (the answer is cached; later calls return at once).
    /// </summary>
    public override string StoreConnectionString(DbProfile profile, string effectiveSchema) =>
        RedshiftIamSettings.UsesIam(profile)
            ? Task.Run(() => new Warehouse.Redshift.RedshiftProvider().ConnectionStringAsync(profile)).GetAwaiter().GetResult()
            : ConnectionStringFactory.For(profile);

    public override string OfflineConnectionString => "";
    public override Type ContextType => throw NoEf();

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema) => throw NoEf();

    static NotSupportedException NoEf() => new("EF Core has no Redshift provider: amx runs RedshiftScript's DDL and plain SQL there");

    /// <summary>No type loading: Redshift's pg_type lacks what Npgsql's loader queries (as for the warehouse).</summary>
    public override DbConnection CreateConnection(string connectionString) => NpgsqlWithoutTypeLoading.CreateConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => $"{PgCatalog.Quote(schema)}.{PgCatalog.Quote(table)}";

    string Locks(string schema) => QualifiedTable(schema, HistoryModel.LocksTable);

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, schema, ct);
        return await PgCatalog.SchemaExistsAsync(conn, schema, ct);
    }

    public override async Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, schema, ct);
        await Exec(conn, null, CreateSchemaStatement(schema).TrimEnd(';'), ct);
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, schema, ct);
        return await PgCatalog.HistoryTablesAsync(conn, schema, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, "", ct);
        return await PgCatalog.SchemasHoldingHistoryTablesAsync(conn, ct);
    }

    /// <summary>Nothing to take up front: <see cref="MigrateAsync"/> serialises itself under <c>LOCK</c> on its own connection.</summary>
    public override Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(new Release(() => Task.CompletedTask));

    /// <summary>
    /// Creates the lock table (a concurrent enable may win that race: fine), then in one transaction under its LOCK
    /// creates whichever tables are missing and records the migration ids not yet recorded. Rerunning changes nothing.
    /// </summary>
    public override async Task<IReadOnlyList<string>> MigrateAsync(HistoryStoreTarget target, IReadOnlyList<string> pending, CancellationToken ct)
    {
        var schema = target.Schema;
        var statements = Script.TableStatements(schema).ToDictionary(t => t.Table, t => t.Sql);
        await using var conn = await OpenAsync(target.Profile, schema, ct);
        if (!(await PgCatalog.HistoryTablesAsync(conn, schema, ct)).Contains(HistoryModel.LocksTable))
        {
            try { await Exec(conn, null, statements[HistoryModel.LocksTable], ct); }
            catch (PostgresException)
            {
                // Another enable created it a moment ago (a duplicate or serialisation error): fine. Anything else: rethrown.
                if (!(await PgCatalog.HistoryTablesAsync(conn, schema, ct)).Contains(HistoryModel.LocksTable)) throw;
            }
        }
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Exec(conn, tx, $"LOCK TABLE {Locks(schema)}", ct);
        var tables = await PgCatalog.HistoryTablesAsync(conn, schema, ct);
        foreach (var (table, sql) in statements)
            if (!tables.Contains(table)) await Exec(conn, tx, sql, ct);

        var migrations = QualifiedTable(schema, HistoryModel.MigrationsTable);
        await using var read = new NpgsqlCommand($"SELECT migration_id FROM {migrations}", (NpgsqlConnection)conn, (NpgsqlTransaction)tx);
        var recorded = await ReadStrings(read, ct);
        var added = Migrations.Except(recorded).ToList();
        foreach (var id in added)
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO {migrations} (migration_id, product_version) VALUES ($1, $2)",
                (NpgsqlConnection)conn, (NpgsqlTransaction)tx) { Parameters = { new() { Value = id }, new() { Value = ProductVersion } } };
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>
    /// A claim row (<see cref="LeaseClaims"/>), taken under LOCK when none is live, renewed on its own connection while held.
    /// </summary>
    public override async Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var name = LeaseClaims.RunClaimName(runId);
        var holder = LeaseClaims.NewHolder();
        var conn = await OpenAsync(profile, schema, ct);
        try
        {
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                await Exec(conn, tx, $"LOCK TABLE {Locks(schema)}", ct);
                await Exec(conn, tx, $"DELETE FROM {Locks(schema)} WHERE lock_name = $1 AND expires_at < $2", ct, name, DateTime.UtcNow);
                await using var live = new NpgsqlCommand($"SELECT COUNT(*) FROM {Locks(schema)} WHERE lock_name = $1", conn, tx) { Parameters = { new() { Value = name } } };
                if (Convert.ToInt64(await live.ExecuteScalarAsync(ct)) > 0)
                {
                    await conn.DisposeAsync();
                    return null;
                }
                await Exec(conn, tx, $"INSERT INTO {Locks(schema)} (lock_name, holder, expires_at) VALUES ($1, $2, $3)", ct,
                    name, holder, DateTime.UtcNow + LeaseClaims.Lease);
                await tx.CommitAsync(ct);
            }
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }

        return LeaseClaims.Hold(
            renew: ct => Exec(conn, null, $"UPDATE {Locks(schema)} SET expires_at = $1 WHERE lock_name = $2 AND holder = $3", ct,
                DateTime.UtcNow + LeaseClaims.Lease, name, holder),
            release: () => Exec(conn, null, $"DELETE FROM {Locks(schema)} WHERE lock_name = $1 AND holder = $2", CancellationToken.None, name, holder),
            close: conn.DisposeAsync);
    }

    /// <summary>
    /// <c>LOCK</c> on the lock table inside the chunk's transaction: every applier's chunks on this store take turns
    /// (coarser than PostgreSQL's per-target locks, but readers of the runs and results never wait).
    /// </summary>
    public override async Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, string schema, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"LOCK TABLE {Locks(schema)}", (NpgsqlConnection)conn, (NpgsqlTransaction)tx)
        {
            CommandTimeout = TargetLockWaitSeconds,
        };
        try { await cmd.ExecuteNonQueryAsync(ct); }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException) { throw TargetLockTimeout(); }
        return new Release(() => Task.CompletedTask);
    }

    /// <summary>Under LOCK, in the caller's transaction or one of its own: a taken run_id is seen, never inserted twice.</summary>
    public override async Task<bool> InsertRunAsync(DbConnection conn, DbTransaction? tx, string schema, HistoryRun run, CancellationToken ct)
    {
        var own = tx is null ? await conn.BeginTransactionAsync(ct) : null;
        try
        {
            var t = tx ?? own!;
            await Exec(conn, t, $"LOCK TABLE {Locks(schema)}", ct);
            await using (var exists = new NpgsqlCommand(RunSql.RunExists(this, schema), (NpgsqlConnection)conn, (NpgsqlTransaction)t))
            {
                AddParameter(exists, "@run", run.RunId);
                if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct)) > 0) return false;
            }
            await using (var insert = new NpgsqlCommand(RunSql.InsertRun(this, schema), (NpgsqlConnection)conn, (NpgsqlTransaction)t))
            {
                BindRun(insert, run);
                await insert.ExecuteNonQueryAsync(ct);
            }
            if (own is not null) await own.CommitAsync(ct);
            return true;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    public override bool IsPermissionDenied(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.InsufficientPrivilege;

    /// <summary>Redshift never reports one (keys are not enforced); kept for a PostgreSQL-compatible server that does.</summary>
    public override bool IsUniqueViolation(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.UniqueViolation;

    /// <summary>Everything a member needs, the lock table (LOCK and claims) and the migration check included.</summary>
    public override string GrantStatement(string schema, string user) =>
        $"GRANT USAGE ON SCHEMA {PgCatalog.Quote(schema)} TO {PgCatalog.Quote(user)}; " +
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.RunsTable)}, {QualifiedTable(schema, HistoryModel.ResultsTable)} TO {PgCatalog.Quote(user)}; " +
        $"GRANT SELECT, INSERT, UPDATE, DELETE ON {Locks(schema)} TO {PgCatalog.Quote(user)}; " +
        $"GRANT SELECT ON {QualifiedTable(schema, HistoryModel.MigrationsTable)} TO {PgCatalog.Quote(user)};";

    public override string CreateSchemaStatement(string schema) => $"CREATE SCHEMA IF NOT EXISTS {PgCatalog.Quote(schema)};";

    static async Task Exec(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, (NpgsqlConnection)conn, (NpgsqlTransaction?)tx);
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    async Task<NpgsqlConnection> OpenAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        var conn = NpgsqlWithoutTypeLoading.CreateConnection(StoreConnectionString(profile, schema));
        await conn.OpenAsync(ct);
        return conn;
    }
}
