using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Databricks;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Apply;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// Databricks through the Statement Execution API against the loopback fake (no workspace is reachable here):
/// the client in process (parameters, polling, EXTERNAL_LINKS chunks fetched without credentials, errors,
/// retries), the comment writer's literal escaping, and the whole tool round trip.
/// </summary>
[TestFixture]
public sealed class DatabricksTests
{
    static readonly DatabricksProvider Provider = new();
    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 `tick` end";

    internal static FakeDatabricks Create()
    {
        var fake = new FakeDatabricks();
        fake.Tables.AddRange([
            new FakeCloudTable
            {
                Schema = "sales", Name = "customer", Type = "MANAGED", Comment = "People who buy",
                Columns = [new() { Name = "id", DataType = "BIGINT", Nullable = false }, new() { Name = "name", DataType = "STRING" }, new() { Name = "code", DataType = "STRING" }],
            },
            new FakeCloudTable
            {
                Schema = "sales", Name = "order lines", Type = "EXTERNAL",
                Columns = [new() { Name = "order_id", DataType = "BIGINT" }, new() { Name = "amount", DataType = "DECIMAL(10,2)", Comment = "Net amount" }],
            },
            new FakeCloudTable
            {
                Schema = "sales", Name = "big_customers", Type = "VIEW", ViewDefinition = "SELECT id, name FROM sales.customer",
                Columns = [new() { Name = "id", DataType = "BIGINT" }, new() { Name = "name", DataType = "STRING" }],
            },
            new FakeCloudTable { Schema = "ops", Name = "events", Type = "MANAGED", Columns = [new() { Name = "at", DataType = "TIMESTAMP" }] },
        ]);
        return fake;
    }

    static async Task<DatabricksConnection> OpenAsync(FakeDatabricks fake, string? token = null)
    {
        var p = new DbProfile { Name = "dbx", Backend = Backend.Databricks, Host = "dbc-1.cloud.databricks.com", Database = fake.Catalog, Password = token ?? fake.Token };
        p.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        p.Options[CloudConnectionStrings.HttpPathKey] = "/sql/1.0/warehouses/" + fake.WarehouseId;
        var c = new DatabricksConnection(CloudConnectionStrings.Databricks(p));
        await c.OpenAsync();
        return c;
    }

