using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MySqlConnector;
using Npgsql;

namespace Amx.Tool.Tests.Infrastructure;

/// <summary>
/// The shared world of the server-backed CLI tests (apply, checks, concurrency): one warehouse database of its own plus
/// a shared history store on the same server, set up through the real CLI (profiles, history-store enable), a fake
/// OpenAI-compatible server on first use, and the SQL the tests need for each backend (PgWarehouse, MariaWarehouse).
/// Table and column names are plain lower case so the same DDL works on both servers. Disposing it removes every
/// home it made and stops its fake server.
/// </summary>
public abstract partial class WarehouseWorld : IAsyncDisposable
{
    public const string PasswordVar = "AMX_TEST_APPLY_PW";
    public const string KeyVar = "AMX_TEST_CHECKS_KEY";
    public const string Profile = "wh";
    readonly List<AmxCli> _clis = [];
    FakeLlmServer? _llm;

    /// <summary>A fake OpenAI-compatible server (started on first use) for slow or failing drafts.</summary>
    public FakeLlmServer Llm => _llm ??= new FakeLlmServer(FakeProtocol.OpenAi);

    /// <summary>The warehouse schema (MariaDB: the database).</summary>
    public string Schema { get; protected set; } = "";
    /// <summary>The history store's effective schema (MariaDB: its database).</summary>
    public string HistorySchema { get; protected set; } = "";
    public abstract string BackendName { get; }
    protected abstract string AdminPassword { get; }

    public static async Task<WarehouseWorld> CreateAsync(string backend) =>
        backend == "postgresql" ? await PgWarehouse.CreatePgAsync() : await MariaWarehouse.CreateMariaAsync();

    /// <summary>A CLI with its own home, configured with the warehouse profile, an offline LLM ("off") and the shared store.</summary>
    public AmxCli NewCli(string user = "alice")
    {
        var amx = new AmxCli(user);
        _clis.Add(amx);
        amx.Env[PasswordVar] = AdminPassword;
        Configure(amx);
        return amx;
    }

