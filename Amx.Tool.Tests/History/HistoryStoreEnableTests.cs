using static Amx.Tool.Tests.History.HistoryTestSupport;

namespace Amx.Tool.Tests.History;

/// <summary>`amx history-store enable` against real PostgreSQL, MariaDB and SQLite (docs/history-store.md, issue 3 "Must show").</summary>
public class HistoryStoreEnableTests
{
    // ---------- PostgreSQL

    [Test]
    public async Task Pg_enable_creates_exactly_the_schema_two_tables_one_index_and_the_migrations_table()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var amx = Cli("lead", pg.AdminPassword);
        WriteConfig(amx, PgProfile(pg, db));

        var r = amx.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("CREATE TABLE amx.amx_history_runs"), "the DDL is printed before it runs");

        var schemas = await PgStrings(pg, db, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1");
        Assert.That(schemas, Is.EqualTo(new[] { "amx", "public" }));
        var tables = await PgStrings(pg, db, "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'amx' AND c.relkind = 'r' ORDER BY 1");
        Assert.That(tables, Is.EqualTo(new[] { "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
        var publicTables = await PgStrings(pg, db, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'");
        Assert.That(publicTables, Is.Empty);
        var indexes = await PgStrings(pg, db, "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'amx' AND indexname NOT ILIKE 'pk\\_%' ORDER BY 1");
        Assert.That(indexes, Is.EqualTo(new[] { "ix_amx_history_results_target" }));
        var applied = await PgStrings(pg, db, "SELECT data_type || ' ' || column_default FROM information_schema.columns WHERE table_schema = 'amx' AND table_name = 'amx_history_results' AND column_name = 'applied'");
        Assert.That(applied, Is.EqualTo(new[] { "boolean false" }));
        var startedAt = await PgStrings(pg, db, "SELECT data_type::text FROM information_schema.columns WHERE table_schema = 'amx' AND table_name = 'amx_history_runs' AND column_name = 'started_at'");
        Assert.That(startedAt, Is.EqualTo(new[] { "timestamp with time zone" }));

        var config = File.ReadAllText(amx.ConfigPath);
        Assert.That(config, Does.Contain("history_store_enabled: true").And.Contain("history_store_profile: shared").And.Contain("history_store_schema: AMX"));
        var status = amx.Run("history-store", "--output", "json");
        Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
        Assert.That(status.Stdout, Does.Contain("\"schema\": \"amx\"").And.Contain("\"tables_exist\": true").And.Contain(LatestMigration));
    }

    [Test]
    public async Task Pg_AMX_and_amx_reach_the_same_store_and_a_member_creates_nothing_and_reads_the_leads_rows()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var lead = Cli("lead", pg.AdminPassword);
        WriteConfig(lead, PgProfile(pg, db));
        Assert.That(lead.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX", "--yes").ExitCode, Is.EqualTo(0));
        var leadStore = await OpenAsync(lead, pg.AdminPassword);
        var runId = await leadStore.StartRunAsync(new Data.History.Model.HistoryRun { Scope = "sales" });
        var before = await PgStrings(pg, db, "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'amx'");

        using var member = Cli("member", pg.AdminPassword);
        WriteConfig(member, PgProfile(pg, db));
        var r = member.Run("history-store", "enable", "--profile", "shared", "--schema", "amx");
        Assert.That(r.ExitCode, Is.EqualTo(0), "a member joining an existing store needs no --yes: " + r);
        Assert.That(r.Stderr, Does.Contain("nothing to create"));
        Assert.That(r.Stdout, Does.Not.Contain("CREATE TABLE"));
        var after = await PgStrings(pg, db, "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'amx'");
        Assert.That(after, Is.EqualTo(before), "the member created nothing");

        var memberStore = await OpenAsync(member, pg.AdminPassword);
        var run = await memberStore.FindRunAsync(runId);
        Assert.That(run.Who, Is.EqualTo("lead"));
        Assert.That(memberStore.Location, Does.Contain("amx.amx_history_*"));
    }

    [Test]
    public async Task Pg_eight_concurrent_enables_all_succeed_and_create_one_set_of_tables()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        var clis = Enumerable.Range(0, 8).Select(i => Cli($"user{i}", pg.AdminPassword)).ToList();
        try
        {
            foreach (var c in clis) WriteConfig(c, PgProfile(pg, db));
            var results = RunConcurrently(clis, "history-store", "enable", "--profile", "shared", "--schema", "Team", "--yes");
            foreach (var r in results) Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            var tables = await PgStrings(pg, db, "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 'amx\\_history\\_%' AND c.relkind = 'r' ORDER BY 1");
            Assert.That(tables, Is.EqualTo(new[] { "team.amx_history_migrations", "team.amx_history_results", "team.amx_history_runs" }));
            Assert.That(await pg.ScalarAsync<long>("SELECT count(*) FROM team.amx_history_migrations", db), Is.EqualTo(MigrationCount));
            Assert.That(results.Count(r => r.Stdout.Contains("History store enabled")), Is.EqualTo(1), "exactly one process created the tables");
            Assert.That(results.Count(r => r.Stdout.Contains("now points at")), Is.EqualTo(7));
        }
        finally { foreach (var c in clis) c.Dispose(); }
    }

    [Test]
    public async Task Pg_store_migrated_by_a_newer_amx_is_refused_with_upgrade_amx()
    {
        var (pg, db, lead) = await EnabledPgStoreAsync();
        using var amx = lead;
        await pg.ExecuteAsync("INSERT INTO amx.amx_history_migrations VALUES ('29991231000000_FromTheFuture', '99.0.0')", db);

        var r = amx.Run("history-store", "enable", "--profile", "shared", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("upgrade amx").And.Contain("29991231000000_FromTheFuture").And.Contain("hint:"));
        var (config, env) = Load(amx, pg.AdminPassword);
        var e = Assert.ThrowsAsync<Data.Errors.AmxException>(() => Data.History.HistoryStore.OpenAsync(config, env));
        Assert.That(e!.Hint, Does.Contain("upgrade amx"));
    }

    [Test]
    public async Task Pg_store_of_the_previous_amx_is_refused_until_enable_drops_its_run_id_index_and_keeps_the_runs()
    {
        var (pg, db, lead) = await EnabledPgStoreAsync();
        using var amx = lead;
        // The store exactly as the previous amx left it: its index on run_id, without the migration that drops it, one run.
        await pg.ExecuteAsync("CREATE INDEX ix_amx_history_results_run_id ON amx.amx_history_results (run_id); " +
                              "DELETE FROM amx.amx_history_migrations WHERE \"MigrationId\" LIKE '%\\_DropResultsRunIdIndex'; " +
                              "INSERT INTO amx.amx_history_runs (run_id, who, started_at, scope, state, ok_count, fail_count, run_kind) " +
                              "VALUES ('run_2026-11-28_10-00-001', 'bob', now(), 'sales', 'drafted', 1, 0, 'draft'); " +
                              "INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, decision, applied) " +
                              "VALUES ('run_2026-11-28_10-00-001', 'sales.orders.id', 'column', 'Order id', 'pending', false)", db);

        Assert.That(amx.Run("history", "list").ExitCode, Is.EqualTo(0), "reading an older store needs no upgrade");
        var refused = amx.Run("review", "run_2026-11-28_10-00-001", "--accept", "all");
        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
        Assert.That(refused.Stderr, Does.Contain("lacks migration").And.Contain("DropResultsRunIdIndex").And.Contain("amx history-store enable"));

        var r = amx.Run("history-store", "enable", "--profile", "shared", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(await pg.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'amx' AND indexname = 'ix_amx_history_results_run_id'", db),
            Is.EqualTo(0L));
        Assert.That(await pg.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_migrations", db), Is.EqualTo(MigrationCount));
        var list = amx.Run("history", "show", "run_2026-11-28_10-00-001", "--output", "json");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        Assert.That(list.Stdout, Does.Contain("sales.orders.id").And.Contain("Order id"));
    }

    [Test]
    public async Task Pg_without_create_privilege_names_it_prints_the_ddl_and_a_precreated_schema_needs_no_create()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        var role = UniqueName("nocreate_");
        await pg.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'pw'");
        await pg.ExecuteAsync($"REVOKE CREATE ON DATABASE \"{db}\" FROM PUBLIC; REVOKE CREATE ON SCHEMA public FROM PUBLIC", db);
        using var amx = Cli("lead", "pw");
        WriteConfig(amx, PgProfile(pg, db, user: role));

        var r = amx.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("CREATE privilege").And.Contain(db));
        Assert.That(r.Stdout, Does.Contain("CREATE TABLE amx.amx_history_results"), "the DDL for a DBA");
        Assert.That(r.Stderr, Does.Contain("hint:").And.Contain("--schema amx"));
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Not.Contain("history_store_enabled: true"));

        // The DBA pre-creates the schema; the rerun needs no CREATE on the database.
        await pg.ExecuteAsync($"CREATE SCHEMA amx AUTHORIZATION {role}", db);
        r = amx.Run("history-store", "enable", "--profile", "shared", "--schema", "amx", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(await pg.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_migrations", db), Is.EqualTo(MigrationCount));
    }

    [Test]
    public async Task Pg_member_without_insert_update_gets_the_table_and_the_grant()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var lead = Cli("lead", pg.AdminPassword);
        WriteConfig(lead, PgProfile(pg, db));
        Assert.That(lead.Run("history-store", "enable", "--profile", "shared", "--yes").ExitCode, Is.EqualTo(0));
        var role = UniqueName("reader_");
        await pg.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT USAGE ON SCHEMA amx TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA amx TO {role}", db);

        using var member = Cli("member", "pw");
        WriteConfig(member, PgProfile(pg, db, user: role));
        var r = member.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("amx.amx_history_runs"));
        Assert.That(r.Stderr, Does.Contain($"GRANT SELECT, INSERT, UPDATE ON \"amx\".\"amx_history_runs\", \"amx\".\"amx_history_results\" TO \"{role}\""));
        var denied = r.Stderr;

        await pg.ExecuteAsync($"GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA amx TO {role}", db);
        r = member.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        // The statement printed is all a new member needs: a role given exactly that joins the store and reads it.
        var fresh = UniqueName("member_");
        var printed = System.Text.RegularExpressions.Regex.Match(denied, "GRANT USAGE[^\n]*;").Value.Replace(role, fresh);
        Assert.That(printed, Does.Contain("amx_history_migrations"));
        await pg.ExecuteAsync($"CREATE ROLE {fresh} LOGIN PASSWORD 'pw'; {printed}", db);
        using var newcomer = Cli("newcomer", "pw");
        WriteConfig(newcomer, PgProfile(pg, db, user: fresh));
        Assert.That(newcomer.Run("history-store", "enable", "--profile", "shared", "--schema", "AMX").ExitCode, Is.EqualTo(0));
        Assert.That(newcomer.Run("history", "list").ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task Pg_tables_missing_in_the_configured_schema_lists_the_schemas_that_hold_them()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var lead = Cli("lead", pg.AdminPassword);
        WriteConfig(lead, PgProfile(pg, db));
        Assert.That(lead.Run("history-store", "enable", "--profile", "shared", "--schema", "audit", "--yes").ExitCode, Is.EqualTo(0));

        using var member = Cli("member", pg.AdminPassword);
        WriteConfig(member, PgProfile(pg, db),
            "history_store_enabled: true\nhistory_store_profile: shared\nhistory_store_schema: AMX\n");
        var r = member.Run("history-store", "migrate");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("missing in schema 'amx'"));
        Assert.That(r.Stderr, Does.Contain("schemas that hold amx_history_* tables: audit"));
    }

    [Test]
    public async Task Dry_run_changes_nothing_anywhere()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var amx = Cli("lead", pg.AdminPassword);
        WriteConfig(amx, PgProfile(pg, db));
        var configBefore = File.ReadAllText(amx.ConfigPath);
        var r = amx.Run("history-store", "enable", "--profile", "shared", "--dry-run");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("CREATE TABLE amx.amx_history_runs"));
        Assert.That(await PgStrings(pg, db, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'amx'"), Is.Empty);
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(configBefore));

        var noYes = amx.Run("history-store", "enable", "--profile", "shared");
        Assert.That(noYes.ExitCode, Is.EqualTo(2), noYes.ToString());
        Assert.That(noYes.Stderr, Does.Contain("hint:").And.Contain("--yes"));
    }

    // ---------- MariaDB

    [Test]
    public async Task MariaDb_enable_creates_exactly_the_database_two_tables_one_index_and_the_migrations_table()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("hist");
        var schema = UniqueName("Audit_");
        using var amx = Cli("lead", my.AdminPassword);
        WriteConfig(amx, MariaProfile(my, db));

        var r = amx.Run("history-store", "enable", "--profile", "shared", "--schema", schema, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var lower = schema.ToLowerInvariant();
        Assert.That(await MyStrings(my, $"SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('{lower}', '{schema}')"),
            Is.EqualTo(new[] { lower }));
        Assert.That(await MyStrings(my, $"SELECT table_name FROM information_schema.tables WHERE table_schema = '{lower}' ORDER BY 1"),
            Is.EqualTo(new[] { "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
        Assert.That(await MyStrings(my, $"SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = '{lower}' AND index_name <> 'PRIMARY' ORDER BY 1"),
            Is.EqualTo(new[] { "ix_amx_history_results_target" }));
        Assert.That(await MyStrings(my, $"SELECT table_name FROM information_schema.tables WHERE table_schema = '{db}'"), Is.Empty,
            "the profile's own database is left alone");
        Assert.That(await MyStrings(my, $"SELECT CONCAT(column_type, ' ', column_default) FROM information_schema.columns WHERE table_schema = '{lower}' AND table_name = 'amx_history_results' AND column_name = 'applied'"),
            Is.EqualTo(new[] { "tinyint(1) 0" }));

        // Same store with the other spelling, and a member that creates nothing.
        using var member = Cli("member", my.AdminPassword);
        WriteConfig(member, MariaProfile(my, db));
        var leadStore = await OpenAsync(amx, my.AdminPassword);
        var runId = await leadStore.StartRunAsync(new Data.History.Model.HistoryRun { Scope = "shop" });
        var m = member.Run("history-store", "enable", "--profile", "shared", "--schema", lower.ToUpperInvariant());
        Assert.That(m.ExitCode, Is.EqualTo(0), m.ToString());
        Assert.That(m.Stderr, Does.Contain("nothing to create"));
        var memberStore = await OpenAsync(member, my.AdminPassword);
        Assert.That((await memberStore.FindRunAsync(runId)).Who, Is.EqualTo("lead"));
    }

    [Test]
    public async Task MariaDb_eight_concurrent_enables_all_succeed_and_create_one_set_of_tables()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("hist");
        var schema = UniqueName("conc_");
        var clis = Enumerable.Range(0, 8).Select(i => Cli($"user{i}", my.AdminPassword)).ToList();
        try
        {
            foreach (var c in clis) WriteConfig(c, MariaProfile(my, db));
            var results = RunConcurrently(clis, "history-store", "enable", "--profile", "shared", "--schema", schema, "--yes");
            foreach (var r in results) Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            Assert.That(await MyStrings(my, $"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY 1"),
                Is.EqualTo(new[] { "amx_history_migrations", "amx_history_results", "amx_history_runs" }));
            Assert.That(await my.ScalarAsync<long>($"SELECT count(*) FROM `{schema}`.amx_history_migrations"), Is.EqualTo(MigrationCount));
        }
        finally { foreach (var c in clis) c.Dispose(); }
    }

    [Test]
    public async Task MariaDb_member_without_insert_gets_the_table_and_the_grant()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("hist");
        var schema = UniqueName("ro_");
        using var lead = Cli("lead", my.AdminPassword);
        WriteConfig(lead, MariaProfile(my, db));
        Assert.That(lead.Run("history-store", "enable", "--profile", "shared", "--schema", schema, "--yes").ExitCode, Is.EqualTo(0));
        var user = UniqueName("reader_");
        foreach (var host in new[] { "%", "localhost" }) // 'localhost' too: servers with anonymous users match those first
            await my.ExecuteAsync($"CREATE USER '{user}'@'{host}' IDENTIFIED BY 'pw'; GRANT SELECT ON `{schema}`.* TO '{user}'@'{host}'; GRANT SELECT ON `{db}`.* TO '{user}'@'{host}'");

        using var member = Cli("member", "pw");
        WriteConfig(member, MariaProfile(my, db, user: user));
        var r = member.Run("history-store", "enable", "--profile", "shared", "--schema", schema);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("amx_history_runs").And.Contain($"GRANT SELECT, INSERT, UPDATE ON `{schema}`.`amx_history_runs` TO '{user}'@'%'"));
    }

    [Test]
    public async Task MariaDb_without_create_privilege_names_it_and_prints_the_ddl()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("hist");
        var user = UniqueName("nocreate_");
        foreach (var host in new[] { "%", "localhost" })
            await my.ExecuteAsync($"CREATE USER '{user}'@'{host}' IDENTIFIED BY 'pw'; GRANT SELECT, INSERT, UPDATE ON `{db}`.* TO '{user}'@'{host}'");
        using var amx = Cli("lead", "pw");
        WriteConfig(amx, MariaProfile(my, db, user: user));
        var schema = UniqueName("dba_");
        var r = amx.Run("history-store", "enable", "--profile", "shared", "--schema", schema, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("CREATE privilege"));
        Assert.That(r.Stdout, Does.Contain($"CREATE DATABASE IF NOT EXISTS `{schema}`"));
        Assert.That(r.Stderr, Does.Contain($"--schema {schema}"));
    }

    // ---------- SQLite

    [Test]
    public void Sqlite_enable_creates_exactly_two_tables_one_index_and_the_migrations_table()
    {
        using var amx = new AmxCli(user: "solo");
        var file = Path.Combine(amx.Home, "team-history.sqlite");
        WriteConfig(amx, $"  lite:\n    backend: sqlite\n    path: {file}\n");
        var r = amx.Run("history-store", "enable", "--profile", "lite", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1";
        var names = new List<string>();
        using (var rd = cmd.ExecuteReader()) while (rd.Read()) names.Add(rd.GetString(0));
        Assert.That(names, Is.EqualTo(new[]
        {
            "index ix_amx_history_results_target",
            "table amx_history_migrations", "table amx_history_results", "table amx_history_runs",
        }));
    }

    static List<AmxCli.Result> RunConcurrently(IReadOnlyList<AmxCli> clis, params string[] args)
    {
        var processes = clis.Select(c => c.Start(args)).ToList();
        var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        foreach (var p in processes) p.StandardInput.Close();
        var results = new List<AmxCli.Result>();
        for (var i = 0; i < processes.Count; i++)
        {
            if (!processes[i].WaitForExit(TimeSpan.FromMinutes(3))) processes[i].Kill(entireProcessTree: true);
            processes[i].WaitForExit();
            results.Add(new AmxCli.Result(processes[i].ExitCode, outputs[i].Out.Result, outputs[i].Err.Result));
            processes[i].Dispose();
        }
        return results;
    }
}
