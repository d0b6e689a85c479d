using System.Text.Json;
using Amx.Data.History.Scripts;
using Amx.TestSupport;
using Amx.TestSupport.FakeCloudWarehouses;
using Amx.Tool.Tests.Apply;
using Amx.Tool.Tests.History;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// The team's history store hosted on Snowflake, through the real tool and the loopback fake SQL API. The fake runs
/// the store's statements on a real PostgreSQL database (FakeStoreTables), so amx's DDL, MERGEs, reads and updates are
/// executed by a real engine; what it cannot show is said there and in docs/history-store.md. PostgreSQL enforces the
/// keys Snowflake only records, so the tests drop them and check that amx's MERGEs keep run ids and migrations unique.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class SnowflakeHistoryStoreTests
{
    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    sealed record Host(FakeSnowflake Fake, PostgresServer Pg, string Database) : IAsyncDisposable
    {
        public Task<List<string>> Strings(string sql) => HistoryTestSupport.PgStrings(Pg, Database, sql);
        public Task Exec(string sql) => Pg.ExecuteAsync(sql, Database);
        public ValueTask DisposeAsync() => Fake.DisposeAsync();

        /// <summary>Snowflake records PRIMARY KEY without enforcing it: the stand-in drops what amx's DDL declared.</summary>
        public Task DropKeys(string schema) => Exec(
            $"ALTER TABLE {schema}.amx_history_runs DROP CONSTRAINT pk_amx_history_runs; " +
            $"ALTER TABLE {schema}.amx_history_results DROP CONSTRAINT pk_amx_history_results; " +
            $"ALTER TABLE {schema}.amx_history_migrations DROP CONSTRAINT pk_amx_history_migrations;");
    }

    static async Task<Host> HostAsync()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("sfstore");
        var fake = SnowflakeFixture.Create();
        fake.StoreTables = new FakeStoreTables(pg.ConnectionString(db));
        return new Host(fake, pg, db);
    }

    static AmxCli NewCli(FakeSnowflake fake, string user = "alice")
    {
        var amx = new AmxCli(user);
        amx.Env["SF_KEY"] = fake.PrivateKeyPem;
        Ok(amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "fakeacct.snowflakecomputing.com", "--database", "ANALYTICS",
            "--warehouse", "COMPUTE_WH", "--role", "AMX_WRITER", "--user", "amx_bot", "--secret-env", "SF_KEY", "--base-url", fake.BaseUrl));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    [Test]
    public async Task The_team_store_on_Snowflake_records_run_review_and_apply_and_a_teammate_reads_them()
    {
        await using var host = await HostAsync();
        using var alice = NewCli(host.Fake);
        // A run drafted before the team store existed, in Alice's local file: copied over after enabling.
        var localRun = WarehouseWorld.RunIdOf(Ok(alice.Run("run", "OPS")));
        var enable = Ok(alice.Run("history-store", "enable", "--profile", "sf", "--yes"));
        Assert.That(enable.Stdout, Does.Contain("Snowflake").And.Contain("CREATE TABLE IF NOT EXISTS AMX.amx_history_locks"), "the DDL shown is Snowflake's");
        Assert.That(enable.Stdout, Does.Contain("applied " + string.Join(", ", DialectScript.ModelMigrations)));
        Assert.That(await host.Strings("SELECT table_name FROM information_schema.tables WHERE table_schema = 'amx' ORDER BY 1"),
            Is.EqualTo(new[] { "amx_history_locks", "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
        Assert.That(await host.Strings("SELECT data_type FROM information_schema.columns WHERE table_schema = 'amx' AND table_name = 'amx_history_runs' AND column_name = 'started_at'"),
            Is.EqualTo(new[] { "timestamp with time zone" }), "TIMESTAMP_TZ, as SnowflakeScript declares");
        await host.DropKeys("amx");

        var again = Ok(alice.Run("history-store", "enable", "--profile", "sf", "--yes"));
        Assert.That(again.Stdout + again.Stderr, Does.Contain("nothing to create"));
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_migrations"), Is.EqualTo(new[] { "3" }), "a second enable records nothing twice");
        Assert.That(Ok(alice.Run("history-store")).Stdout, Does.Contain("snowflake"));

        Ok(alice.Run("history-store", "migrate"));
        Assert.That(await host.Strings($"SELECT count(*)::text FROM amx.amx_history_results WHERE run_id = '{localRun}'"), Is.Not.EqualTo(new[] { "0" }),
            "the local run's results were copied");

        var runId = WarehouseWorld.RunIdOf(Ok(alice.Run("run", "SALES")));
        var drafted = int.Parse((await host.Strings($"SELECT count(*)::text FROM amx.amx_history_results WHERE run_id = '{runId}'"))[0]);
        Assert.That(drafted, Is.EqualTo(11), "3 tables and views + 8 columns of SALES");
        Assert.That(await host.Strings($"SELECT state || '/' || ok_count FROM amx.amx_history_runs WHERE run_id = '{runId}'"), Is.EqualTo(new[] { "drafted/11" }));
        Ok(alice.Run("review", runId, "--accept", "all"));
        var applied = Json(alice.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.EqualTo(11), applied.ToString());
        Assert.That(host.Fake.Find("SALES", "CUSTOMER")!.Columns.Single(c => c.Name == "NAME").Comment, Is.Not.Null.And.Not.Empty, "the comment is on the warehouse");
        Assert.That(await host.Strings($"SELECT count(*)::text FROM amx.amx_history_results WHERE run_id = '{runId}' AND applied AND apply_status = 'applied' AND applied_by = 'alice' AND applied_at > now() - interval '10 minutes'"),
            Is.EqualTo(new[] { "11" }), "the audit rows say who applied what, and when");
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_locks"), Is.EqualTo(new[] { "0" }), "the run claim and the apply lease are released");

        // Bob joins the same store and sees Alice's run, its hash and that nothing is left to apply.
        using var bob = NewCli(host.Fake, "bob");
        Ok(bob.Run("history-store", "enable", "--profile", "sf", "--yes"));
        var list = Json(bob.Run("history", "list", "--output", "json"));
        var run = list.EnumerateArray().Single(r => r.GetProperty("run_id").GetString() == runId);
        Assert.That(run.GetProperty("who").GetString(), Is.EqualTo("alice"));
        Assert.That(Ok(bob.Run("history", "show", runId, "--hash-only")).Stdout.Trim(), Is.EqualTo(Ok(alice.Run("history", "show", runId, "--hash-only")).Stdout.Trim()));
        var second = Ok(bob.Run("apply", runId, "--yes"));
        Assert.That(second.Stdout + second.Stderr, Does.Contain("Nothing to apply"));

        // No secret in any stored row: the key and the JWTs the fake saw.
        var keyBody = host.Fake.PrivateKeyPem.Split('\n')[1];
        var rows = string.Join("\n", await host.Strings("SELECT concat_ws('|', r.*) FROM amx.amx_history_runs r") ) +
                   string.Join("\n", await host.Strings("SELECT concat_ws('|', x.*) FROM amx.amx_history_results x"));
        Assert.That(rows, Does.Not.Contain(keyBody).And.Not.Contain("BEGIN PRIVATE KEY"));
        foreach (var jwt in host.Fake.Requests.Select(r => r.Headers.GetValueOrDefault("Authorization") ?? "").Where(a => a.Length > 20).Distinct())
            Assert.That(rows, Does.Not.Contain(jwt["Bearer ".Length..]));
    }

    [Test]
    public async Task Run_ids_and_migrations_stay_unique_without_enforced_keys()
    {
        await using var host = await HostAsync();
        using var amx = NewCli(host.Fake);
        Ok(amx.Run("history-store", "enable", "--profile", "sf", "--yes"));
        await host.DropKeys("amx");
        var store = await amx.OpenHistoryAsync();
        var started = new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            store.StartRunAsync(new Amx.Data.History.Model.HistoryRun { Who = "alice", StartedAt = started, Scope = "SALES", State = "running" }))));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(12), string.Join(", ", ids));
        Assert.That(await host.Strings("SELECT count(*) || '/' || count(DISTINCT run_id) FROM amx.amx_history_runs"), Is.EqualTo(new[] { "12/12" }));
        Assert.That(ids.Order(), Is.EqualTo(Enumerable.Range(1, 12).Select(n => $"run_2026-11-29_10-00-{n:D3}")), "numbered 1…12 for the day");

        // Two more enables at once (another teammate, a CI job): nothing is recorded twice.
        using var bob = NewCli(host.Fake, "bob");
        using var carol = NewCli(host.Fake, "carol");
        var enables = await Task.WhenAll(new[] { bob, carol }.Select(c => Task.Run(() => c.Run("history-store", "enable", "--profile", "sf", "--yes"))));
        foreach (var e in enables) Ok(e);
        Assert.That(await host.Strings("SELECT migration_id FROM amx.amx_history_migrations ORDER BY 1"), Is.EqualTo(DialectScript.ModelMigrations));
    }

    [Test]
    public async Task A_run_claim_is_exclusive_lapses_when_its_holder_died_and_is_released_on_dispose()
    {
        await using var host = await HostAsync();
        using var amx = NewCli(host.Fake);
        Ok(amx.Run("history-store", "enable", "--profile", "sf", "--yes"));
        var store = await amx.OpenHistoryAsync();

        var first = await store.TryLockRunAsync("run_x");
        Assert.That(first, Is.Not.Null);
        Assert.That(await store.TryLockRunAsync("run_x"), Is.Null, "a second applier of the same run is refused");
        var other = await store.TryLockRunAsync("run_y");
        Assert.That(other, Is.Not.Null, "another run is not held up");
        await other!.DisposeAsync();
        await first!.DisposeAsync();
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_locks"), Is.EqualTo(new[] { "0" }));

        // A killed applier leaves its row behind; once its lease has run out, the next applier takes the run.
        await host.Exec("INSERT INTO amx.amx_history_locks VALUES ('apply_run:run_z', 'gone@host:1', now() + interval '1 hour')");
        Assert.That(await store.TryLockRunAsync("run_z"), Is.Null, "a live claim holds");
        await host.Exec("UPDATE amx.amx_history_locks SET expires_at = now() - interval '1 second'");
        var taken = await store.TryLockRunAsync("run_z");
        Assert.That(taken, Is.Not.Null, "a lapsed claim is cleared and taken");
        Assert.That(await host.Strings("SELECT holder FROM amx.amx_history_locks"), Has.Count.EqualTo(1).And.None.StartWith("gone@"));
        await taken!.DisposeAsync();
    }
}
