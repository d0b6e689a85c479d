using Amx.Data.Config;
using Amx.Data.Warehouse;
using Amx.Tool.Tests.Drafting;
using Microsoft.Data.Sqlite;

namespace Amx.Tool.Tests.Audit;

/// <summary>Issue 14's smaller items (10) and the lock keys (9), through the tool where a user would see them.</summary>
[TestFixture]
public sealed class AuditSmallerTests
{
    [Test]
    public async Task Demo_stays_local_enable_mentions_migrate_and_a_sqlite_review_does_not_suggest_apply()
    {
        await using var world = await DraftingWorld.CreateAsync();
        var storeDb = await world.Pg.CreateDatabaseAsync("audit_demo_store");
        var amx = world.Cli("dora");
        var demo = DraftingWorld.Check(amx, "demo", "--output", "json");
        var localRun = DraftingWorld.Json(demo).GetProperty("run_id").GetString()!;

        var enable = DraftingWorld.Check(amx, "add-db-profile", "store", "--backend", "postgresql", "--host", "127.0.0.1", "--port", world.Pg.Port.ToString(),
            "--database", storeDb, "--user", world.Pg.AdminUser, "--password-env", DraftingWorld.PasswordVar);
        enable = DraftingWorld.Check(amx, "history-store", "enable", "--profile", "store", "--schema", "amx", "--yes");
        Assert.That(enable.Stderr, Does.Contain("holds 1 run").And.Contain("amx history-store migrate"), enable.ToString());

        var again = DraftingWorld.Check(amx, "demo", "--output", "json");
        var demoRun = DraftingWorld.Json(again).GetProperty("run_id").GetString()!;
        Assert.That(await world.Pg.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_runs", storeDb), Is.Zero, "no demo run in the team's store");
        var local = await amx.OpenLocalHistoryAsync();
        Assert.That((await DraftingWorld.RunRow(local, demoRun)).Who, Is.EqualTo("dora"));

        // Reviewing a run of a SQLite warehouse: nothing can be applied there, so apply is not suggested.
        DraftingWorld.Check(amx, "history-store", "disable");
        var review = DraftingWorld.Check(amx, "review", localRun, "--accept", "all");
        Assert.That(review.Stdout, Does.Not.Contain("amx apply"));
        Assert.That(review.Stdout, Does.Contain("SQLite has no comments"));
    }

    [Test]
    public void Demo_with_a_broken_config_creates_nothing()
    {
        using var amx = new AmxCli("erin");
        File.WriteAllText(amx.ConfigPath, "schema_version: 1\ndb_profiles: [this is: not a map\n");
        var r = amx.Run("demo");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.StartWith("error: "));
        Assert.That(File.Exists(Path.Combine(amx.Home, "demo.db")), Is.False);
        Assert.That(File.Exists(Path.Combine(amx.Home, "history.db")), Is.False);
    }

    [Test]
    public void History_list_says_when_a_filter_matches_nothing_and_csv_has_absolute_times()
    {
        using var amx = new AmxCli("fred");
        DraftingWorldFree.Ok(amx.Run("demo"));
        var none = DraftingWorldFree.Ok(amx.Run("history", "list", "--who", "bob"));
        Assert.That(none.Stdout, Does.Contain("No runs match --who bob"));
        Assert.That(none.Stdout, Does.Not.Contain("No runs yet"));

        var csv = DraftingWorldFree.Ok(amx.Run("history", "list", "--output", "csv"));
        Assert.That(csv.Stdout, Does.Not.Contain("ago"));
        Assert.That(csv.Stdout, Does.Match(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"));
    }

    [Test]
    public void The_offline_drafter_does_not_list_a_single_value_or_a_few_timestamps()
    {
        using var amx = new AmxCli("gina");
        var path = Path.Combine(amx.Home, "events.db");
        using (var conn = new SqliteConnection($"Data Source={path}"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE events (id integer PRIMARY KEY, created_at timestamp, status text);
                INSERT INTO events VALUES (1, '2026-11-28 15:49:40', 'open'), (2, '2026-11-28 15:49:40', 'closed');
                """;
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        DraftingWorldFree.Ok(amx.Run("add-db-profile", "ev", "--backend", "sqlite", "--path", path));
        DraftingWorldFree.Ok(amx.Run("add-llm-profile", "offline", "--provider", "offline"));
        var r = DraftingWorldFree.Ok(amx.Run("run", "main", "--profiling-mode", "sampled", "--output", "json"));
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        var show = DraftingWorldFree.Ok(amx.Run("history", "show", runId, "--output", "json"));
        var texts = DraftingWorld.Json(show).GetProperty("results").EnumerateArray()
            .ToDictionary(e => e.GetProperty("target").GetString()!, e => e.GetProperty("description").GetString()!);
        Assert.That(texts["main.events.created_at"], Does.Not.Contain("One of"));
        Assert.That(texts["main.events.status"], Does.Contain("One of: ").And.Contain("open").And.Contain("closed"), "a real code list is still named");
    }

    [Test]
    public async Task Lock_keys_come_from_the_servers_identity_not_from_how_the_profile_spells_it()
    {
        var pg = await TestServers.Postgres();
        var db1 = await pg.CreateDatabaseAsync("ident_a");
        var db2 = await pg.CreateDatabaseAsync("ident_b");
        async Task<string> PgIdentity(string host, string db)
        {
            var profile = new DbProfile { Name = "p", Backend = Backend.PostgreSql, Host = host, Port = pg.Port, Database = db, User = pg.AdminUser, Password = pg.AdminPassword };
            var provider = WarehouseProviders.For(Backend.PostgreSql);
            await using var conn = await provider.OpenAsync(profile);
            return await provider.ServerInfo.IdentityAsync(conn);
        }
        var viaName = await PgIdentity("localhost", db1);
        Assert.That(viaName, Does.Match(@"^postgresql:\d+/" + db1 + "$"), "system identifier + database");
        Assert.That(await PgIdentity("127.0.0.1", db1), Is.EqualTo(viaName));
        Assert.That(await PgIdentity("LOCALHOST", db1), Is.EqualTo(viaName));
        Assert.That(await PgIdentity("127.0.0.1", db2), Is.Not.EqualTo(viaName), "another database is another warehouse");

        var maria = await TestServers.MariaDb();
        async Task<string> MariaIdentity(string host)
        {
            var profile = new DbProfile { Name = "m", Backend = Backend.MariaDb, Host = host, Port = maria.Port, User = maria.AdminUser, Password = maria.AdminPassword };
            var provider = WarehouseProviders.For(Backend.MariaDb);
            await using var conn = await provider.OpenAsync(profile);
            return await provider.ServerInfo.IdentityAsync(conn);
        }
        var m1 = await MariaIdentity("localhost");
        Assert.That(m1, Does.StartWith("mysql:").And.Contain(":" + maria.Port + ":"));
        Assert.That(await MariaIdentity("127.0.0.1"), Is.EqualTo(m1));
    }
}

/// <summary>Checks for tests that need no warehouse server.</summary>
static class DraftingWorldFree
{
    public static AmxCli.Result Ok(AmxCli.Result r)
    {
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        return r;
    }
}
