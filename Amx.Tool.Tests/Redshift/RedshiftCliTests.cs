using System.Text.Json;
using Amx.Tool.Tests.Apply;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// The Redshift backend through the real tool (amx.dll in its own process) against a Redshift-shaped database on the
/// real PostgreSQL server (<see cref="RedshiftStubDatabase"/>): profiles, test, inspect, run → review → apply →
/// revert read back by the server, conflicts, TLS by default, and no secret anywhere (the store on Redshift: RedshiftHistoryStoreTests).
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class RedshiftCliTests
{
    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 end";

    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    static AmxCli NewCli(RedshiftStubDatabase db)
    {
        var amx = new AmxCli("alice");
        amx.Env[RedshiftStubDatabase.PasswordVar] = db.Server.AdminPassword;
        Ok(amx.Run(db.AddProfileArgs("rs")));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    [Test]
    public async Task Profile_test_and_inspect_show_the_server_schemas_and_capabilities()
    {
        var db = await RedshiftStubDatabase.CreateAsync(RedshiftWarehouseTests.Ddl);
        using var amx = NewCli(db);
        var test = Ok(amx.Run("db-profiles", "test", "rs"));
        Assert.That(test.Stdout, Does.Contain("PostgreSQL 15").And.Contain("(not Redshift)"), "the tool says what it is really connected to");
        var json = Json(amx.Run("db-profiles", "test", "rs", "--output", "json"));
        Assert.That(json.GetProperty("backend").GetString(), Is.EqualTo("redshift"));

        var inspect = Json(amx.Run("db", "inspect", "--output", "json"));
        var schemas = inspect.GetProperty("schemas").EnumerateArray().ToDictionary(s => s.GetProperty("schema").GetString()!);
        Assert.That(schemas.Keys, Is.EquivalentTo(new[] { "sales" }), "no stub schema, no external schema");
        var sales = schemas["sales"];
        Assert.Multiple(() =>
        {
            Assert.That(sales.GetProperty("tables").GetInt32(), Is.EqualTo(3));
            Assert.That(sales.GetProperty("views").GetInt32(), Is.EqualTo(2));
            Assert.That(sales.GetProperty("columns").GetInt32(), Is.EqualTo(4 + 4 + 1 + 2 + 2));
            Assert.That(sales.GetProperty("relations_with_comment").GetInt32(), Is.EqualTo(1));
            Assert.That(sales.GetProperty("columns_with_comment").GetInt32(), Is.EqualTo(1));
            Assert.That(inspect.GetProperty("capabilities").GetProperty("can_host_history_store").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task Run_review_apply_revert_round_trip_is_read_back_by_the_server()
    {
        var db = await RedshiftStubDatabase.CreateAsync(RedshiftWarehouseTests.Ddl);
        using var amx = NewCli(db);
        var before = db.Comments();
        var run = Ok(amx.Run("run", "sales", "--profiling-mode", "sampled", "--mask-samples"));
        var runId = WarehouseWorld.RunIdOf(run);
        var show = Ok(amx.Run("history", "show", runId, "--output", "json")).Stdout;
        Assert.That(show, Does.Contain("sales.recent_orders_lbv"), "the late-binding view is drafted");
        Assert.That(show, Does.Contain("sales.big_customers.name"), "columns of ordinary views are drafted (same naming as below)");
        Assert.That(show, Does.Not.Contain("sales.recent_orders_lbv.o_id"), "its columns take no comments on Redshift, so they are not drafted");

        Ok(amx.Run("review", runId, "--accept", "all", "--set", $"sales.customer.code={Tricky}"));
        var dry = Ok(amx.Run("apply", runId, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain("COMMENT ON COLUMN \"sales\".\"customer\".\"code\" IS 'it''s \"quoted\"; -- $$ back\\\\slash"));
        Assert.That(db.Comments(), Is.EqualTo(before), "a dry run writes nothing");
        var export = Ok(amx.Run("export", runId, "--format", "sql"));
        Assert.That(export.Stdout, Does.Contain("COMMENT ON VIEW \"sales\".\"recent_orders_lbv\" IS '").And.Contain("back\\\\slash \\\\\\\\ \\\\n literal"),
            "the script for a DBA uses the same Redshift literals");

        // "Customers" was written by a person, not by amx: replacing it is an explicit choice (docs/safety-guards.md).
        var applied = Json(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        var after = db.Comments();
        Assert.Multiple(() =>
        {
            Assert.That(after["sales.customer.code"], Is.EqualTo(Tricky), "byte-exact under Redshift's literal rule");
            Assert.That(after["sales.customer"], Is.Not.EqualTo("Customers").And.Not.Null);
            Assert.That(after["sales.recent_orders_lbv"], Is.Not.Null, "COMMENT ON VIEW on the late-binding view");
            Assert.That(after["sales.big_customers.name"], Is.Not.Null, "columns of ordinary views are commented");
        });

        var reverted = Json(amx.Run("revert", runId, "--yes", "--output", "json"));
        Assert.That(reverted.GetProperty("failed").GetInt32(), Is.EqualTo(0), reverted.ToString());
        Assert.That(db.Comments(), Is.EqualTo(before), "revert restores every previous comment, absent ones included");
    }

    [Test]
    public async Task A_comment_changed_after_drafting_is_a_conflict_and_nothing_is_overwritten()
    {
        var db = await RedshiftStubDatabase.CreateAsync(RedshiftWarehouseTests.Ddl);
        using var amx = NewCli(db);
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "sales.customer.name")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        await db.ExecAsync("COMMENT ON COLUMN sales.customer.name IS 'changed by a colleague'");
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(db.Comments()["sales.customer.name"], Is.EqualTo("changed by a colleague"));
    }

    [Test]
    public async Task TLS_is_required_by_default_and_no_secret_is_shown()
    {
        var db = await RedshiftStubDatabase.CreateAsync("CREATE SCHEMA s; CREATE TABLE s.t (id int);");
        using var amx = NewCli(db);
        var password = db.Server.AdminPassword;

        var missing = amx.Run("add-db-profile", "nodb", "--backend", "redshift", "--host", "h", "--user", "u");
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.Stderr, Does.Contain("--database"));

        // Without --option SslMode=Disable the profile asks for TLS, which the test server does not offer.
        Ok(amx.Run("add-db-profile", "tls", "--backend", "redshift", "--host", db.Server.Host, "--port", db.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--database", db.Database, "--user", db.Server.AdminUser, "--password-env", RedshiftStubDatabase.PasswordVar));
        var tls = amx.Run("db-profiles", "test", "tls");
        Assert.That(tls.ExitCode, Is.EqualTo(1), tls.ToString());
        Assert.That(tls.Stderr, Does.StartWith("error: ").And.Contain("over TLS").And.Contain("hint: ").And.Contain("SslMode="));
        Assert.That(tls.Stderr, Does.Not.Contain("   at "), "no stack trace");

        var enable = amx.Run("history-store", "enable", "--profile", "tls", "--yes");
        Assert.That(enable.ExitCode, Is.EqualTo(1), enable.ToString());
        Assert.That(enable.Stderr, Does.StartWith("error: ").And.Contain("hint: "));
        var script = Ok(amx.Run("history-store", "script", "--backend", "redshift"));
        Assert.That(script.Stdout, Does.Contain("Amazon Redshift").And.Contain("VARCHAR(65535)"));

        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "s", "--db-profile", "rs")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        var outputs = new[] { tls, enable, Ok(amx.Run("apply", runId, "--yes")), Ok(amx.Run("db-profiles")) };
        foreach (var o in outputs) Assert.That(o.Stdout + o.Stderr, Does.Not.Contain(password));
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Not.Contain(password).And.Contain(RedshiftStubDatabase.PasswordVar));
        foreach (var f in Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories))
            Assert.That(File.ReadAllBytes(f).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(password)), Is.EqualTo(-1), $"{f} holds the password");
    }
}
