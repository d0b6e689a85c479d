using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Model;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using System.Text;
using Npgsql;

namespace Amx.Data.History.Providers;

/// <summary>PostgreSQL: schema names folded to lower case (its rule for unquoted names); COPY for large batches.</summary>
public sealed class PostgresHistoryProvider : HistoryProvider
{
    /// <summary>Batches at least this large go through COPY.</summary>
    public const int CopyThreshold = 200;

    public override Backend Backend => Backend.PostgreSql;

    public override string BeforeFirstDot(string column) => $"split_part({column}, '.', 1)";

    /// <summary>
    /// A schema computed from target_qname looks as unique as the name itself to the planner: it expected a group per
    /// result and, past work_mem, sorted the whole run's rows on disk (78 ms at 100k results). Behind OFFSET 0 the
    /// derived columns have no statistics, the default guess is a few hundred groups, and it hashes; while the run is
    /// still unknown to the statistics it sorts only the narrow derived rows.
    /// </summary>
    public override string GroupingFence => " OFFSET 0";

    public override string EffectiveSchema(string? configured) =>
        (string.IsNullOrWhiteSpace(configured) ? AmxConfig.DefaultHistorySchema : configured.Trim()).ToLowerInvariant();

    public override string OfflineConnectionString => "Host=localhost;Database=amx";

    public override Type ContextType => typeof(PostgresHistoryDbContext);

