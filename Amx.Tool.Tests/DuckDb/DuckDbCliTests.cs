using System.Text.Json;
using Npgsql;

namespace Amx.Tool.Tests.DuckDb;

/// <summary>
/// DuckDB through the real tool (amx.dll in its own process): profiles, test, inspect, the run → review → apply →
/// revert round trip read back with DuckDB itself, read-only and locked files, and the history-host refusals.
/// </summary>
[TestFixture]
public sealed class DuckDbCliTests
{
    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 end";

    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    static AmxCli NewCli(DuckDbFile file, params string[] extra)
    {
        var amx = new AmxCli("alice");
        Ok(amx.Run(["add-db-profile", "duck", "--backend", "duckdb", "--path", file.Path, .. extra]));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    [Test]
    public void Profile_test_prints_the_duckdb_version_and_inspect_shows_schemas_and_coverage()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        var test = Ok(amx.Run("db-profiles", "test", "duck"));
        Assert.That(test.Stdout, Does.Match(@"DuckDB v1\.\d+\.\d+ \(database " + file.Database + @"\)"));
        var json = Json(amx.Run("db-profiles", "test", "duck", "--output", "json"));
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("duckdb"));
        Assert.That(json.GetProperty("location").GetString(), Is.EqualTo(file.Path));

        var inspect = Json(amx.Run("db", "inspect", "--output", "json"));
        var schemas = inspect.GetProperty("schemas").EnumerateArray().ToDictionary(s => s.GetProperty("schema").GetString()!);
        Assert.That(schemas.Keys, Is.EquivalentTo(new[] { "Sales", "ops" }));
        var sales = schemas["Sales"];
        Assert.Multiple(() =>
        {
            Assert.That(sales.GetProperty("tables").GetInt32(), Is.EqualTo(2));
            Assert.That(sales.GetProperty("views").GetInt32(), Is.EqualTo(1));
            Assert.That(sales.GetProperty("columns").GetInt32(), Is.EqualTo(4 + 4 + 2));
            Assert.That(sales.GetProperty("relations_with_comment").GetInt32(), Is.EqualTo(2));
            Assert.That(sales.GetProperty("columns_with_comment").GetInt32(), Is.EqualTo(1));
            Assert.That(inspect.GetProperty("capabilities").GetProperty("can_host_history_store").GetBoolean(), Is.False);
        });
        var table = Ok(amx.Run("db", "inspect"));
        Assert.That(table.Stdout, Does.Contain("history store: cannot be hosted here"));
    }

    [Test]
    public void Run_review_apply_revert_round_trip_is_read_back_by_duckdb()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        var before = file.Comments();
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "Sales", "--profiling-mode", "sampled")));
        var code = "Sales.Customer.code";
        var lines = "Sales.\"order \"\"lines\"\"\".\"Customer Id\"";
        Ok(amx.Run("review", runId, "--accept", "all", "--set", $"{code}={Tricky}", "--set", $"{lines}=Buyer of the line, see Sales.Customer"));

        var dry = Ok(amx.Run("apply", runId, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain($"COMMENT ON COLUMN \"{file.Database}\".\"Sales\".\"Customer\".\"code\" IS 'it''s"));
        Assert.That(file.Comments(), Is.EqualTo(before), "a dry run writes nothing");

        // "People who buy" was written by a person, not by amx: replacing it is an explicit choice (docs/safety-guards.md).
        var applied = Json(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        var after = file.Comments();
        Assert.Multiple(() =>
        {
            Assert.That(after[code], Is.EqualTo(Tricky), "byte-exact, read back by DuckDB");
            Assert.That(after["Sales.order \"lines\".Customer Id"], Is.EqualTo("Buyer of the line, see Sales.Customer"));
            Assert.That(after["Sales.Customer"], Is.Not.EqualTo("People who buy").And.Not.Null, "accepted drafts replace existing comments when asked");
            Assert.That(after["Sales.Big Customers.name"], Is.Not.Null, "view columns are commented too");
            Assert.That(after["ops.events"], Is.Null, "outside the scope");
        });
        var show = Ok(amx.Run("history", "show", runId, "--output", "json"));
        Assert.That(show.Stdout, Does.Contain("\"db_backend\": \"duckdb\"").Or.Contain("duckdb"));

        var reverted = Json(amx.Run("revert", runId, "--yes", "--output", "json"));
        Assert.That(reverted.GetProperty("failed").GetInt32(), Is.EqualTo(0), reverted.ToString());
        Assert.That(file.Comments(), Is.EqualTo(before), "revert restores every previous comment, absent ones included");
    }

    [Test]
    public void A_comment_changed_after_drafting_is_a_conflict_and_nothing_is_overwritten()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "Sales.Customer.name")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        file.Exec("COMMENT ON COLUMN \"Sales\".\"Customer\".name IS 'changed by a colleague'");
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(file.Comments()["Sales.Customer.name"], Is.EqualTo("changed by a colleague"));
    }

    [Test]
    public void A_read_only_profile_drafts_but_apply_fails_with_the_reason()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file, "--read-only");
        Assert.That(Ok(amx.Run("db-profiles", "test", "duck")).Stdout, Does.Contain("read-only"));
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "ops")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        var before = file.Comments();
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Stdout + r.Stderr, Does.Contain("opened read-only"));
        Assert.That(file.Comments(), Is.EqualTo(before));
        var check = amx.Run("apply", runId, "--check");
        Assert.That(check.Stdout + check.Stderr, Does.Contain("read-only"), check.ToString());
    }

    [Test]
    public void A_file_locked_by_another_process_is_explained_and_a_missing_file_is_not_created()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        using (var holder = file.Open())
        {
            var r = amx.Run("db-profiles", "test", "duck");
            Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
            Assert.That(r.Stderr, Does.StartWith("error: ").And.Contain("locked by another process").And.Contain("hint: "));
            Assert.That(r.Stderr, Does.Not.Contain("   at "), "no stack trace");
        }
        Ok(amx.Run("db-profiles", "test", "duck"));

        var missing = Path.Combine(Path.GetTempPath(), $"amx-missing-{Guid.NewGuid():N}.duckdb");
        Ok(amx.Run("add-db-profile", "gone", "--backend", "duckdb", "--path", missing));
        var g = amx.Run("db-profiles", "test", "gone");
        Assert.That(g.ExitCode, Is.EqualTo(1), g.ToString());
        Assert.That(g.Stderr, Does.Contain("does not exist"));
        Assert.That(File.Exists(missing), Is.False);
    }

    [Test]
    public void DuckDB_never_hosts_the_history_store_and_clickhouse_is_not_a_warehouse_yet()
    {
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        var before = File.ReadAllText(amx.ConfigPath);
        var enable = amx.Run("history-store", "enable", "--profile", "duck", "--yes");
        Assert.That(enable.ExitCode, Is.EqualTo(2), enable.ToString());
        Assert.That(enable.Stderr, Does.Contain("single-writer"));
        var script = amx.Run("history-store", "script", "--backend", "duckdb");
        Assert.That(script.ExitCode, Is.EqualTo(2), script.ToString());
        Assert.That(script.Stderr, Does.Contain("single-writer"));
        var ch = amx.Run("add-db-profile", "ch", "--backend", "clickhouse", "--host", "h");
        Assert.That(ch.ExitCode, Is.EqualTo(2), ch.ToString());
        Assert.That(ch.Stderr, Does.Contain("not supported as a warehouse yet"));
        var ro = amx.Run("add-db-profile", "pgro", "--backend", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--read-only");
        Assert.That(ro.ExitCode, Is.EqualTo(2), ro.ToString());
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(before), "refusals change nothing");
    }

    [Test]
    public async Task A_duckdb_warehouse_works_with_a_shared_store_on_postgresql()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("duckhist");
        using var file = DuckDbFile.Create();
        using var amx = NewCli(file);
        amx.Env["AMX_DUCK_PG_PW"] = pg.AdminPassword;
        Ok(amx.Run("add-db-profile", "team", "--backend", "postgresql", "--host", pg.Host, "--port", pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--database", db, "--user", pg.AdminUser, "--password-env", "AMX_DUCK_PG_PW"));
        Ok(amx.Run("history-store", "enable", "--profile", "team", "--schema", "amx", "--yes"));
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "ops", "--db-profile", "duck")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        Ok(amx.Run("apply", runId, "--yes"));

        await using var conn = new NpgsqlConnection(pg.ConnectionString(db));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT r.db_backend, count(*) FILTER (WHERE x.applied), count(*) FROM amx.amx_history_runs r JOIN amx.amx_history_results x USING (run_id) WHERE run_id = '{runId}' GROUP BY 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.That(reader.GetString(0), Is.EqualTo("duckdb"));
        Assert.That(reader.GetInt64(1), Is.EqualTo(reader.GetInt64(2)).And.EqualTo(1 + 4), "table and its four columns applied");
        var live = file.Comments();
        Assert.That(live["ops.events.kind"], Is.Not.Null);
    }
}