    /// <summary><see cref="NewCli"/> plus the fake server as llm profile "fake"; <paramref name="localStore"/> keeps the
    /// history in its own SQLite file instead of the shared store.</summary>
    public AmxCli Cli(string user = "alice", bool localStore = false)
    {
        var amx = NewCli(user);
        amx.Env[KeyVar] = "sk-test-checks";
        Ok(amx.Run("add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model",
            "--base-url", Llm.BaseUrl, "--api-key-env", KeyVar));
        if (localStore) Ok(amx.Run("history-store", "disable"));
        return amx;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clis) c.Dispose();
        if (_llm is not null) await _llm.DisposeAsync();
    }

    public abstract Task SetTableCommentAsync(string table, string? comment);

    public async Task<long> CountAsync(string sql) => Convert.ToInt64((await QueryAsync(sql))[0][0]);

    public static System.Text.Json.JsonElement Json(AmxCli.Result r)
    {
        try { return System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement.Clone(); }
        catch (System.Text.Json.JsonException e) { throw new AssertionException($"not json ({e.Message}):\n{r}"); }
    }

    /// <summary>Another user in an existing home (same config): concurrent teammates.</summary>
    public AmxCli Teammate(AmxCli home, string user)
    {
        var amx = new AmxCli(user, home.Home);
        foreach (var (k, v) in home.Env) amx.Env[k] = v;
        return amx;
    }

    void Configure(AmxCli amx)
    {
        Ok(amx.Run(AddProfileArgs(Profile, AdminUserName, PasswordVar)));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        Ok(amx.Run("history-store", "enable", "--profile", Profile, "--schema", HistorySchema, "--yes"));
    }

    public abstract string[] AddProfileArgs(string name, string user, string passwordVar);
    protected abstract string AdminUserName { get; }

    public static AmxCli.Result Ok(AmxCli.Result r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return r;
    }

    public static string RunIdOf(AmxCli.Result r) =>
        RunIdPattern().Match(r.Stdout + r.Stderr) is { Success: true } m ? m.Value : throw new AssertionException("no run id in:\n" + r);

    [GeneratedRegex(@"run_\d{4}-\d\d-\d\d_\d\d-\d\d-\d{3}")]
    private static partial Regex RunIdPattern();

    // ---- SQL on the server (admin) ----
    public abstract DbConnection Open();

    public async Task ExecAsync(string sql)
    {
        await using var conn = Open();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var conn = Open();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await r.ReadAsync())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public string Results => $"{HistorySchema}.amx_history_results";
    public string Runs => $"{HistorySchema}.amx_history_runs";

    /// <summary>A literal for hand-written test SQL (texts here never contain backslashes).</summary>
    public static string Lit(string? s) => s is null ? "NULL" : "'" + s.Replace("'", "''") + "'";

    /// <summary>Creates <c>table</c> with an id and the given text columns.</summary>
    public Task CreateTableAsync(string table, IEnumerable<string> columns) =>
        ExecAsync($"CREATE TABLE {Schema}.{table} (id int PRIMARY KEY{string.Concat(columns.Select(c => $", {c} varchar(200)"))})");

    public abstract Task SetColumnCommentAsync(string table, string column, string? comment);

    /// <summary>Live comments through the admin connection: qname → comment (null = none).</summary>
    public abstract Task<Dictionary<string, string?>> LiveCommentsAsync(string? table = null);

    /// <summary>The comment's UTF-8 bytes as hex, read by the database's own command-line client; "NULL" when none.</summary>
    public abstract string ClientCommentHex(string table, string? column);

    public static string Hex(string? s) => s is null ? "NULL" : Convert.ToHexString(Encoding.UTF8.GetBytes(s));

    protected static string RunClient(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"{file} failed: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs SQL text (several statements) through the database's own client.</summary>
    public abstract string ClientScript(string sql);

    /// <summary>A role/user that can read everything but comment only on <paramref name="allowedTable"/>.</summary>
    public abstract Task<(string User, string Password)> CreateLimitedUserAsync(string allowedTable, string deniedTable);

    /// <summary>Gives the limited user the right to comment on <paramref name="table"/>.</summary>
    public abstract Task GrantCommentAsync(string user, string table);

    /// <summary>
    /// SQL to take, count the waiters of, and release the apply lock of one target, as ApplyService keys it
    /// ("warehouse identity|qname"); <paramref name="session"/> is the admin session that will hold it.
    /// </summary>
    public abstract Task<(string Take, string CountWaiters, string Release)> TargetLockSqlAsync(DbConnection session, string qname);

    protected static long TargetLockKey(string warehouseId, string qname) =>
        Amx.Data.History.Providers.HistoryProvider.LockKey($"{warehouseId}|{qname}");
}

sealed class PgWarehouse : WarehouseWorld
{
    PostgresServer _pg = null!;
    string _db = "";
    public override string BackendName => "postgresql";
    protected override string AdminPassword => _pg.AdminPassword;
    protected override string AdminUserName => _pg.AdminUser;

    public static async Task<PgWarehouse> CreatePgAsync()
    {
        var w = new PgWarehouse { _pg = await TestServers.Postgres() };
        w._db = await w._pg.CreateDatabaseAsync("applyt");
        w.Schema = "wh";
        w.HistorySchema = "amxh";
        await w.ExecAsync("CREATE SCHEMA wh");
        return w;
    }

    public override string[] AddProfileArgs(string name, string user, string passwordVar) =>
        ["add-db-profile", name, "--backend", "postgresql", "--host", "127.0.0.1", "--port", _pg.Port.ToString(),
         "--database", _db, "--user", user, "--password-env", passwordVar];

    public override DbConnection Open() => new NpgsqlConnection(_pg.ConnectionString(_db));

    public override Task SetColumnCommentAsync(string table, string column, string? comment) =>
        ExecAsync($"COMMENT ON COLUMN {Schema}.{table}.{column} IS {Lit(comment)}");

