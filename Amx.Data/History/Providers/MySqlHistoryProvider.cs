using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySqlConnector;

namespace Amx.Data.History.Providers;

/// <summary>
/// MySQL and MariaDB: the "schema" is a database (lower-cased: Linux servers compare database names case-sensitively);
/// the store connects to it directly, so the EF model carries no schema.
/// </summary>
public sealed class MySqlHistoryProvider(bool mariaDb) : HistoryProvider
{
    // A fixed server version keeps the generated DDL the same with or without a connection (script, dry-run).
    internal static readonly ServerVersion MySqlVersion = new MySqlServerVersion(new Version(8, 0, 36));
    internal static readonly ServerVersion MariaDbVersion = new MariaDbServerVersion(new Version(10, 6, 0));

    public override Backend Backend => mariaDb ? Backend.MariaDb : Backend.MySql;

    public override string BeforeFirstDot(string column) => $"SUBSTRING_INDEX({column}, '.', 1)";

    public override string EffectiveSchema(string? configured) =>
        (string.IsNullOrWhiteSpace(configured) ? AmxConfig.DefaultHistorySchema : configured.Trim()).ToLowerInvariant();

    public override string? ModelSchema(string effectiveSchema) => null;

    public override string StoreConnectionString(DbProfile profile, string effectiveSchema) =>
        new MySqlConnectionStringBuilder(ConnectionStringFactory.For(profile)) { Database = effectiveSchema }.ConnectionString;

    public override string OfflineConnectionString => "Server=localhost;Database=amx";

    public override Type ContextType => typeof(MySqlHistoryDbContext);

