using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.History.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.History.Providers;

/// <summary>SQLite (the local default): no schemas, the tables live unprefixed in the file; one writer at a time.</summary>
public sealed class SqliteHistoryProvider : HistoryProvider
{
    public override Backend Backend => Backend.Sqlite;

    public override string BeforeFirstDot(string column) => $"substr({column}, 1, instr({column} || '.', '.') - 1)";

    public override string EffectiveSchema(string? configured) => "";

    public override string? ModelSchema(string effectiveSchema) => null;

    public override bool SupportsIdempotentScript => false;

    /// <summary>
    /// EF 9 leaves its migration lock table behind in SQLite files; the store holds only its own tables, so an
    /// unheld lock table is dropped (a per-user file: no other migrator is expected at this moment).
    /// </summary>
    public override async Task AfterMigrateAsync(HistoryDbContext db, CancellationToken ct)
    {
        var held = await db.Database.SqlQueryRaw<long>(
            "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE name = '__EFMigrationsLock'").SingleAsync(ct);
        if (held == 0) return;
        var rows = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM \"__EFMigrationsLock\"").SingleAsync(ct);
        if (rows == 0) await db.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\"", ct);
    }

    /// <summary>
    /// One prepared single-row INSERT run once per result in the caller's transaction: a multi-row INSERT would make
    /// SQLite parse every statement text anew.
    /// </summary>
    public override async Task BulkInsertResultsAsync(DbConnection connection, DbTransaction tx, IReadOnlyCollection<HistoryResult> results, string effectiveSchema, CancellationToken ct)
    {
        await using var cmd = ((SqliteConnection)connection).CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        cmd.CommandText = RunSql.InsertResults(this, effectiveSchema, 1);
        var parameters = Enumerable.Range(0, RunSql.ResultColumnCount)
            .Select(c => cmd.Parameters.Add(new SqliteParameter { ParameterName = $"@v0_{c}" })).ToArray();
        foreach (var r in results)
        {
            var values = ResultValues(r);
            for (var c = 0; c < parameters.Length; c++) parameters[c].Value = values[c] ?? DBNull.Value;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public override string OfflineConnectionString => "Data Source=history.db";

    public static string ConnectionStringForFile(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ConnectionString;

    public override Type ContextType => typeof(SqliteHistoryDbContext);

    /// <summary>The ids LocalStore.sql records (a test holds the script to EF's migrations).</summary>
    public override IReadOnlySet<string> KnownMigrations => LocalStoreScript.KnownMigrations;

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema)
    {
        var b = new DbContextOptionsBuilder<SqliteHistoryDbContext>()
            .UseSqlite(connectionString, o => o.MigrationsHistoryTable(HistoryModel.MigrationsTable));
        return new SqliteHistoryDbContext(Finish(b), null);
    }

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => "\"" + table + "\"";

    public override string CreateSchemaStatement(string schema) => "";

    public override Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct) => Task.FromResult(true);

    public override Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(profile.Path!)) is { } dir) Directory.CreateDirectory(dir);
        return Task.CompletedTask;
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        if (!File.Exists(profile.Path)) return [];
        await using var conn = new SqliteConnection(ConnectionStringForFile(profile.Path!));
        await conn.OpenAsync(ct);
        await using var cmd = new SqliteCommand(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'amx\\_history\\_%' ESCAPE '\\' ORDER BY 1", conn);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct) =>
        (await HistoryTablesAsync(profile, "", ct)).Count > 0 ? ["main"] : [];

    /// <summary>EF's own SQLite migration lock serialises processes sharing the file.</summary>
    public override Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(new Release(() => Task.CompletedTask));

    /// <summary>An exclusive lock file beside the database (flock): held until disposed or the process ends.</summary>
    public override Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var path = $"{profile.Path}.apply-{runId}.lock";
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return Task.FromResult<IAsyncDisposable?>(file);
        }
        catch (IOException) { return Task.FromResult<IAsyncDisposable?>(null); }
    }

    /// <summary>The apply transaction is BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): it holds the write lock already.</summary>
    public override Task<IAsyncDisposable> LockTargetsAsync(DbConnection conn, DbTransaction tx, string schema, IReadOnlyCollection<long> keys, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(new Release(() => Task.CompletedTask));

    public override bool IsPermissionDenied(Exception e) => false;
    public override bool IsUniqueViolation(Exception e) => Find<SqliteException>(e)?.SqliteErrorCode == 19;

    public override string GrantStatement(string schema, string user) => "(SQLite has no grants: make the file writable)";
}