    public override Task SetTableCommentAsync(string table, string? comment) =>
        ExecAsync($"COMMENT ON TABLE {Schema}.{table} IS {Lit(comment)}");

    public override async Task<Dictionary<string, string?>> LiveCommentsAsync(string? table = null)
    {
        var rows = await QueryAsync($"""
            SELECT n.nspname || '.' || c.relname || coalesce('.' || a.attname, ''), d.description
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = coalesce(a.attnum, 0)
            WHERE n.nspname = '{Schema}' AND c.relkind = 'r' {(table is null ? "" : $"AND c.relname = '{table}'")}
            UNION ALL
            SELECT n.nspname || '.' || c.relname, d.description
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
            WHERE n.nspname = '{Schema}' AND c.relkind = 'r' {(table is null ? "" : $"AND c.relname = '{table}'")}
            """);
        return rows.ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
    }

    Dictionary<string, string> ClientEnv => new() { ["PGPASSWORD"] = _pg.AdminPassword };
    string[] ClientArgs => ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", _pg.Port.ToString(), "-U", _pg.AdminUser, "-d", _db];

    public override string ClientCommentHex(string table, string? column)
    {
        var sql = column is null
            ? $"SELECT coalesce(encode(convert_to(obj_description('{Schema}.{table}'::regclass, 'pg_class'), 'UTF8'), 'hex'), 'NULL')"
            : $"SELECT coalesce(encode(convert_to(col_description('{Schema}.{table}'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = '{Schema}.{table}'::regclass AND attname = '{column}')), 'UTF8'), 'hex'), 'NULL')";
        return RunClient("psql", [.. ClientArgs, "-At", "-c", sql], ClientEnv).Trim().ToUpperInvariant() is var h && h == "NULL" ? "NULL" : h;
    }

    public override string ClientScript(string sql)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, sql);
        try { return RunClient("psql", [.. ClientArgs, "-f", file], ClientEnv); }
        finally { File.Delete(file); }
    }

    public override async Task<(string User, string Password)> CreateLimitedUserAsync(string allowedTable, string deniedTable)
    {
        var user = "member_" + Guid.NewGuid().ToString("N")[..8];
        var other = "owner_" + Guid.NewGuid().ToString("N")[..8];
        await ExecAsync($"""
            CREATE ROLE {user} LOGIN PASSWORD 'member-pw'; CREATE ROLE {other};
            GRANT USAGE ON SCHEMA {Schema} TO {user}; GRANT SELECT ON ALL TABLES IN SCHEMA {Schema} TO {user};
            ALTER TABLE {Schema}.{allowedTable} OWNER TO {user}; ALTER TABLE {Schema}.{deniedTable} OWNER TO {other};
            """);
        return (user, "member-pw");
    }

    public override Task GrantCommentAsync(string user, string table) => ExecAsync($"ALTER TABLE {Schema}.{table} OWNER TO {user}");

    public override async Task<(string, string, string)> TargetLockSqlAsync(DbConnection session, string qname)
    {
        var key = TargetLockKey(await new Amx.Data.Warehouse.Postgres.PostgresServerInfoReader().IdentityAsync(session), qname);
        // A session lock conflicts with the transaction-level pg_advisory_xact_lock apply takes on the same key.
        var objid = $"(({key}::bigint >> 32) & 4294967295) = classid::bigint AND ({key}::bigint & 4294967295) = objid::bigint";
        return ($"SELECT count(pg_advisory_lock({key}))",
                $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND {objid}",
                $"SELECT count(pg_advisory_unlock({key}))");
    }
}

sealed class MariaWarehouse : WarehouseWorld
{
    MariaDbServer _my = null!;
    public override string BackendName => "mariadb";
    protected override string AdminPassword => _my.AdminPassword;
    protected override string AdminUserName => _my.AdminUser;

    public static async Task<MariaWarehouse> CreateMariaAsync()
    {
        var w = new MariaWarehouse { _my = await TestServers.MariaDb() };
        w.Schema = await w._my.CreateDatabaseAsync("applyt");
        w.HistorySchema = "amxh_" + Guid.NewGuid().ToString("N")[..12];
        return w;
    }

