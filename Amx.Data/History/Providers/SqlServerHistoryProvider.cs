using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Storage;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Amx.Data.History.Providers;

/// <summary>SQL Server: the schema name is used as given (its catalog collation decides case sensitivity).</summary>
public sealed class SqlServerHistoryProvider : HistoryProvider
{
    public override Backend Backend => Backend.SqlServer;

    public override string BeforeFirstDot(string column) => $"LEFT({column}, CHARINDEX('.', {column} + '.') - 1) COLLATE Latin1_General_BIN2";

    public override string EffectiveSchema(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? AmxConfig.DefaultHistorySchema : configured.Trim();

    public override string OfflineConnectionString => "Server=localhost;Database=amx;Integrated Security=true";

    public override Type ContextType => typeof(SqlServerHistoryDbContext);

    public override IReadOnlySet<string> KnownMigrations { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "20261126113656_InitialCreate", "20261128171231_RunKindRevertResultMetadata", "20261129081348_DropResultsRunIdIndex" };

    public override HistoryDbContext CreateContext(string connectionString, string? modelSchema)
    {
        var b = new DbContextOptionsBuilder<SqlServerHistoryDbContext>()
            .UseSqlServer(connectionString, o => o.MigrationsHistoryTable(HistoryModel.MigrationsTable, modelSchema));
        return new SqlServerHistoryDbContext(Finish(b), modelSchema);
    }

    public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public override string QualifiedTable(string schema, string table) => $"{Quote(schema)}.{Quote(table)}";

    public override string Limit(int n) => $"OFFSET 0 ROWS FETCH NEXT {n} ROWS ONLY";

    static string Quote(string name) => "[" + name.Replace("]", "]]") + "]";

    public override string CreateSchemaStatement(string schema) =>
        $"IF SCHEMA_ID(N'{schema.Replace("'", "''")}') IS NULL EXEC(N'CREATE SCHEMA {Quote(schema).Replace("'", "''")}');";

    public override async Task<bool> SchemaExistsAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new SqlCommand("SELECT 1 FROM sys.schemas WHERE name = @s", conn);
        cmd.Parameters.AddWithValue("@s", schema);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public override async Task CreateSchemaAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new SqlCommand("DECLARE @sql nvarchar(max) = N'CREATE SCHEMA ' + QUOTENAME(@s); EXEC(@sql);", conn);
        cmd.Parameters.AddWithValue("@s", schema);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public override async Task<IReadOnlyList<string>> HistoryTablesAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new SqlCommand(
            "SELECT t.name FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id " +
            "WHERE s.name = @s AND t.name LIKE 'amx[_]history[_]%' ORDER BY 1", conn);
        cmd.Parameters.AddWithValue("@s", schema);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(DbProfile profile, CancellationToken ct)
    {
        await using var conn = await OpenAsync(profile, ct);
        await using var cmd = new SqlCommand(
            "SELECT DISTINCT s.name FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id " +
            $"WHERE t.name IN ('{HistoryModel.RunsTable}','{HistoryModel.ResultsTable}') ORDER BY 1", conn);
        return await ReadStrings(cmd, ct);
    }

    public override async Task<IAsyncDisposable> AcquireMigrationLockAsync(DbProfile profile, string schema, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        var resource = "amx_history:" + schema;
        await using (var cmd = new SqlCommand(
            "EXEC sp_getapplock @Resource = @r, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 300000", conn))
        {
            cmd.Parameters.AddWithValue("@r", resource);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new Release(async () =>
        {
            await using (var cmd = new SqlCommand("EXEC sp_releaseapplock @Resource = @r, @LockOwner = 'Session'", conn))
            {
                cmd.Parameters.AddWithValue("@r", resource);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            await conn.DisposeAsync();
        });
    }

    // 229/230: object permission denied; 262: CREATE permission denied; 2760: schema missing or no permission.
    public override async Task<IAsyncDisposable?> TryLockRunAsync(DbProfile profile, string schema, string runId, CancellationToken ct)
    {
        var conn = await OpenAsync(profile, ct);
        await using (var cmd = new SqlCommand("DECLARE @r int; EXEC @r = sp_getapplock @Resource = @n, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0; SELECT @r;", conn))
        {
            cmd.Parameters.AddWithValue("@n", $"amx_apply:{schema}:{runId}");
            if (Convert.ToInt32(await cmd.ExecuteScalarAsync(ct) ?? -1) < 0)
            {
                await conn.DisposeAsync();
                return null;
            }
        }
        return new Release(async () => await conn.DisposeAsync());
    }

    /// <summary><c>sp_getapplock</c> owned by the transaction: released by its commit or rollback.</summary>
    public override async Task<IAsyncDisposable> LockTargetsAsync(DbConnection connection, DbTransaction transaction, string schema, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        var conn = (SqlConnection)connection;
        var tx = (SqlTransaction)transaction;
        foreach (var key in keys.Order())
        {
            await using var cmd = new SqlCommand($"EXEC sp_getapplock @Resource = @n, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = {TargetLockWaitSeconds * 1000};", conn)
            {
                Transaction = tx, CommandTimeout = TargetLockWaitSeconds + 10,
            };
            cmd.Parameters.AddWithValue("@n", "amx_target:" + key.ToString("x16"));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new Release(() => Task.CompletedTask);
    }

    public override string ByteOrder(string column) => $"{column} COLLATE Latin1_General_BIN2";

    public override bool IsPermissionDenied(Exception e) => Find<SqlException>(e)?.Number is 229 or 230 or 262 or 2760 or 15247;
    public override bool IsUniqueViolation(Exception e) => Find<SqlException>(e)?.Number is 2627 or 2601;

    /// <summary>
    /// As datetime2: SqlClient sends a bare DateTime as datetime, rounded to 1/300 s, which would change a time on its
    /// way into the store's datetime2 columns and make equal times compare unequal.
    /// </summary>
    public override object? StoredTime(DateTime? t) =>
        t is { } v ? new TypedValue(DateTime.SpecifyKind(v, DateTimeKind.Utc), System.Data.DbType.DateTime2) : null;

    public override string GrantStatement(string schema, string user) =>
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.RunsTable)} TO {Quote(user)}; " +
        $"GRANT SELECT, INSERT, UPDATE ON {QualifiedTable(schema, HistoryModel.ResultsTable)} TO {Quote(user)}; " +
        $"GRANT SELECT ON {QualifiedTable(schema, HistoryModel.MigrationsTable)} TO {Quote(user)};";

    static async Task<SqlConnection> OpenAsync(DbProfile profile, CancellationToken ct)
    {
        var conn = new SqlConnection(ConnectionStringFactory.For(profile));
        await conn.OpenAsync(ct);
        return conn;
    }
}
