using Amx.Data.Config;
using Amx.Data.History;
using MySqlConnector;
using Npgsql;

namespace Amx.Tool.Tests.History;

/// <summary>Profiles written straight into an AmxCli home (docs/architecture.md shape, password_env), and the same profile in-process.</summary>
static class HistoryTestSupport
{
    public const string PasswordVar = "AMX_TEST_HISTORY_PW";

    /// <summary>How many EF migrations a freshly enabled store records (the same count for every provider).</summary>
    public static readonly long MigrationCount = typeof(Amx.Data.History.Migrations.Postgres.InitialCreate).Assembly.GetTypes()
        .Count(t => t.Namespace == "Amx.Data.History.Migrations.Postgres" && t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)));

    /// <summary>The newest migration's name, which <c>history-store --output json</c> reports.</summary>
    public const string LatestMigration = "DropResultsRunIdIndex";

    public static void WriteConfig(AmxCli amx, string profileYaml, string? extra = null)
    {
        File.WriteAllText(amx.ConfigPath, "schema_version: 1\ndb_profiles:\n" + profileYaml + (extra ?? ""));
    }

    public static string PgProfile(PostgresServer pg, string db, string name = "shared", string? user = null) =>
        $"  {name}:\n    backend: postgresql\n    host: 127.0.0.1\n    port: {pg.Port}\n    database: {db}\n    user: {user ?? pg.AdminUser}\n    password_env: {PasswordVar}\n";

    public static string MariaProfile(MariaDbServer my, string db, string name = "shared", string? user = null) =>
        $"  {name}:\n    backend: mariadb\n    host: 127.0.0.1\n    port: {my.Port}\n    database: {db}\n    user: {user ?? my.AdminUser}\n    password_env: {PasswordVar}\n";

    /// <summary>A new database on the test PostgreSQL server whose shared store (schema amx) the lead's amx has enabled.</summary>
    public static async Task<(PostgresServer Pg, string Db, AmxCli Lead)> EnabledPgStoreAsync(string prefix = "hist")
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync(prefix);
        var amx = Cli("lead", pg.AdminPassword);
        WriteConfig(amx, PgProfile(pg, db));
        var r = amx.Run("history-store", "enable", "--profile", "shared", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return (pg, db, amx);
    }

    public static AmxCli Cli(string user, string password)
    {
        var amx = new AmxCli(user: user);
        amx.Env[PasswordVar] = password;
        return amx;
    }

    /// <summary>The config and environment an AmxCli home would give amx, for in-process store calls.</summary>
    public static (AmxConfig Config, AmxEnvironment Env) Load(AmxCli amx, string password)
    {
        amx.Env[PasswordVar] = password;
        return (amx.ConfigStore().Load(), amx.AmxEnv);
    }

    public static Task<HistoryStore> OpenAsync(AmxCli amx, string password)
    {
        amx.Env[PasswordVar] = password;
        return amx.OpenHistoryAsync();
    }

    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    public static async Task<List<string>> PgStrings(PostgresServer pg, string db, string sql)
    {
        await using var conn = new NpgsqlConnection(pg.ConnectionString(db));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    public static async Task<List<string>> MyStrings(MariaDbServer my, string sql)
    {
        await using var conn = new MySqlConnection(my.ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }
}