    /// <summary>PostgreSQL's ids are the ones the DDL-only hosts record too (<see cref="Scripts.DialectScript.ModelMigrations"/>).</summary>
    public override IReadOnlySet<string> KnownMigrations { get; } = Scripts.DialectScript.ModelMigrations.ToHashSet(StringComparer.Ordinal);

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema)
    {
        var b = new DbContextOptionsBuilder<PostgresHistoryDbContext>()
            .UseNpgsql(connectionString, o => o.MigrationsHistoryTable(HistoryModel.MigrationsTable, modelSchema));
        return new PostgresHistoryDbContext(Finish(b), modelSchema);
    }

    /// <summary>
    /// Plain-SQL connections (reads, COPY, apply) without loading pg_type: the store's columns are built-in types only,
    /// and the load is a catalog round trip plus ~10 ms of CPU on every process's first connection (most of a short
    /// <c>history list</c>'s database time).
    /// </summary>
    public override DbConnection CreateConnection(string connectionString) => NpgsqlWithoutTypeLoading.CreateConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => $"{Quote(schema)}.{Quote(table)}";

    static string Quote(string name) => PgCatalog.Quote(name);

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        return await PgCatalog.SchemaExistsAsync(conn, schema, ct);
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
        return await PgCatalog.HistoryTablesAsync(conn, schema, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        return await PgCatalog.SchemasHoldingHistoryTablesAsync(conn, ct);
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
    public override async Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, string schema, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS s", (NpgsqlConnection)conn)
        {
            Transaction = (NpgsqlTransaction)tx,
            Parameters = { new() { Value = keys.Order().ToArray() } },
            CommandTimeout = TargetLockWaitSeconds,
        };
        try { await cmd.ExecuteScalarAsync(ct); }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException) { throw TargetLockTimeout(); }
        return new Release(() => Task.CompletedTask);
    }

    /// <summary>The batch's names and distinct live texts as two arrays (<see cref="ApplySql.AppliedToByArray"/>).</summary>
    public override void PrepareAppliedTo(DbCommand cmd, string schema, IReadOnlyList<(string Target, string? Live)> batch)
    {
        AddParameter(cmd, "@names", batch.Select(b => b.Target).ToArray());
        AddParameter(cmd, "@texts", batch.Where(b => !string.IsNullOrEmpty(b.Live)).Select(b => b.Live!).Distinct(StringComparer.Ordinal).ToArray());
        cmd.CommandText = ApplySql.AppliedToByArray(this, schema, batch.Any(b => string.IsNullOrEmpty(b.Live)));
    }

    /// <summary>One UPDATE per chunk with the names as one array parameter (<see cref="ApplySql.MarkResultsByArray"/>).</summary>
    public override async Task MarkResultsAsync(DbConnection conn, DbTransaction tx, string schema, string runId, IReadOnlyCollection<string> targets,
        bool applied, string status, DateTime at, string by, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = ApplySql.MarkResultsByArray(this, schema, applied);
        BindMarkResults(cmd, runId, applied, status, at, by);
        AddParameter(cmd, "@names", targets.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Keyset queries per chunk were planned from statistics taken before the run's results existed: a sequential scan
    /// and sort of the whole run per chunk (100,000 results: 105 ms a chunk, 10.5 s an apply). MVCC readers block no writer.
    /// </summary>
    public override bool StreamsApplyCandidates => true;

    public override string ByteOrder(string column) => $"{column} COLLATE \"C\"";

    public override bool IsPermissionDenied(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.InsufficientPrivilege;
    public override bool IsUniqueViolation(Exception e) => Find<PostgresException>(e)?.SqlState == PostgresErrorCodes.UniqueViolation;

    public override string GrantStatement(string schema, string user) =>
        $"GRANT USAGE ON SCHEMA {Quote(schema)} TO {Quote(user)}; " +
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.RunsTable)}, {QualifiedTable(schema, HistoryModel.ResultsTable)} TO {Quote(user)}; " +
        $"GRANT SELECT ON {QualifiedTable(schema, HistoryModel.MigrationsTable)} TO {Quote(user)};";

    public override string CreateSchemaStatement(string schema) => $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)};";

    public override async Task BulkInsertResultsAsync(DbConnection connection, DbTransaction tx, IReadOnlyCollection<HistoryResult> results, string schema, CancellationToken ct)
    {
        if (results.Count < CopyThreshold)
        {
            await base.BulkInsertResultsAsync(connection, tx, results, schema, ct);
            return;
        }
        // COPY runs inside the connection's open transaction (the caller's). Text format, as the hash and psql's \copy
        // speak it: a row is escaped into one reused builder and handed over whole, where binary COPY resolved a type
        // and bound a parameter for each of the 18 values (a third of a million-column run's write cost).
        var conn = (NpgsqlConnection)connection;
        var copy = $"COPY {QualifiedTable(schema, HistoryModel.ResultsTable)} (run_id, target_qname, target_kind, description, alternatives, " +
                   "confidence, previous_comment, decision, reviewed_by, reviewed_at, applied, applied_at, applied_by, apply_status, error, metadata_json, " +
                   "reverted_at, reverted_by) FROM STDIN";
        var writer = await conn.BeginTextImportAsync(copy, ct);
        try
        {
            var row = new StringBuilder(40_000);
            foreach (var r in results)
            {
                ct.ThrowIfCancellationRequested();
                CopyText.Field(row, r.RunId).Append('\t');
                CopyText.Field(row, r.TargetQname).Append('\t');
                CopyText.Field(row, r.TargetKind).Append('\t');
                CopyText.Field(row, r.Description).Append('\t');
                CopyText.Field(row, r.Alternatives).Append('\t');
                CopyText.Field(row, r.Confidence).Append('\t');
                CopyText.Field(row, r.PreviousComment).Append('\t');
                CopyText.Field(row, r.Decision).Append('\t');
                CopyText.Field(row, r.ReviewedBy).Append('\t');
                CopyText.Field(row, r.ReviewedAt).Append('\t');
                CopyText.Field(row, r.Applied).Append('\t');
                CopyText.Field(row, r.AppliedAt).Append('\t');
                CopyText.Field(row, r.AppliedBy).Append('\t');
                CopyText.Field(row, r.ApplyStatus).Append('\t');
                CopyText.Field(row, r.Error).Append('\t');
                CopyText.Field(row, r.MetadataJson).Append('\t');
                CopyText.Field(row, r.RevertedAt).Append('\t');
                CopyText.Field(row, r.RevertedBy).Append('\n');
                // Handed over some 32,000 characters at a time, synchronously: awaiting each chunk made a 100k run
                // ~20 % slower than the occasional blocking flush (this runs on the history writer's own task).
                if (row.Length < 32_000) continue;
                writer.Write(row);
                row.Clear();
            }
            if (row.Length > 0) writer.Write(row);
        }
        catch
        {
            // Disposing would end the COPY and keep a partial batch: cancel it, the caller's transaction rolls back.
            if (writer is NpgsqlCopyTextWriter copyWriter) await copyWriter.CancelAsync();
            throw;
        }
        await writer.DisposeAsync();
    }

    /// <summary>
    /// The hash is defined as this engine's COPY text (docs/history-store.md), so the server writes it and amx hashes
    /// its bytes as they stream: no row is read field by field, nothing is decoded (history show --hash-only of a million
    /// results). Null (the store's generic, parameterised read) when the server does not send UTF-8 or the run id is not
    /// one of the plain ids amx makes.
    /// </summary>
    public override Task<string?> DescriptionsHashAsync(DbConnection connection, string schema, string runId, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)connection;
        // The bytes are hashed as the server sends them, so only when it sends UTF-8 (a profile may set another client
        // encoding).
        if (!conn.PostgresParameters.TryGetValue("client_encoding", out var encoding) || encoding != "UTF8") return Task.FromResult<string?>(null);
        // COPY takes no parameters. An id of letters, digits and "_-.:" (every id amx makes) is written into the
        // statement as it is: one round trip less than passing it through a session setting, and nothing in it can
        // end the literal. Any other id takes the generic path.
        if (runId.Length is 0 or > 64 || runId.AsSpan().ContainsAnyExcept(PlainRunIdChars)) return Task.FromResult<string?>(null);
        var copy = $"COPY (SELECT target_qname, target_kind, confidence, description FROM {QualifiedTable(schema, HistoryModel.ResultsTable)} " +
                   $"WHERE run_id = '{runId}' ORDER BY {ByteOrder("target_qname")}) TO STDOUT";
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var block = new byte[1 << 16];
        // Npgsql's text export is a StreamReader over the raw COPY stream: amx hashes the stream's bytes, the UTF-8 the
        // hash is defined on, instead of decoding and encoding them again. All of it is synchronous, on a connection
        // opened synchronously (HistoryReader.DescriptionsHashAsync): a one-shot command has no other work for the
        // thread, and a socket never used asynchronously waits in the kernel, not through the runtime's epoll thread.
        using (var reader = (StreamReader)conn.BeginTextExport(copy))
        {
            // A read returns at most one row (one COPY message): blocks are filled (awaiting 100,000 reads cost a fifth
            // of a 100,000-result hash) and hashed whole; cancellation is checked between blocks.
            var rows = reader.BaseStream;
            int filled;
            do
            {
                filled = 0;
                for (int n; filled < block.Length && (n = rows.Read(block, filled, block.Length - filled)) > 0;) filled += n;
                ct.ThrowIfCancellationRequested();
                hash.AppendData(block, 0, filled);
            } while (filled == block.Length);
        }
        return Task.FromResult<string?>(Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    static readonly System.Buffers.SearchValues<char> PlainRunIdChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:");

    /// <summary>A connection for the store's catalog checks and locks: no type loading (they read text and integers).</summary>
    static async Task<NpgsqlConnection> OpenAsync(DbProfile profile, CancellationToken ct)
    {
        var conn = NpgsqlWithoutTypeLoading.CreateConnection(ConnectionStringFactory.For(profile));
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
