using System.Text.Json;
using System.Text.RegularExpressions;
using Amx.Data.History;
using Amx.Data.History.Providers;
using Amx.Data.History.Scripts;
using Amx.Tool.Tests.Apply;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// The team's history store hosted on Redshift, through the real tool against the Redshift-shaped database on the real
/// PostgreSQL server. What the stand-in cannot show is emulated and said: PostgreSQL does not parse DISTKEY/SORTKEY,
/// so the results table is made by the test from amx's own DDL without them (amx creates the other tables itself);
/// PostgreSQL enforces keys and Redshift does not, so the tests drop the keys amx created and check that amx's own
/// locking keeps run ids and migration rows unique without them.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class RedshiftHistoryStoreTests
{
    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    /// <summary>The stub warehouse plus amx's results table for each schema (<see cref="CreateResultsTableAsync"/>).</summary>
    static async Task<RedshiftStubDatabase> StoreDatabaseAsync(params string[] schemas)
    {
        var db = await RedshiftStubDatabase.CreateAsync(RedshiftWarehouseTests.Ddl);
        foreach (var schema in schemas) await CreateResultsTableAsync(db, schema);
        return db;
    }

    /// <summary>amx's results table for <paramref name="schema"/> as Redshift would hold it, less its Redshift-only clauses and its key.</summary>
    internal static async Task CreateResultsTableAsync(RedshiftStubDatabase db, string schema)
    {
        var results = new RedshiftScript().TableStatements(schema).Single(t => t.Table == "amx_history_results").Sql;
        Assert.That(results, Does.Contain("DISTKEY (run_id)").And.Contain("SORTKEY (run_id, target_qname)"), "the DDL amx runs on Redshift");
        var portable = Regex.Replace(results, @",\n\s*CONSTRAINT [^\n]*|\n(DISTKEY|SORTKEY) [^\n]*", "");
        await db.ExecAsync($"CREATE SCHEMA {schema}; {portable};");
    }

    static AmxCli NewCli(RedshiftStubDatabase db, string user = "alice")
    {
        var amx = new AmxCli(user);
        amx.Env[RedshiftStubDatabase.PasswordVar] = db.Server.AdminPassword;
        Ok(amx.Run(db.AddProfileArgs("rs")));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    /// <summary>Redshift accepts PRIMARY KEY but does not enforce it: so the stand-in drops what amx created.</summary>
    static Task DropKeysAsync(RedshiftStubDatabase db, string schema) => db.ExecAsync(
        $"ALTER TABLE {schema}.amx_history_runs DROP CONSTRAINT pk_amx_history_runs; " +
        $"ALTER TABLE {schema}.amx_history_migrations DROP CONSTRAINT pk_amx_history_migrations;");

    static async Task<List<string>> StringsAsync(RedshiftStubDatabase db, string sql)
    {
        await using var conn = db.Open();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return list;
    }

    [Test]
    public async Task The_team_store_on_Redshift_records_run_review_and_apply_and_a_teammate_reads_them()
    {
        var db = await StoreDatabaseAsync("amx");
        using var alice = NewCli(db);
        // A run drafted before the team store existed, in Alice's local file: copied over after enabling.
        var localRun = WarehouseWorld.RunIdOf(Ok(alice.Run("run", "sales.empty_table")));
        var enable = Ok(alice.Run("history-store", "enable", "--profile", "rs", "--yes"));
        Assert.That(enable.Stdout, Does.Contain("Amazon Redshift").And.Contain("CREATE TABLE IF NOT EXISTS amx.amx_history_locks"), "the DDL shown is Redshift's");
        Assert.That(enable.Stdout, Does.Contain("applied 20261126113651_InitialCreate, 20261128171150_RunKindRevertResultMetadata, 20261129081150_DropResultsRunIdIndex"));
        await DropKeysAsync(db, "amx");
        Assert.That(await StringsAsync(db, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'amx' AND relkind = 'r' ORDER BY 1"),
            Is.EqualTo(new[] { "amx_history_locks", "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
        Assert.That(await StringsAsync(db, "SELECT migration_id FROM amx.amx_history_migrations ORDER BY 1"), Is.EqualTo(RedshiftHistoryProvider.Migrations));

        var again = Ok(alice.Run("history-store", "enable", "--profile", "rs", "--yes"));
        Assert.That(again.Stdout + again.Stderr, Does.Contain("nothing to create"));
        Assert.That(await StringsAsync(db, "SELECT count(*) FROM amx.amx_history_migrations"), Is.EqualTo(new[] { "3" }), "a second enable records nothing twice");
        var status = Ok(alice.Run("history-store"));
        Assert.That(status.Stdout, Does.Contain("redshift"));

        Assert.That(enable.Stderr + enable.Stdout, Does.Contain("amx history-store migrate"));
        Ok(alice.Run("history-store", "migrate"));
        Assert.That(await StringsAsync(db, $"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{localRun}'"), Is.Not.EqualTo(new[] { "0" }), "the local run's results were copied");

        var runId = WarehouseWorld.RunIdOf(Ok(alice.Run("run", "sales")));
        Ok(alice.Run("review", runId, "--accept", "all"));
        var applied = Json(alice.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.GreaterThan(5), applied.ToString());
        var comments = db.Comments();
        Assert.That(comments["sales.customer.email"], Is.Not.Null.And.Not.Empty, "the comment is on the warehouse");
        Assert.That(await StringsAsync(db, $"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{runId}' AND applied AND apply_status = 'applied' AND applied_by = 'alice'"),
            Is.EqualTo(new[] { applied.GetProperty("applied").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) }), "the audit rows say who applied what");
        Assert.That(await StringsAsync(db, "SELECT count(*) FROM amx.amx_history_locks"), Is.EqualTo(new[] { "0" }), "the apply's claim is released");

        // Bob joins the same store and sees Alice's run, its hash and that nothing is left to apply.
        using var bob = NewCli(db, "bob");
        Ok(bob.Run("history-store", "enable", "--profile", "rs", "--yes"));
        Assert.That(Ok(bob.Run("history", "list")).Stdout, Does.Contain(runId).And.Contain("alice"));
        Assert.That(Ok(bob.Run("history", "show", runId, "--hash-only")).Stdout.Trim(), Is.EqualTo(Ok(alice.Run("history", "show", runId, "--hash-only")).Stdout.Trim()));
        var second = Ok(bob.Run("apply", runId, "--yes"));
        Assert.That(second.Stdout + second.Stderr, Does.Contain("Nothing to apply"));
    }

    [Test]
    public async Task Run_ids_stay_unique_without_enforced_keys_when_several_runs_start_in_the_same_minute()
    {
        var db = await StoreDatabaseAsync("amx");
        using var amx = NewCli(db);
        Ok(amx.Run("history-store", "enable", "--profile", "rs", "--yes"));
        await DropKeysAsync(db, "amx");
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => amx.Run("run", "sales.customer"))));
        var ids = runs.Select(r => WarehouseWorld.RunIdOf(Ok(r))).ToList();
        // Many more at once through the store itself: the same user, the same minute, each racing for the next number.
        var store = await amx.OpenHistoryAsync();
        var started = new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);
        ids.AddRange(await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() =>
            store.StartRunAsync(new Amx.Data.History.Model.HistoryRun { Who = "alice", StartedAt = started, Scope = "sales", State = "running" })))));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(28), string.Join(", ", ids));
        Assert.That(await StringsAsync(db, "SELECT count(*) || '/' || count(DISTINCT run_id) FROM amx.amx_history_runs"), Is.EqualTo(new[] { "28/28" }));
    }

    [Test]
    public async Task Concurrent_enables_create_each_table_and_record_each_migration_once()
    {
        var db = await StoreDatabaseAsync("team");
        var clis = Enumerable.Range(0, 3).Select(i => NewCli(db, "user" + i)).ToList();
        try
        {
            var enables = await Task.WhenAll(clis.Select(c => Task.Run(() => c.Run("history-store", "enable", "--profile", "rs", "--schema", "team", "--yes"))));
            foreach (var e in enables) Ok(e);
            Assert.That(await StringsAsync(db, "SELECT migration_id FROM team.amx_history_migrations ORDER BY 1"), Is.EqualTo(RedshiftHistoryProvider.Migrations));
            Assert.That(enables.Count(e => e.Stdout.Contains("applied 20261126113651_InitialCreate", StringComparison.Ordinal)), Is.EqualTo(1),
                "exactly one enable recorded the migrations; the others found them");
        }
        finally
        {
            foreach (var c in clis) c.Dispose();
        }
    }

    [Test]
    public async Task A_live_claim_refuses_a_second_apply_of_the_run_and_a_lapsed_one_is_taken_over()
    {
        var db = await StoreDatabaseAsync("amx");
        using var amx = NewCli(db);
        Ok(amx.Run("history-store", "enable", "--profile", "rs", "--yes"));
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "sales.orders")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        var before = db.Comments();

        // Another machine's apply holds the run (its claim row, renewed while it lives).
        await db.ExecAsync($"INSERT INTO amx.amx_history_locks VALUES ('apply_run:{runId}', 'bob@ci:42', now() + interval '10 minutes')");
        var refused = amx.Run("apply", runId, "--yes");
        Assert.That(refused.ExitCode, Is.EqualTo(3), refused.ToString());
        Assert.That(refused.Stderr, Does.Contain("being applied by another amx process"));
        Assert.That(db.Comments(), Is.EqualTo(before), "nothing written");

        // That process died: its claim lapsed, and the next apply takes the run over.
        await db.ExecAsync("UPDATE amx.amx_history_locks SET expires_at = now() - interval '1 second'");
        var applied = Json(amx.Run("apply", runId, "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.GreaterThan(0), applied.ToString());
        Assert.That(await StringsAsync(db, "SELECT count(*) FROM amx.amx_history_locks"), Is.EqualTo(new[] { "0" }));
    }

    [Test]
    public async Task A_store_a_DBA_made_from_the_script_is_joined_by_a_member_with_only_the_granted_rights()
    {
        var db = await RedshiftStubDatabase.CreateAsync(RedshiftWarehouseTests.Ddl);
        var provider = new RedshiftHistoryProvider();
        using (var dba = new AmxCli("dba"))
        {
            var script = Ok(dba.Run("history-store", "script", "--backend", "redshift", "--schema", "AMX")).Stdout;
            await db.ExecAsync(Regex.Replace(script, @"\n(DISTKEY|SORTKEY) [^\n;]*", ""));
        }
        await db.ExecAsync($"""
            CREATE ROLE member LOGIN PASSWORD 'member-pw';
            GRANT USAGE ON SCHEMA sales, catalog_history TO member;
            GRANT SELECT ON ALL TABLES IN SCHEMA sales, catalog_history TO member;
            {provider.GrantStatement("amx", "member")}
            """);

        using var amx = new AmxCli("member");
        amx.Env["MEMBER_PW"] = "member-pw";
        Ok(amx.Run([.. db.AddProfileArgs("rs")[..^6], "--user", "member", "--password-env", "MEMBER_PW", "--option", "SslMode=Disable"]));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        var join = Ok(amx.Run("history-store", "enable", "--profile", "rs", "--schema", "AMX", "--yes"));
        Assert.That(join.Stdout + join.Stderr, Does.Contain("nothing to create"), "the script recorded the migrations");
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "sales.customer")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        Assert.That(await StringsAsync(db, $"SELECT who || ':' || state FROM amx.amx_history_runs WHERE run_id = '{runId}'"), Is.EqualTo(new[] { "member:reviewed" }));
    }

    [Test]
    public void The_script_is_the_DDL_amx_runs_and_records_the_migrations_PostgreSQL_has()
    {
        var postgres = new Amx.Data.History.Providers.PostgresHistoryProvider();
        using (var db = postgres.CreateContext(postgres.OfflineConnectionString, null))
            Assert.That(RedshiftHistoryProvider.Migrations, Is.EquivalentTo(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(db.Database)),
            "a new migration needs its Redshift DDL before its id joins RedshiftHistoryProvider.Migrations");
        var provider = new RedshiftHistoryProvider();
        var script = HistoryScripts.For(provider, provider.EffectiveSchema("Team Store"));
        Assert.Multiple(() =>
        {
            Assert.That(script, Does.Contain("CREATE SCHEMA IF NOT EXISTS \"team store\";"), "an unusual name is quoted, folded as Redshift folds it");
            Assert.That(script, Does.Contain("CREATE TABLE IF NOT EXISTS \"team store\".amx_history_locks (\n    lock_name VARCHAR(400) NOT NULL,\n    holder VARCHAR(256) NOT NULL,\n    expires_at TIMESTAMPTZ NOT NULL\n);"));
            Assert.That(Regex.Matches(script, "INSERT INTO \"team store\".amx_history_migrations \\(migration_id, product_version\\) SELECT '[0-9]+_[A-Za-z]+', 'amx-redshift-ddl' WHERE NOT EXISTS").Count,
                Is.EqualTo(3), "a DBA who runs the script leaves a store amx finds current");
            Assert.That(script, Does.Not.Contain(" TEXT"), "Redshift's TEXT is VARCHAR(256): long descriptions need VARCHAR(65535)");
        });
    }
}
