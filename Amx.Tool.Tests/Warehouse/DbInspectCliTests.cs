using System.Text.Json;

namespace Amx.Tool.Tests.Warehouse;

[TestFixture]
public sealed class DbInspectCliTests
{
    [Test]
    public async Task Inspect_shows_backend_user_capabilities_counts_and_amx_schema_with_its_two_tables()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("warehouse");
        await pg.ExecuteAsync("""
            CREATE SCHEMA sales;
            CREATE TABLE sales.customer (c_id int PRIMARY KEY, name text);
            CREATE VIEW sales.v AS SELECT * FROM sales.customer;
            COMMENT ON TABLE sales.customer IS 'Customers';
            COMMENT ON COLUMN sales.customer.name IS 'Name';
            CREATE SCHEMA amx;
            CREATE TABLE amx.amx_history_runs (run_id text PRIMARY KEY);
            CREATE TABLE amx.amx_history_results (run_id text);
            """, db);
        using var amx = new AmxCli();
        File.WriteAllText(amx.ConfigPath, $"""
            schema_version: 1
            db_profiles:
              wh:
                backend: postgresql
                host: 127.0.0.1
                port: {pg.Port}
                database: {db}
                user: {pg.AdminUser}
                password_env: WH_PW
            active_db_profile: wh
            """);
        amx.Env["WH_PW"] = pg.AdminPassword;

        var json = amx.Run("db", "inspect", "--profile", "wh", "--output", "json");
        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        Assert.That(json.Stdout, Does.Not.Contain(pg.AdminPassword == "" ? "\u0000" : pg.AdminPassword));
        using var doc = JsonDocument.Parse(json.Stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("backend").GetString(), Is.EqualTo("postgresql"));
        Assert.That(root.GetProperty("server_version").GetString(), Does.StartWith("PostgreSQL"));
        Assert.That(root.GetProperty("user").GetString(), Is.EqualTo(pg.AdminUser));
        Assert.That(root.GetProperty("capabilities").GetProperty("column_comments").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("capabilities").GetProperty("can_host_history_store").GetBoolean(), Is.True);
        var schemas = root.GetProperty("schemas").EnumerateArray().ToDictionary(s => s.GetProperty("schema").GetString()!);
        var sales = schemas["sales"];
        Assert.That(sales.GetProperty("tables").GetInt32(), Is.EqualTo(1));
        Assert.That(sales.GetProperty("views").GetInt32(), Is.EqualTo(1));
        Assert.That(sales.GetProperty("columns").GetInt32(), Is.EqualTo(4));
        Assert.That(sales.GetProperty("relations_with_comment").GetInt32(), Is.EqualTo(1));
        Assert.That(sales.GetProperty("columns_with_comment").GetInt32(), Is.EqualTo(1));
        Assert.That(schemas["amx"].GetProperty("amx_tables").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "amx_history_results", "amx_history_runs" }));
        Assert.That(schemas["amx"].GetProperty("tables").GetInt32(), Is.Zero, "amx's tables are not counted as warehouse tables");

        var table = amx.Run("db", "inspect");
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.Stdout, Does.Contain("amx: schema amx holds amx's history tables (amx_history_results, amx_history_runs)"));
        Assert.That(table.Stdout, Does.Contain("connected as " + pg.AdminUser));
    }

    [Test]
    public void Unreachable_server_is_one_line_error_exit_1()
    {
        using var amx = new AmxCli();
        File.WriteAllText(amx.ConfigPath, """
            schema_version: 1
            db_profiles:
              gone:
                backend: postgresql
                host: 127.0.0.1
                port: 1
                database: x
                user: u
            active_db_profile: gone
            """);
        var r = amx.Run("db", "inspect");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.StartWith("error: cannot connect to db profile 'gone'"));
        Assert.That(r.Stderr, Does.Contain("hint:"));
    }
}