    public override IReadOnlySet<string> KnownMigrations { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "20261126113721_InitialCreate", "20261128171212_RunKindRevertResultMetadata", "20261129081251_DropResultsRunIdIndex" };

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema)
    {
        var b = new DbContextOptionsBuilder<MySqlHistoryDbContext>()
            .UseMySql(connectionString, mariaDb ? MariaDbVersion : MySqlVersion,
                o => o.MigrationsHistoryTable(HistoryModel.MigrationsTable));
        return new MySqlHistoryDbContext(Finish(b), modelSchema);
    }

    public override DbConnection CreateConnection(string connectionString) => new MySqlConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => $"{Quote(schema)}.{Quote(table)}";

    static string Quote(string name) => "`" + name.Replace("`", "``") + "`";
    static string Literal(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "''") + "'";

    public override string ScriptPrologue(string schema) => $"{CreateSchemaStatement(schema)}\nUSE {Quote(schema)};\n\n";

    // utf8mb4_bin: target_qname is a key, and names differing only in case are different targets.
    public override string CreateSchemaStatement(string schema) =>
        $"CREATE DATABASE IF NOT EXISTS {Quote(schema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;";

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new MySqlCommand("SELECT 1 FROM information_schema.schemata WHERE schema_name = @s", conn);
        cmd.Parameters.AddWithValue("@s", schema);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public override async Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new MySqlCommand(CreateSchemaStatement(schema), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new MySqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @s AND table_name LIKE 'amx\\_history\\_%' ORDER BY 1", conn);
        cmd.Parameters.AddWithValue("@s", schema);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new MySqlCommand(
            $"SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('{HistoryModel.RunsTable}','{HistoryModel.ResultsTable}') ORDER BY 1", conn);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        var name = ("amx_history:" + schema) is var n && n.Length > 64 ? n[..64] : n;
        await using (var cmd = new MySqlCommand("SELECT GET_LOCK(@n, 300)", conn))
        {
            cmd.Parameters.AddWithValue("@n", name);
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct) ?? 0L) != 1)
                throw Errors.AmxException.Failed($"timed out waiting for another amx migrating {schema}", "retry in a minute");
        }
        return new Release(async () =>
        {
            await using (var cmd = new MySqlCommand("SELECT RELEASE_LOCK(@n)", conn))
            {
                cmd.Parameters.AddWithValue("@n", name);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            await conn.DisposeAsync();
        });
    }

    public override async Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        var name = "amx_apply:" + LockKey($"{schema}:{runId}").ToString("x16");
        await using (var cmd = new MySqlCommand("SELECT GET_LOCK(@n, 0)", conn))
        {
            cmd.Parameters.AddWithValue("@n", name);
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct) ?? 0L) != 1)
            {
                await conn.DisposeAsync();
                return null;
            }
        }
        return new Release(async () => await conn.DisposeAsync());
    }

    /// <summary>GET_LOCK is per session, not per transaction: the handle releases the names after the commit.</summary>
    public override async Task<IAsyncDisposable> LockTargetsAsync(DbConnection connection, DbTransaction transaction, string schema, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        var conn = (MySqlConnection)connection;
        var tx = (MySqlTransaction)transaction;
        var names = keys.Order().Select(k => "amx_target:" + k.ToString("x16")).ToList();
        foreach (var chunk in names.Chunk(100))
        {
            // One round trip per hundred names; MariaDB evaluates the select list left to right (key order).
            // GET_LOCK waits up to its own limit; the command's timeout (default 30 s) must not end the wait first.
            await using var cmd = new MySqlCommand("SELECT " + string.Join(", ", chunk.Select((_, i) => $"GET_LOCK(@n{i}, {TargetLockWaitSeconds})")), conn)
            {
                Transaction = tx, CommandTimeout = TargetLockWaitSeconds + 10,
            };
            for (var i = 0; i < chunk.Length; i++) cmd.Parameters.AddWithValue($"@n{i}", chunk[i]);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            for (var i = 0; i < chunk.Length; i++)
                if (r.IsDBNull(i) || Convert.ToInt64(r.GetValue(i)) != 1)
                    throw TargetLockTimeout();
        }
        return new Release(async () =>
        {
            foreach (var chunk in names.Chunk(100))
            {
                // Normally after the commit; when an error ends the chunk early the transaction is still open.
                // The transaction object is given while it is still open; MySqlConnector refuses a finished one.
                await using var cmd = new MySqlCommand("SELECT " + string.Join(", ", chunk.Select((_, i) => $"RELEASE_LOCK(@n{i})")), conn)
                {
                    Transaction = tx.Connection is null ? null : tx,
                };
                for (var i = 0; i < chunk.Length; i++) cmd.Parameters.AddWithValue($"@n{i}", chunk[i]);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
        });
    }

    /// <summary>
    /// Apply's outcome UPDATE (one per 500 targets) is forced onto the primary key: InnoDB then locks exactly those rows.
    /// Left to itself the optimizer may read a long IN list through a secondary index (stores before migration
    /// DropResultsRunIdIndex had one on run_id) and lock every row of the run, so a
    /// reviewer or a sweep holding one row would stall the whole apply (ApplyConcurrencyTests' killed-apply test).
    /// </summary>
    public override string OutcomeUpdateHint => " FORCE INDEX (PRIMARY)";

    public override object? StoredTime(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Unspecified) : null;

    public override bool IsPermissionDenied(Exception e) => Find<MySqlException>(e)?.ErrorCode is
        MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.TableAccessDenied or MySqlErrorCode.ColumnAccessDenied
        or MySqlErrorCode.SpecifiedAccessDeniedError;

    public override bool IsUniqueViolation(Exception e) => Find<MySqlException>(e)?.ErrorCode == MySqlErrorCode.DuplicateKeyEntry;

    public override string GrantStatement(string schema, string user) =>
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.RunsTable)} TO {Literal(user)}@'%'; " +
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.ResultsTable)} TO {Literal(user)}@'%'; " +
        $"GRANT SELECT ON {QualifiedTable(schema, HistoryModel.MigrationsTable)} TO {Literal(user)}@'%';";

    static async Task<MySqlConnection> OpenAsync(DbProfile profile, CancellationToken ct)
    {
        var conn = new MySqlConnection(ConnectionStringFactory.For(profile));
        await conn.OpenAsync(ct);
        return conn;
    }
}
