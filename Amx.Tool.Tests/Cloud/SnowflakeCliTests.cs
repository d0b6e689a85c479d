using System.Text.Json;
using Amx.Tool.Tests.Apply;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// Snowflake through the real tool (amx.dll in its own process) against the loopback fake: add-db-profile with the
/// key in an environment variable, db-profiles test, db inspect, run (offline LLM) → review → apply → revert read
/// back from the fake's catalog. The key never reaches output or history.
/// </summary>
[TestFixture]
public sealed class SnowflakeCliTests
{
    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 end";

    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);
    static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement.Clone();

    static AmxCli NewCli(FakeSnowflake fake)
    {
        var amx = new AmxCli("alice");
        amx.Env["SF_KEY"] = fake.PrivateKeyPem;
        Ok(amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "fakeacct.snowflakecomputing.com", "--database", "ANALYTICS",
            "--warehouse", "COMPUTE_WH", "--role", "AMX_WRITER", "--user", "amx_bot", "--secret-env", "SF_KEY", "--base-url", fake.BaseUrl));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    static void AssertNoSecret(FakeSnowflake fake, AmxCli amx, params AmxCli.Result[] results)
    {
        var keyBody = fake.PrivateKeyPem.Split('\n')[1];
        var jwts = fake.Requests.Select(r => r.Headers.GetValueOrDefault("Authorization") ?? "").Where(a => a.Length > 20).Select(a => a["Bearer ".Length..]).Distinct().ToList();
        Assert.That(jwts, Is.Not.Empty);
        var files = Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1));
        foreach (var text in results.SelectMany(r => new[] { r.Stdout, r.Stderr }).Concat(files))
        {
            Assert.That(text, Does.Not.Contain(keyBody));
            foreach (var jwt in jwts) Assert.That(text, Does.Not.Contain(jwt));
        }
    }

    [Test]
    public async Task Profile_test_and_inspect_show_the_account_and_the_catalog()
    {
        await using var fake = SnowflakeFixture.Create();
        using var amx = NewCli(fake);
        var test = Ok(amx.Run("db-profiles", "test", "sf"));
        Assert.That(test.Stdout, Does.Contain("Snowflake 8.44.2 (account FAKEACCT, role AMX_WRITER, warehouse COMPUTE_WH, database ANALYTICS)"));
        var inspect = Json(amx.Run("db", "inspect", "--output", "json"));
        var schemas = inspect.GetProperty("schemas").EnumerateArray().ToDictionary(s => s.GetProperty("schema").GetString()!);
        Assert.That(schemas.Keys, Is.EquivalentTo(new[] { "SALES", "OPS" }));
        Assert.Multiple(() =>
        {
            Assert.That(schemas["SALES"].GetProperty("tables").GetInt32(), Is.EqualTo(2));
            Assert.That(schemas["SALES"].GetProperty("views").GetInt32(), Is.EqualTo(1));
            Assert.That(schemas["SALES"].GetProperty("columns").GetInt32(), Is.EqualTo(8));
            Assert.That(inspect.GetProperty("capabilities").GetProperty("can_host_history_store").GetBoolean(), Is.True, "SnowflakeHistoryStoreTests");
        });
        AssertNoSecret(fake, amx, test);
    }

    [Test]
    public async Task Run_review_apply_revert_round_trip_is_read_back_from_the_fake()
    {
        await using var fake = SnowflakeFixture.Create();
        fake.RowsPerPartition = 3;
        fake.AsyncPolls = 1;
        using var amx = NewCli(fake);
        string? Comment(string table, string? column = null) =>
            column is null ? fake.Find("SALES", table)!.Comment : fake.Find("SALES", table)!.Columns.Single(c => c.Name == column).Comment;
        var run = Ok(amx.Run("run", "SALES"));
        var runId = WarehouseWorld.RunIdOf(run);
        Ok(amx.Run("review", runId, "--accept", "all", "--set", $"SALES.CUSTOMER.code={Tricky}"));

        var export = Ok(amx.Run("export", runId, "--format", "sql"));
        Assert.That(export.Stdout, Does.Contain("COMMENT ON COLUMN \"SALES\".\"CUSTOMER\".\"code\" IS 'it''s"));
        var dry = Ok(amx.Run("apply", runId, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain("COMMENT ON COLUMN \"SALES\".\"CUSTOMER\".\"code\" IS 'it''s \"quoted\"; -- $$ back\\\\slash"));
        Assert.That(Comment("CUSTOMER", "code"), Is.EqualTo(""), "a dry run writes nothing");

        var applied = Json(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json"));
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(Comment("CUSTOMER", "code"), Is.EqualTo(Tricky), "byte-exact through literal escaping and back");
            Assert.That(Comment("CUSTOMER"), Is.Not.EqualTo("People who buy").And.Not.Null);
            Assert.That(Comment("BIG_CUSTOMERS", "NAME"), Is.Not.Null.And.Not.Empty, "view columns are commented too");
            Assert.That(fake.Find("OPS", "EVENTS")!.Comment, Is.Null, "outside the scope");
        });

        var reverted = Json(amx.Run("revert", runId, "--yes", "--output", "json"));
        Assert.That(reverted.GetProperty("failed").GetInt32(), Is.EqualTo(0), reverted.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(Comment("CUSTOMER"), Is.EqualTo("People who buy"));
            Assert.That(Comment("CUSTOMER", "code"), Is.Null.Or.Empty);
            Assert.That(Comment("order \"lines\"", "AMOUNT"), Is.EqualTo("Net amount"));
        });
        AssertNoSecret(fake, amx, run, dry);
    }

    [Test]
    public async Task A_comment_changed_after_drafting_is_a_conflict_and_nothing_is_overwritten()
    {
        await using var fake = SnowflakeFixture.Create();
        using var amx = NewCli(fake);
        var runId = WarehouseWorld.RunIdOf(Ok(amx.Run("run", "SALES.CUSTOMER.NAME")));
        Ok(amx.Run("review", runId, "--accept", "all"));
        fake.Find("SALES", "CUSTOMER")!.Columns.Single(c => c.Name == "NAME").Comment = "changed by a colleague";
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(fake.Find("SALES", "CUSTOMER")!.Columns.Single(c => c.Name == "NAME").Comment, Is.EqualTo("changed by a colleague"));
    }

    [Test]
    public async Task Bad_profiles_get_one_clear_error_line()
    {
        await using var fake = SnowflakeFixture.Create();
        using var amx = new AmxCli("alice");
        var missing = amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "x.snowflakecomputing.com");
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Stderr, Does.Contain("error: missing --database, --user, --secret-env for a snowflake profile"));
        var auth = amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "x", "--database", "D", "--user", "U", "--secret-env", "V", "--auth", "password");
        Assert.That(auth.Stderr, Does.Contain("error: --auth password is not a snowflake auth method"));
        var wrong = amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--warehouse", "W");
        Assert.That(wrong.Stderr, Does.Contain("error: --warehouse applies to cloud warehouse profiles only"));

        amx.Env["SF_KEY"] = "not a key";
        Ok(amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "fakeacct.x", "--database", "ANALYTICS", "--user", "amx_bot", "--secret-env", "SF_KEY", "--base-url", fake.BaseUrl));
        var bad = amx.Run("db-profiles", "test", "sf");
        Assert.That(bad.ExitCode, Is.Not.EqualTo(0));
        Assert.That(bad.Stderr, Does.Contain("cannot read the Snowflake private key"));
        Assert.That(bad.Stderr, Does.Not.Contain("not a key"));
    }
}
