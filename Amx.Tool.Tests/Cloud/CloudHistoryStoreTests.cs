using System.Text.Json;
using Amx.Data.History.Scripts;
using Amx.TestSupport;
using Amx.TestSupport.FakeCloudWarehouses;
using Amx.Tool.Tests.Apply;
using Amx.Tool.Tests.History;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// The team's history store hosted on Snowflake, Databricks and BigQuery, through the real tool and each loopback fake
/// SQL API. The fakes run the store's statements on a real PostgreSQL database (FakeStoreTables), so amx's DDL, MERGEs,
/// reads and updates are executed by a real engine and answered in each API's wire forms; what that cannot show is said
/// there and in docs/history-store.md. PostgreSQL enforces the keys these engines only record, so the tests drop them
/// and check that amx's MERGEs keep run ids and migrations unique.
/// </summary>
[TestFixture("snowflake"), TestFixture("databricks"), TestFixture("bigquery"), Parallelizable(ParallelScope.Self)]
public sealed class CloudHistoryStoreTests(string backend)
{
    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    /// <summary>One vendor's fake with its store on a fresh PostgreSQL database, and how a member's amx reaches it.</summary>
    sealed class Host : IAsyncDisposable
    {
        public required FakeHttpServer Fake { get; init; }
        public required FakeStoreTables Store { get; init; }
        public required List<FakeCloudTable> Tables { get; init; }
        public required PostgresServer Pg { get; init; }
        public required string Database { get; init; }
        /// <summary>The store's schema as PostgreSQL names it (BigQuery keeps the dataset's case: quoted).</summary>
        public required string Schema { get; init; }
        public required Func<string, AmxCli> NewCli { get; init; }
        /// <summary>Key material and tokens that must be in no stored row.</summary>
        public required Func<IEnumerable<string>> Secrets { get; init; }
        public required string Warehouse { get; init; }
        public string Profile { get; init; } = "wh";
        public Action? Cleanup { get; init; }

        public Task<List<string>> Strings(string sql) => HistoryTestSupport.PgStrings(Pg, Database, sql.Replace("amx.", Schema + "."));
        public Task Exec(string sql) => Pg.ExecuteAsync(sql.Replace("amx.", Schema + "."), Database);
        public async ValueTask DisposeAsync()
        {
            await Fake.DisposeAsync();
            Cleanup?.Invoke();
        }

        /// <summary>These engines record PRIMARY KEY without enforcing it: the stand-in drops what amx's DDL declared.</summary>
        public async Task DropKeys()
        {
            await Exec("DO $$ DECLARE k record; BEGIN FOR k IN SELECT conrelid::regclass AS t, conname FROM pg_constraint " +
                       $"WHERE contype = 'p' AND connamespace = '{Schema}'::regnamespace LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', k.t, k.conname); END LOOP; END $$");
            Assert.That(await Strings($"SELECT count(*)::text FROM pg_constraint WHERE contype = 'p' AND connamespace = '{Schema}'::regnamespace"), Is.EqualTo(new[] { "0" }));
        }

        public string Scope(string schema) => Tables.First(t => t.Schema.Equals(schema, StringComparison.OrdinalIgnoreCase)).Schema;

        /// <summary>Tables, views and columns in a schema: what a run of it drafts.</summary>
        public int Targets(string schema) => Tables.Where(t => t.Schema.Equals(schema, StringComparison.OrdinalIgnoreCase)).Sum(t => 1 + t.Columns.Count);
    }