    [Test]
    public async Task Metadata_comes_in_external_link_chunks_fetched_without_the_token()
    {
        await using var fake = Create();
        fake.RowsPerChunk = 2;
        fake.PendingPolls = 2;
        await using var c = await OpenAsync(fake);
        var catalog = await Provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "ops.events", "sales.big_customers", "sales.customer", "sales.\"order lines\"" }));
        var customer = catalog.Tables.Single(t => t.Name.Table == "customer");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Comment, Is.EqualTo("People who buy"));
            Assert.That(customer.Columns.Select(x => x.Name), Is.EqualTo(new[] { "id", "name", "code" }));
            Assert.That(customer.Columns[0].IsNullable, Is.False);
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "order lines").Columns[1].Comment, Is.EqualTo("Net amount"));
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").ViewDefinition, Does.Contain("FROM sales.customer"));
        });
        var downloads = fake.Requests.Where(r => r.PathAndQuery.StartsWith("/fake-storage/")).ToList();
        Assert.That(downloads, Has.Count.EqualTo(1 + 2 + 4 + 1), "the open's probe, relations 4 rows, columns 8 rows, views 1 row, in chunks of 2");
        Assert.That(downloads.Any(r => r.Headers.ContainsKey("Authorization")), Is.False, "presigned links never get the token");
        Assert.That(fake.Requests.Count(r => r.PathAndQuery.Contains("/result/chunks/")), Is.EqualTo(1 + 3), "next_chunk_internal_link followed");
        Assert.That(fake.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/api/2.0/sql/statements/") && !r.PathAndQuery.Contains("/result/")),
            Is.EqualTo(5 * 2), "(probe, three reads, key columns) PENDING/RUNNING statements are polled until SUCCEEDED");

        var scoped = await Provider.Metadata.ReadAsync(c, Scope.Parse("sales.customer"), MetadataOptions.Default);
        Assert.That(scoped.Tables.Single().Name.ToString(), Is.EqualTo("sales.customer"));
        var (sql, parameters) = fake.Statements.Last();
        Assert.That(sql, Does.Contain(":schema"));
        Assert.That(parameters, Is.EqualTo(new Dictionary<string, string?> { ["schema"] = "sales", ["table"] = "customer" }));
        var whole = JsonDocument.Parse(fake.Requests.First(r => r.Method == "POST" && r.Body.Contains("information_schema.tables")).Body).RootElement;
        Assert.That(whole.GetProperty("parameters")[0].TryGetProperty("value", out _), Is.False, "a NULL parameter is sent without a value");
        Assert.That(whole.GetProperty("warehouse_id").GetString(), Is.EqualTo(fake.WarehouseId));
        Assert.That(whole.GetProperty("catalog").GetString(), Is.EqualTo("main"));
    }

    [Test]
    public async Task Bad_tokens_rate_limits_and_failed_statements_are_reported_exactly()
    {
        await using var fake = Create();
        var refused = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, "dapi-wrong-token-0000"));
        Assert.That(refused!.Message, Is.EqualTo("Databricks refused the token (HTTP 401: Credential was not sent or was of an unsupported type for this API.)"));

        await using var c = await OpenAsync(fake);
        fake.Faults.Enqueue(FakeDatabricks.TooManyRequests());
        var info = await Provider.ServerInfo.ReadAsync(c);
        Assert.That(info.Version, Is.EqualTo($"Databricks SQL 3.5.0 (fake) (warehouse {fake.WarehouseId}, catalog main)"));
        Assert.That(info.User, Is.EqualTo("amx@example.com"));
        Assert.That(await Provider.ServerInfo.IdentityAsync(c), Is.EqualTo("databricks:aws:us-west-2:0f1e2d3c/main"));

        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DROP TABLE sales.customer";
        var failed = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteNonQueryAsync());
        Assert.That(failed!.SqlState, Is.EqualTo("42601"));
        Assert.That(failed.Message, Does.StartWith("Databricks statement failed (42601): [PARSE_SYNTAX_ERROR]"));
    }

    [Test]
    public async Task A_statement_over_its_timeout_is_cancelled_and_reported()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake);
        fake.PendingPolls = 1_000_000;
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version(), current_user(), current_catalog()";
        cmd.CommandTimeout = 1;
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
        Assert.That(e!.Message, Does.Match("^Databricks statement [0-9a-f-]+ did not finish within 1 s and was cancelled$"));
        Assert.That(fake.Requests.Last().PathAndQuery, Does.Match("^/api/2.0/sql/statements/[0-9a-f-]+/cancel$"));
    }

    [Test]
    public async Task Comments_round_trip_byte_exact_with_backslash_escaped_literals()
    {
        await using var fake = Create();
        fake.ReadOnlyTables.Add("ops.events");
        await using var c = await OpenAsync(fake);
        CommentTarget T(string q, string kind) => new(QualifiedName.Parse(q), kind);
        var failures = await Provider.Comments.WriteManyAsync(c, [
            new(T("sales.customer.code", TargetKinds.Column), Tricky),
            new(T("sales.big_customers", TargetKinds.View), "Customers above 1M"),
            new(T("sales.customer", TargetKinds.Table), null),
            new(T("ops.events", TargetKinds.Table), "Event log"),
            new(T("sales.nope", TargetKinds.Table), "missing"),
        ]);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()), Is.EquivalentTo(new[] { "ops.events", "sales.nope" }));
        Assert.Multiple(() =>
        {
            Assert.That(failures[T("ops.events", TargetKinds.Table)].Message, Does.Contain("the user may not comment it"));
            Assert.That(failures[T("sales.nope", TargetKinds.Table)].Message, Does.Contain("does not exist or the user cannot see it"));
            Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.EqualTo(Tricky));
            Assert.That(fake.Find("sales", "big_customers")!.Comment, Is.EqualTo("Customers above 1M"));
            Assert.That(fake.Find("sales", "customer")!.Comment, Is.Null, "IS NULL removes");
        });
        var rendered = await Provider.Comments.RenderStatementsAsync(null, QualifiedName.Parse("sales.customer.code"), TargetKinds.Column, "it's a\\b");
        Assert.That(rendered.Single(), Is.EqualTo("COMMENT ON COLUMN `sales`.`customer`.`code` IS 'it\\'s a\\\\b'"));
    }

    [Test]
    public async Task The_tool_inspects_drafts_applies_and_reverts_through_the_fake()
    {
        await using var fake = Create();
        fake.RowsPerChunk = 3;
        using var amx = new AmxCli("alice");
        amx.Env["DBX_TOKEN"] = fake.Token;
        WarehouseWorld.Ok(amx.Run("add-db-profile", "dbx", "--backend", "databricks", "--host", "dbc-1.cloud.databricks.com", "--http-path",
            "/sql/1.0/warehouses/" + fake.WarehouseId, "--database", "main", "--secret-env", "DBX_TOKEN", "--base-url", fake.BaseUrl));
        WarehouseWorld.Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        var test = WarehouseWorld.Ok(amx.Run("db-profiles", "test", "dbx"));
        Assert.That(test.Stdout, Does.Contain("Databricks SQL 3.5.0 (fake)"));
        var inspect = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("db", "inspect", "--output", "json")).Stdout).RootElement;
        Assert.That(inspect.GetProperty("schemas").EnumerateArray().Select(s => s.GetProperty("schema").GetString()), Is.EquivalentTo(new[] { "sales", "ops" }));

        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(amx.Run("run", "sales")));
        WarehouseWorld.Ok(amx.Run("review", runId, "--accept", "all", "--set", $"sales.customer.code={Tricky}"));
        var applied = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json")).Stdout).RootElement;
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.EqualTo(Tricky));
        Assert.That(fake.Find("sales", "customer")!.Comment, Is.Not.EqualTo("People who buy").And.Not.Null);
        var reverted = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("revert", runId, "--yes", "--output", "json")).Stdout).RootElement;
        Assert.That(reverted.GetProperty("failed").GetInt32(), Is.EqualTo(0), reverted.ToString());
        Assert.That(fake.Find("sales", "customer")!.Comment, Is.EqualTo("People who buy"));
        Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.Null);

        var home = string.Join("\n", Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)));
        Assert.That(home + test.Stdout, Does.Not.Contain(fake.Token), "the token is in no output, config or history");
    }
}
