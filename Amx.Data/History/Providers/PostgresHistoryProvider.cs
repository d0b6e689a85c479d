using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Model;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Amx.Data.History.Providers;

/// <summary>PostgreSQL: schema names folded to lower case (its rule for unquoted names); COPY for large batches.</summary>
public sealed class PostgresHistoryProvider : HistoryProvider
{
    /// <summary>Batches at least this large go through binary COPY.</summary>
    public const int CopyThreshold = 200;

    public override Backend Backend => Backend.PostgreSql;

    public override string EffectiveSchema(string? configured) =>
        (string.IsNullOrWhiteSpace(configured) ? AmxConfig.DefaultHistorySchema : configured.Trim()).ToLowerInvariant();

    public override string OfflineConnectionString => "Host=localhost;Database=amx";

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema)
    {
        var b = new DbContextOptionsBuilder<PostgresHistoryDbContext>()
            .UseNpgsql(connectionString, o => o.MigrationsHistoryTable(HistoryModel.MigrationsTable, modelSchema));
        return new PostgresHistoryDbContext(Finish(b), modelSchema);
    }

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => $"{Quote(schema)}.{Quote(table)}";

    static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = $1", conn) { Parameters = { new() { Value = schema } } };
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public override async Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        // pg_class is readable by every role, unlike information_schema which hides tables one has no right on.
        await using var cmd = new NpgsqlCommand(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = $1 AND c.relkind IN ('r','p') AND c.relname LIKE 'amx\\_history\\_%' ORDER BY 1", conn)
        { Parameters = { new() { Value = schema } } };
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            $"WHERE c.relname IN ('{HistoryModel.RunsTable}','{HistoryModel.ResultsTable}') ORDER BY 1", conn);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        var key = "amx_history:" + schema;
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext($1))", conn) { Parameters = { new() { Value = key } } })
            await cmd.ExecuteNonQueryAsync(ct);
        return new Release(async () =>
        {
            await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext($1))", conn) { Parameters = { new() { Value = key } } })
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            await conn.DisposeAsync();
        });
    }

    public override async Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        var key = LockKey($"amx_apply_run:{schema}:{runId}");
        await using (var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", conn) { Parameters = { new() { Value = key } } })
            if (await cmd.ExecuteScalarAsync(ct) is not true)
            {
                await conn.DisposeAsync();
                return null;
            }
        // Closing the session releases the lock, also when the process dies.
        return new Release(async () => await conn.DisposeAsync());
    }

    /// <summary><c>pg_advisory_xact_lock</c>: released by the transaction's commit or rollback.</summary>
    public override async Task<IAsyncDisposable> LockTargetsAsync(HistoryDbContext db, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var cmd = new NpgsqlCommand("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS s", conn)
        {
            Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction(),
            Parameters = { new() { Value = keys.Order().ToArray() } },
            CommandTimeout = TargetLockWaitSeconds,
        };
        try { await cmd.ExecuteScalarAsync(ct); }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException) { throw TargetLockTimeout(); }
        return new Release(() => Task.CompletedTask);
    }

    public override string ByteOrder(string column) => $"{column} COLLATE \"C\"";

    public override bool IsPermissionDenied(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.InsufficientPrivilege;
    public override bool IsUniqueViolation(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.UniqueViolation;

    public override string GrantStatement(string schema, string user) =>
        $"GRANT USAGE ON SCHEMA {Quote(schema)} TO {Quote(user)}; " +
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.RunsTable)}, {QualifiedTable(schema, HistoryModel.ResultsTable)} TO {Quote(user)};";

    public override string CreateSchemaStatement(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)};";

    public override async Task BulkInsertResultsAsync(HistoryDbContext db, IReadOnlyCollection<HistoryResult> results, string schema, CancellationToken ct)
    {
        if (results.Count < CopyThreshold)
        {
            await base.BulkInsertResultsAsync(db, results, schema, ct);
            return;
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            var copy = $"COPY {QualifiedTable(schema, HistoryModel.ResultsTable)} (run_id, target_qname, target_kind, description, alternatives, " +
                       "confidence, previous_comment, decision, reviewed_by, reviewed_at, applied, applied_at, applied_by, apply_status, error, metadata_json) " +
                       "FROM STDIN (FORMAT BINARY)";
            await using (var writer = await conn.BeginBinaryImportAsync(copy, ct))
            {
                foreach (var r in results)
                {
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(r.RunId, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(r.TargetQname, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(r.TargetKind, NpgsqlDbType.Text, ct);
                    await WriteNullable(writer, r.Description, ct);
                    await WriteNullable(writer, r.Alternatives, ct);
                    await WriteNullable(writer, r.Confidence, ct);
                    await WriteNullable(writer, r.PreviousComment, ct);
                    await writer.WriteAsync(r.Decision, NpgsqlDbType.Text, ct);
                    await WriteNullable(writer, r.ReviewedBy, ct);
                    await WriteTime(writer, r.ReviewedAt, ct);
                    await writer.WriteAsync(r.Applied, NpgsqlDbType.Boolean, ct);
                    await WriteTime(writer, r.AppliedAt, ct);
                    await WriteNullable(writer, r.AppliedBy, ct);
                    await WriteNullable(writer, r.ApplyStatus, ct);
                    await WriteNullable(writer, r.Error, ct);
                    await WriteNullable(writer, r.MetadataJson, ct);
                }
                await writer.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static async Task WriteNullable(NpgsqlBinaryImporter w, string? value, CancellationToken ct)
    {
        if (value is null) await w.WriteNullAsync(ct);
        else await w.WriteAsync(value, NpgsqlDbType.Text, ct);
    }

    static async Task WriteTime(NpgsqlBinaryImporter w, DateTime? value, CancellationToken ct)
    {
        if (value is null) await w.WriteNullAsync(ct);
        else await w.WriteAsync(DateTime.SpecifyKind(value.Value.Kind == DateTimeKind.Local ? value.Value.ToUniversalTime() : value.Value, DateTimeKind.Utc),
            NpgsqlDbType.TimestampTz, ct);
    }

    static async Task<NpgsqlConnection> OpenAsync(DbProfile profile, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(ConnectionStringFactory.For(profile));
        await conn.OpenAsync(ct);
        return conn;
    }
}

/// <summary>Runs a release action once when disposed.</summary>
sealed class Release(Func<Task> release) : IAsyncDisposable
{
    int _done;
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) await release();
    }
}