    async Task<Host> HostAsync()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("cloudstore");
        var cs = pg.ConnectionString(db);
        switch (backend)
        {
            case "snowflake":
            {
                var fake = SnowflakeFixture.Create();
                fake.StoreTables = new FakeStoreTables(cs, FakeStoreTables.Snowflake);
                return new Host
                {
                    Fake = fake, Store = fake.StoreTables, Tables = fake.Tables, Pg = pg, Database = db, Schema = "amx", Warehouse = "snowflake",
                    NewCli = user =>
                    {
                        var amx = new AmxCli(user);
                        amx.Env["SF_KEY"] = fake.PrivateKeyPem;
                        Ok(amx.Run("add-db-profile", "wh", "--backend", "snowflake", "--host", "fakeacct.snowflakecomputing.com", "--database", "ANALYTICS",
                            "--warehouse", "COMPUTE_WH", "--role", "AMX_WRITER", "--user", "amx_bot", "--secret-env", "SF_KEY", "--base-url", fake.BaseUrl));
                        return amx;
                    },
                    Secrets = () => [fake.PrivateKeyPem.Split('\n')[1], .. Bearers(fake)],
                };
            }
            case "databricks":
            {
                var fake = DatabricksTests.Create();
                fake.StoreTables = new FakeStoreTables(cs, FakeStoreTables.Databricks);
                return new Host
                {
                    Fake = fake, Store = fake.StoreTables, Tables = fake.Tables, Pg = pg, Database = db, Schema = "amx", Warehouse = "databricks",
                    NewCli = user =>
                    {
                        var amx = new AmxCli(user);
                        amx.Env["DBX_TOKEN"] = fake.Token;
                        Ok(amx.Run("add-db-profile", "wh", "--backend", "databricks", "--host", "dbc-1.cloud.databricks.com", "--http-path",
                            "/sql/1.0/warehouses/" + fake.WarehouseId, "--database", "main", "--secret-env", "DBX_TOKEN", "--base-url", fake.BaseUrl));
                        return amx;
                    },
                    Secrets = () => [fake.Token],
                };
            }
            default:
            {
                var fake = BigQueryTests.Create();
                fake.StoreTables = new FakeStoreTables(cs, FakeStoreTables.BigQuery);
                // This fixture's own key file: BigQueryTests deletes its files when it finishes, maybe before these tests do.
                var keyFile = Path.Combine(Path.GetTempPath(), $"amx-bq-store-key-{Guid.NewGuid():N}.json");
                File.WriteAllText(keyFile, fake.KeyJson());
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                return new Host
                {
                    Fake = fake, Store = fake.StoreTables, Tables = fake.Tables, Pg = pg, Database = db, Schema = "\"AMX\"", Warehouse = "bigquery", Profile = "bq",
                    NewCli = user =>
                    {
                        var amx = new AmxCli(user);
                        amx.Env["BQ_KEY"] = keyFile;
                        Ok(amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", fake.Project, "--location", "US",
                            "--secret-env", "BQ_KEY", "--base-url", fake.BaseUrl));
                        return amx;
                    },
                    Cleanup = () => File.Delete(keyFile),
                    Secrets = () => [fake.PrivateKeyPem.Split('\n')[1], .. fake.IssuedTokens],
                };
            }
        }
    }

    static IEnumerable<string> Bearers(FakeHttpServer fake) =>
        fake.Requests.Select(r => r.Headers.GetValueOrDefault("Authorization") ?? "").Where(a => a.Length > 27).Select(a => a["Bearer ".Length..]).Distinct();

    static AmxCli Member(Host host, string user = "alice")
    {
        var amx = host.NewCli(user);
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    [Test]
    public async Task The_team_store_records_run_review_and_apply_and_a_teammate_reads_them()
    {
        await using var host = await HostAsync();
        using var alice = Member(host);
        var script = DialectScript.ByBackend[backend]();
        var schema = script.EffectiveSchema(null);
        // A run drafted before the team store existed, in Alice's local file: copied over after enabling.
        var localRun = WarehouseWorld.RunIdOf(Ok(alice.Run("run", host.Scope("ops"))));
        var dry = Ok(alice.Run("history-store", "enable", "--profile", host.Profile, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain("CREATE TABLE IF NOT EXISTS " + script.QualifiedTable(schema, "amx_history_runs")));
        Assert.That(await host.Strings("SELECT count(*)::text FROM information_schema.tables WHERE table_name LIKE 'amx_history%'"), Is.EqualTo(new[] { "0" }),
            "a dry run creates nothing");
        var enable = Ok(alice.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
        Assert.That(enable.Stdout, Does.Contain("CREATE TABLE IF NOT EXISTS " + script.QualifiedTable(schema, "amx_history_locks")), "the DDL shown is the backend's");
        Assert.That(enable.Stdout, Does.Contain("applied " + string.Join(", ", DialectScript.ModelMigrations)));
        Assert.That(await host.Strings($"SELECT table_name::text FROM information_schema.tables WHERE table_schema = '{host.Schema.Trim('"')}' ORDER BY 1"),
            Is.EqualTo(new[] { "amx_history_locks", "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
        await host.DropKeys();

        var again = Ok(alice.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
        Assert.That(again.Stdout + again.Stderr, Does.Contain("nothing to create"));
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_migrations"), Is.EqualTo(new[] { "3" }), "a second enable records nothing twice");
        Assert.That(Ok(alice.Run("history-store")).Stdout, Does.Contain(host.Warehouse));

        Ok(alice.Run("history-store", "migrate"));
        Assert.That(await host.Strings($"SELECT count(*)::text FROM amx.amx_history_results WHERE run_id = '{localRun}'"),
            Is.EqualTo(new[] { host.Targets("ops").ToString() }), "the local run's results were copied");

        var runId = WarehouseWorld.RunIdOf(Ok(alice.Run("run", host.Scope("sales"))));
        var targets = host.Targets("sales");
        Assert.That(await host.Strings($"SELECT state || '/' || ok_count FROM amx.amx_history_runs WHERE run_id = '{runId}'"), Is.EqualTo(new[] { $"drafted/{targets}" }));
        Ok(alice.Run("review", runId, "--accept", "all"));
        var applied = Json(alice.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.EqualTo(targets), applied.ToString());
        var customer = host.Tables.Single(t => t.Schema == host.Scope("sales") && t.Name.Equals("customer", StringComparison.OrdinalIgnoreCase));
        Assert.That(customer.Columns.Single(c => c.Name.Equals("name", StringComparison.OrdinalIgnoreCase)).Comment, Is.Not.Null.And.Not.Empty, "the comment is on the warehouse");
        Assert.That(await host.Strings($"SELECT count(*)::text FROM amx.amx_history_results WHERE run_id = '{runId}' AND applied AND apply_status = 'applied' " +
                                       "AND applied_by = 'alice' AND applied_at BETWEEN now() - interval '10 minutes' AND now() + interval '1 minute'"),
            Is.EqualTo(new[] { targets.ToString() }), "the audit rows say who applied what, and when (in UTC)");
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_locks"), Is.EqualTo(new[] { "0" }), "the run claim and the apply lease are released");

        // Bob joins the same store and sees Alice's run, its hash and that nothing is left to apply.
        using var bob = Member(host, "bob");
        Ok(bob.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
        var run = Json(bob.Run("history", "list", "--output", "json")).EnumerateArray().Single(r => r.GetProperty("run_id").GetString() == runId);
        Assert.That(run.GetProperty("who").GetString(), Is.EqualTo("alice"));
        Assert.That(Ok(bob.Run("history", "show", runId, "--hash-only")).Stdout.Trim(), Is.EqualTo(Ok(alice.Run("history", "show", runId, "--hash-only")).Stdout.Trim()));
        var second = Ok(bob.Run("apply", runId, "--yes"));
        Assert.That(second.Stdout + second.Stderr, Does.Contain("Nothing to apply"));

        var rows = string.Join("\n", await host.Strings("SELECT concat_ws('|', r.*) FROM amx.amx_history_runs r")) +
                   string.Join("\n", await host.Strings("SELECT concat_ws('|', x.*) FROM amx.amx_history_results x"));
        var secrets = host.Secrets().ToList();
        Assert.That(secrets, Is.Not.Empty);
        foreach (var secret in secrets) Assert.That(rows, Does.Not.Contain(secret), "no key or token in any stored row");
    }

    [Test]
    public async Task Run_ids_and_migrations_stay_unique_without_enforced_keys()
    {
        await using var host = await HostAsync();
        using var amx = Member(host);
        Ok(amx.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
        await host.DropKeys();
        // Delta commits optimistically: some MERGEs lose the race and are retried.
        if (host.Fake is FakeDatabricks dbx) dbx.ConcurrentMergeFailures = 4;
        var store = await amx.OpenHistoryAsync();
        var started = new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            store.StartRunAsync(new Amx.Data.History.Model.HistoryRun { Who = "alice", StartedAt = started, Scope = host.Scope("sales"), State = "running" }))));
        Assert.That(ids.Order(), Is.EqualTo(Enumerable.Range(1, 12).Select(n => $"run_2026-11-29_10-00-{n:D3}")), "numbered 1…12 for the day, none twice");
        Assert.That(await host.Strings("SELECT count(*) || '/' || count(DISTINCT run_id) FROM amx.amx_history_runs"), Is.EqualTo(new[] { "12/12" }));
        if (host.Fake is FakeDatabricks spent) Assert.That(spent.ConcurrentMergeFailures, Is.Zero, "the lost races happened and were retried");

        // Two more enables at once (another teammate, a CI job): nothing is recorded twice.
        using var bob = Member(host, "bob");
        using var carol = Member(host, "carol");
        var enables = await Task.WhenAll(new[] { bob, carol }.Select(c => Task.Run(() => c.Run("history-store", "enable", "--profile", host.Profile, "--yes"))));
        foreach (var e in enables) Ok(e);
        Assert.That(await host.Strings("SELECT migration_id::text FROM amx.amx_history_migrations ORDER BY 1"), Is.EqualTo(DialectScript.ModelMigrations));
    }

    [Test]
    public async Task A_run_claim_is_exclusive_lapses_when_its_holder_died_and_is_released_on_dispose()
    {
        await using var host = await HostAsync();
        using var amx = Member(host);
        Ok(amx.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
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
        Assert.That(await host.Strings("SELECT holder::text FROM amx.amx_history_locks"), Has.Count.EqualTo(1).And.None.StartWith("gone@"));
        await taken!.DisposeAsync();
    }

    [Test]
    public async Task A_member_who_may_not_write_is_told_the_grant_and_nothing_is_recorded()
    {
        await using var host = await HostAsync();
        using var lead = Member(host);
        Ok(lead.Run("history-store", "enable", "--profile", host.Profile, "--yes"));
        host.Store.DenyWrites = true;
        using var member = Member(host, "bob");
        var joined = member.Run("history-store", "enable", "--profile", host.Profile, "--yes");
        Assert.That(joined.ExitCode, Is.EqualTo(1), joined.ToString());
        var grant = backend switch
        {
            "snowflake" => "GRANT SELECT, INSERT, UPDATE ON TABLE AMX.amx_history_runs TO ROLE",
            "databricks" => "GRANT SELECT, MODIFY ON TABLE `amx`.amx_history_runs TO",
            _ => "GRANT `roles/bigquery.dataEditor` ON SCHEMA `AMX` TO",
        };
        Assert.That(joined.Stderr, Does.Contain("cannot write to").And.Contain("amx_history_runs").And.Contain("ask a DBA to run: " ).And.Contain(grant));
        Assert.That(await host.Strings("SELECT count(*)::text FROM amx.amx_history_runs"), Is.EqualTo(new[] { "0" }), "nothing was written");
    }
}
