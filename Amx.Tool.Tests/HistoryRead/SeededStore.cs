using Npgsql;

namespace Amx.Tool.Tests.HistoryRead;

/// <summary>
/// A shared history store on the test PostgreSQL server, enabled through the CLI (profile <c>wh</c>, schema AMX), whose
/// rows a test writes straight into the tables — the way another machine's amx would have left them.
/// </summary>
public sealed class SeededStore : IDisposable
{
    public const string PwVar = "HREAD_PW";
    public const string Schema = "amx";

    public PostgresServer Pg { get; }
    public string Database { get; }
    public AmxCli Amx { get; }

    SeededStore(PostgresServer pg, string db, AmxCli amx) { Pg = pg; Database = db; Amx = amx; }

    /// <param name="inProcess">Run amx in the test process (AmxCli.InProcess): for tests of what it reads and prints.</param>
    public static async Task<SeededStore> CreateAsync(string user = "alice@acme.com", string? warehouseSql = null, bool inProcess = false)
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hread");
        if (warehouseSql is not null) await pg.ExecuteAsync(warehouseSql, db);
        var amx = new AmxCli(user) { InProcess = inProcess };
        amx.Env[PwVar] = pg.AdminPassword;
        Check(amx.Run("add-db-profile", "wh", "--backend", "postgresql", "--host", "127.0.0.1", "--port", pg.Port.ToString(),
            "--database", db, "--user", pg.AdminUser, "--password-env", PwVar));
        Check(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        Check(amx.Run("history-store", "enable", "--profile", "wh", "--schema", "AMX", "--yes"));
        return new SeededStore(pg, db, amx);
    }

    static void Check(AmxCli.Result r)
    {
        if (r.ExitCode != 0) throw new InvalidOperationException(r.ToString());
    }

    public async Task InsertRunAsync(string runId, string who, DateTime startedAt, string scope, string state = "drafted",
        int ok = 0, int fail = 0, string? metadataJson = null, string? appliedBy = null, DateTime? appliedAt = null)
    {
        await ExecAsync($"""
            INSERT INTO {Schema}.amx_history_runs (run_id, who, host, client_version, started_at, finished_at, scope, db_profile, db_backend,
                llm_provider, llm_model, state, ok_count, fail_count, applied_at, applied_by, metadata_json)
            VALUES (@id, @who, 'seed-host', '0.1.0', @started, NULL, @scope, 'wh', 'postgresql', 'offline', 'offline', @state, @ok, @fail,
                @appliedAt, @appliedBy, @meta)
            """, ("id", runId), ("who", who), ("started", Utc(startedAt)), ("scope", scope), ("state", state),
            ("ok", ok), ("fail", fail), ("appliedAt", Utc(appliedAt)),
            ("appliedBy", (object?)appliedBy ?? DBNull.Value), ("meta", (object?)metadataJson ?? DBNull.Value));
    }

    public async Task InsertResultAsync(string runId, string qname, string? description, string kind = "COLUMN", string? confidence = "high",
        string decision = "pending", string? reviewedBy = null, bool applied = false, string? appliedBy = null, DateTime? appliedAt = null,
        string? applyStatus = null, string? error = null)
    {
        await ExecAsync($"""
            INSERT INTO {Schema}.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, reviewed_by, reviewed_at,
                applied, applied_at, applied_by, apply_status, error)
            VALUES (@run, @q, @kind, @d, @c, @dec, @rb, CASE WHEN @rb IS NULL THEN NULL ELSE now() END, @applied, @aat, @aby, @st, @err)
            """, ("run", runId), ("q", qname), ("kind", kind), ("d", (object?)description ?? DBNull.Value), ("c", (object?)confidence ?? DBNull.Value),
            ("dec", decision), ("rb", (object?)reviewedBy ?? DBNull.Value), ("applied", applied),
            ("aat", Utc(appliedAt)), ("aby", (object?)appliedBy ?? DBNull.Value),
            ("st", (object?)applyStatus ?? DBNull.Value), ("err", (object?)error ?? DBNull.Value));
    }

    public async Task<T?> ScalarAsync<T>(string sql) => await Pg.ScalarAsync<T>(sql, Database);

    async Task ExecAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(Pg.ConnectionString(Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
            cmd.Parameters.Add(value switch
            {
                TimestampValue t => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)t.Value ?? DBNull.Value },
                int i => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Integer) { Value = i },
                bool b => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Boolean) { Value = b },
                _ => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = value },
            });
        await cmd.ExecuteNonQueryAsync();
    }

    sealed record TimestampValue(DateTime? Value);

    static TimestampValue Utc(DateTime? t) => new(t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null);

    public void Dispose() => Amx.Dispose();
}