    public override string[] AddProfileArgs(string name, string user, string passwordVar) =>
        ["add-db-profile", name, "--backend", "mariadb", "--host", "127.0.0.1", "--port", _my.Port.ToString(),
         "--database", Schema, "--user", user, "--password-env", passwordVar];

    public override DbConnection Open() => new MySqlConnection(_my.ConnectionString(Schema));

    public override Task SetColumnCommentAsync(string table, string column, string? comment) =>
        ExecAsync($"ALTER TABLE {Schema}.{table} MODIFY {column} varchar(200) COMMENT {Lit(comment ?? "")}");

    public override Task SetTableCommentAsync(string table, string? comment) =>
        ExecAsync($"ALTER TABLE {Schema}.{table} COMMENT = {Lit(comment ?? "")}");

    public override async Task<Dictionary<string, string?>> LiveCommentsAsync(string? table = null)
    {
        var filter = table is null ? "" : $" AND TABLE_NAME = '{table}'";
        var rows = await QueryAsync($"""
            SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, '.', COLUMN_NAME), COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{Schema}'{filter}
            UNION ALL
            SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{Schema}'{filter}
            """);
        return rows.ToDictionary(r => (string)r[0]!, r => r[1] is string s && s.Length > 0 ? s : null);
    }

    string[] ClientArgs => ["--no-defaults", "-h", "127.0.0.1", "-P", _my.Port.ToString(), "-u", _my.AdminUser, $"-p{_my.AdminPassword}", "--default-character-set=utf8mb4"];

    public override string ClientCommentHex(string table, string? column)
    {
        var sql = column is null
            ? $"SELECT HEX(TABLE_COMMENT) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{Schema}' AND TABLE_NAME = '{table}'"
            : $"SELECT HEX(COLUMN_COMMENT) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{Schema}' AND TABLE_NAME = '{table}' AND COLUMN_NAME = '{column}'";
        var hex = RunClient("mariadb", [.. ClientArgs, "-N", "-B", "-e", sql]).Trim();
        return hex.Length == 0 ? "NULL" : hex; // MariaDB has no "no comment" apart from the empty one
    }

    public override string ClientScript(string sql)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, sql);
        try { return RunClient("mariadb", [.. ClientArgs, Schema, "-e", $"source {file}"]); }
        finally { File.Delete(file); }
    }

    public override async Task<(string User, string Password)> CreateLimitedUserAsync(string allowedTable, string deniedTable)
    {
        var user = "member_" + Guid.NewGuid().ToString("N")[..8];
        // Both hosts: an anonymous ''@'localhost' account would otherwise win over '{user}'@'%' for local connections.
        foreach (var host in Hosts)
            await ExecAsync($"""
                CREATE USER '{user}'@'{host}' IDENTIFIED BY 'member-pw';
                GRANT SELECT, CREATE TEMPORARY TABLES ON `{Schema}`.* TO '{user}'@'{host}';
                GRANT ALTER ON `{Schema}`.`{allowedTable}` TO '{user}'@'{host}';
                """);
        return (user, "member-pw");
    }

    static readonly string[] Hosts = ["%", "localhost"];

    public override async Task GrantCommentAsync(string user, string table)
    {
        foreach (var host in Hosts) await ExecAsync($"GRANT ALTER ON `{Schema}`.`{table}` TO '{user}'@'{host}'");
    }

    public override async Task<(string, string, string)> TargetLockSqlAsync(DbConnection session, string qname)
    {
        var id = await new Amx.Data.Warehouse.MySql.MySqlServerInfoReader("mariadb").IdentityAsync(session);
        var name = "amx_target:" + TargetLockKey(id, qname).ToString("x16");
        // A waiting GET_LOCK shows in the process list with the lock's name in its statement.
        return ($"SELECT GET_LOCK('{name}', 10)",
                $"SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE '%GET_LOCK(%{name}%'",
                $"SELECT RELEASE_LOCK('{name}')");
    }
}
