using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Security;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.BigQuery;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Apply;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// BigQuery through its REST API against the loopback fake (no Google project is reachable here): the service
/// account's JWT-bearer token (signature verified by the fake), jobs.query/getQueryResults polling and paging,
/// errors and retries, literal escaping of descriptions in ALTER … SET OPTIONS, and the whole tool round trip.
/// </summary>
[TestFixture]
public sealed class BigQueryTests
{
    static readonly BigQueryProvider Provider = new();
    /// <summary>Everything a GoogleSQL literal must escape, plus text that looks like escapes or other quote forms.</summary>
    const string Tricky = "it's \"quoted\" ''' \"\"\" r'raw' -- back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 `tick` \u0001ctl \\x41 @t0 end";

    internal static FakeBigQuery Create()
    {
        var fake = new FakeBigQuery();
        fake.Tables.AddRange([
            new FakeCloudTable
            {
                Schema = "sales", Name = "customer", Comment = "People who buy",
                Columns = [new() { Name = "id", DataType = "INT64", Nullable = false }, new() { Name = "name", DataType = "STRING" }, new() { Name = "code", DataType = "STRING" }],
            },
            new FakeCloudTable
            {
                Schema = "sales", Name = "order lines",
                Columns = [new() { Name = "order_id", DataType = "INT64" }, new() { Name = "customer_id", DataType = "INT64" }, new() { Name = "amount", DataType = "NUMERIC", Comment = "Net amount" }],
            },
            new FakeCloudTable
            {
                Schema = "sales", Name = "big_customers", Type = "VIEW", ViewDefinition = "SELECT id, name FROM sales.customer",
                Columns = [new() { Name = "id", DataType = "INT64" }, new() { Name = "name", DataType = "STRING" }],
            },
            new FakeCloudTable { Schema = "ops", Name = "events", Columns = [new() { Name = "at", DataType = "TIMESTAMP" }] },
        ]);
        fake.Keys.AddRange([
            new FakeBigQueryKey("sales", "customer", "customer.pk$", "PRIMARY KEY", ["id"]),
            new FakeBigQueryKey("sales", "order lines", "order lines.pk$", "PRIMARY KEY", ["order_id"]),
            new FakeBigQueryKey("sales", "order lines", "fk_customer", "FOREIGN KEY", ["customer_id"], "customer", ["id"]),
        ]);
        return fake;
    }

    static readonly TempKeyFiles KeyFiles = new("amx-bq-key");

    static string KeyFile(string json) => KeyFiles.Write(json);

    [OneTimeTearDown]
    public void DeleteKeyFiles() => KeyFiles.DeleteAll();

    static DbProfile Profile(FakeBigQuery fake, string secret, string? auth = null, string? dataset = null)
    {
        var p = new DbProfile { Name = "bq", Backend = Backend.BigQuery, Database = fake.Project, Password = secret };
        p.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        p.Options[CloudSettings.LocationKey] = "US";
        if (auth is not null) p.Options[CloudSettings.AuthKey] = auth;
        if (dataset is not null) p.Options[CloudConnectionStrings.DatasetKey] = dataset;
        return p;
    }

    static async Task<BigQueryConnection> OpenAsync(FakeBigQuery fake, string? secret = null, string? auth = null, string? dataset = null)
    {
        var c = new BigQueryConnection(CloudConnectionStrings.BigQuery(Profile(fake, secret ?? KeyFile(fake.KeyJson()), auth, dataset)));
        await c.OpenAsync();
        return c;
    }

    [Test]
    public async Task Metadata_is_read_set_based_with_polling_paging_and_one_cached_token()
    {
        await using var fake = Create();
        fake.RowsPerPage = 2;
        fake.PendingPolls = 2;
        await using var c = await OpenAsync(fake);
        var catalog = await Provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "ops.events", "sales.big_customers", "sales.customer", "sales.\"order lines\"" }));
        var customer = catalog.Tables.Single(t => t.Name.Table == "customer");
        var lines = catalog.Tables.Single(t => t.Name.Table == "order lines");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Comment, Is.EqualTo("People who buy"), "TABLE_OPTIONS' literal option_value is parsed");
            Assert.That(customer.Columns.Select(x => x.Name), Is.EqualTo(new[] { "id", "name", "code" }));
            Assert.That(customer.Columns[0].IsNullable, Is.False);
            Assert.That(customer.Columns[1].Default, Is.Null, "COLUMNS' \"NULL\" default is no default");
            Assert.That(lines.Columns[2].Comment, Is.EqualTo("Net amount"), "COLUMN_FIELD_PATHS.description");
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "id" }));
            Assert.That(lines.ForeignKeys.Single().References.ToString(), Is.EqualTo("sales.customer"));
            Assert.That(lines.ForeignKeys.Single().Columns, Is.EqualTo(new[] { "customer_id" }));
            Assert.That(lines.ForeignKeys.Single().ReferencedColumns, Is.EqualTo(new[] { "id" }));
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").ViewDefinition, Does.Contain("FROM sales.customer"));
        });
        Assert.That(fake.TokenRequests, Is.EqualTo(1), "the access token is cached across statements");
        Assert.That(fake.Requests.Where(r => r.PathAndQuery.StartsWith("/bigquery/")).All(r => r.Headers["Authorization"] == "Bearer " + fake.IssuedTokens.Single()));
        var polls = fake.Requests.Count(r => r.Method == "GET" && !r.PathAndQuery.Contains("pageToken="));
        Assert.That(polls, Is.EqualTo(6 * 2), "probe, relations, columns, views, keys, references: each polled twice while jobComplete=false");
        Assert.That(fake.Requests.Count(r => r.PathAndQuery.Contains("pageToken=")), Is.EqualTo(1 + 4 + 0 + 1 + 1),
            "pages of 2: relations 4 rows, columns 9 rows, views 1, keys 3, references 3");
        Assert.That(fake.Requests.Where(r => r.Method == "GET").All(r => r.PathAndQuery.Contains("location=US")));

        var body = JsonDocument.Parse(fake.Requests.First(r => r.Method == "POST" && r.Body.Contains("INFORMATION_SCHEMA.TABLES t")).Body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("useLegacySql").GetBoolean(), Is.False);
            Assert.That(body.GetProperty("parameterMode").GetString(), Is.EqualTo("NAMED"));
            Assert.That(body.GetProperty("query").GetString(), Does.Contain("FROM `amx-demo-project`.`region-us`.INFORMATION_SCHEMA.TABLES t"));
            var schema = body.GetProperty("queryParameters")[0];
            Assert.That(schema.GetProperty("name").GetString(), Is.EqualTo("schema"));
            Assert.That(schema.GetProperty("parameterType").GetProperty("type").GetString(), Is.EqualTo("STRING"));
            Assert.That(schema.GetProperty("parameterValue").TryGetProperty("value", out _), Is.False, "NULL: a parameterValue without a value");
            Assert.That(body.GetProperty("maxResults").GetInt32(), Is.EqualTo(BigQueryClient.PageRows));
            Assert.That(body.GetProperty("timeoutMs").GetInt64(), Is.GreaterThan(0));
            Assert.That(body.GetProperty("location").GetString(), Is.EqualTo("US"));
            Assert.That(Guid.TryParse(body.GetProperty("requestId").GetString(), out _), Is.True);
        });

        var scoped = await Provider.Metadata.ReadAsync(c, Scope.Parse("sales.customer"), MetadataOptions.Default);
        Assert.That(scoped.Tables.Single().Name.ToString(), Is.EqualTo("sales.customer"));
        var (sql, parameters) = fake.Statements.First(s => s.Sql.Contains("`amx-demo-project`.`sales`.INFORMATION_SCHEMA.TABLES t"));
        Assert.That(parameters, Is.EqualTo(new Dictionary<string, string?> { ["schema"] = "sales", ["table"] = "customer" }), "a scope reads its dataset's INFORMATION_SCHEMA");
        Assert.That(sql, Does.Not.Contain("'sales'"), "names are bound, never spliced");
    }

    [Test]
    public async Task Bad_credentials_are_refused_with_one_clear_message_that_holds_no_secret()
    {
        await using var fake = Create();
        using var other = RSA.Create(2048);
        var forged = fake.KeyJson().Replace(JsonSerializer.Serialize(fake.PrivateKeyPem)[1..^1], JsonSerializer.Serialize(other.ExportPkcs8PrivateKeyPem())[1..^1]);
        Assert.That(forged, Does.Not.Contain(JsonSerializer.Serialize(fake.PrivateKeyPem)[1..^1]));
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, KeyFile(forged)));
        Assert.That(e!.Message, Is.EqualTo("Google refused the service account's token request (HTTP 400: Invalid JWT Signature.)"));
        Assert.That(e.IsAuthFailure, Is.True);
        Assert.That(fake.IssuedTokens, Is.Empty);

        var oauth = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, "ya29.wrong-token-0000000000", "oauth"));
        Assert.That(oauth!.Message, Does.StartWith("BigQuery refused the credentials (HTTP 401: Request is missing required authentication credential."));
        Assert.That(Redactor.Redact(oauth.Message + " ya29.wrong-token-0000000000"), Does.Not.Contain("ya29.wrong-token-0000000000"), "the token is registered as a secret");

        var missing = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, "/nonexistent/dir/key.json"));
        Assert.That(missing!.Message, Is.EqualTo("cannot read the BigQuery service-account key file (DirectoryNotFound: file not readable)"));
        var notJson = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, KeyFile("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----")));
        Assert.That(notJson!.Message, Does.StartWith("the BigQuery service-account key is not JSON").And.Not.Contain("MIIB"));

        await using var ok = await OpenAsync(fake, fake.OAuthToken, "oauth");
        Assert.That((await Provider.ServerInfo.ReadAsync(ok)).User, Is.EqualTo(fake.ServiceAccountEmail), "a valid access token is used as is");
        Assert.That(fake.TokenRequests, Is.EqualTo(1), "--auth oauth never calls the token endpoint");
        var assertion = Uri.UnescapeDataString(fake.Requests.First(r => r.PathAndQuery == "/token").Body.Split("assertion=")[1]);
        Assert.That(Redactor.Redact("x " + assertion), Does.Not.Contain(assertion), "the signed assertion is registered as a secret");
    }

    [Test]
    public async Task Rate_limits_are_retried_after_retry_after_and_failures_carry_googles_reason()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake);
        fake.Faults.Enqueue(FakeBigQuery.TooManyRequests(1));
        var sw = Stopwatch.StartNew();
        var info = await Provider.ServerInfo.ReadAsync(c);
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)), "Retry-After: 1 was honoured");
        Assert.That(info.Version, Is.EqualTo("BigQuery (project amx-demo-project, location US, dataset none)"));
        var posts = fake.Requests.Where(r => r.Method == "POST" && r.Body.Contains("SESSION_USER")).ToList();
        Assert.That(posts, Has.Count.EqualTo(2), "the rate-limited POST was sent again");
        Assert.That(posts[0].Body, Is.EqualTo(posts[1].Body), "with the same requestId, so BigQuery runs it once");
        Assert.That(await Provider.ServerInfo.IdentityAsync(c), Is.EqualTo("bigquery:amx-demo-project"));

        // A 403 rateLimitExceeded (how BigQuery reports table-update limits) is retried too; a 403 denial is not.
        fake.Faults.Enqueue(FakeBigQuery.Forbidden403RateLimit());
        fake.Faults.Enqueue(FakeBigQuery.Forbidden403RateLimit());
        Assert.That(await Provider.ServerInfo.IdentityAsync(c), Is.EqualTo("bigquery:amx-demo-project"));
        Assert.That(fake.Requests.Count(r => r.Method == "POST" && r.Body.Contains("SELECT @@project_id")), Is.EqualTo(4), "two identity reads, the second after two 403 rate limits");

        for (var i = 0; i < 6; i++) fake.Faults.Enqueue(FakeBigQuery.TooManyRequests());
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT 1";
            var spent = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
            Assert.That(spent!.Message, Does.Contain("429"));
        }
        fake.Faults.Clear();

        await using var drop = c.CreateCommand();
        drop.CommandText = "DROP TABLE sales.customer";
        var failed = Assert.ThrowsAsync<HttpSqlException>(async () => await drop.ExecuteNonQueryAsync());
        Assert.That(failed!.VendorCode, Is.EqualTo("invalidQuery"));
        Assert.That(failed.SqlState, Is.EqualTo("INVALID_ARGUMENT"));
        Assert.That(failed.Message, Is.EqualTo("BigQuery error invalidQuery (HTTP 400): Syntax error: Unexpected keyword DROP at [1:1]"));
    }

    [Test]
    public async Task A_job_over_its_timeout_is_cancelled_and_reported()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake);
        fake.PendingPolls = 1_000_000;
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT @@project_id";
        cmd.CommandTimeout = 1;
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
        Assert.That(e!.Message, Does.Match("^BigQuery job [0-9a-f]{32} did not finish within 1 s and was cancelled$"));
        Assert.That(fake.Requests.Last().PathAndQuery, Does.Match("^/bigquery/v2/projects/amx-demo-project/jobs/[0-9a-f]{32}/cancel\\?location=US$"));
    }

    [TestCase("plain")]
    [TestCase("it's")]
    [TestCase("back\\slash\\")]
    [TestCase("'''")]
    [TestCase("\"\"\"")]
    [TestCase("line1\nline2\r\nline3")]
    [TestCase("😀 𠜎 ü")]
    public void Literals_escape_every_special_character_and_parse_back(string text)
    {
        var literal = BigQueryDialect.Literal(text);
        Assert.That(literal, Does.StartWith("'").And.EndWith("'"));
        Assert.That(literal[1..^1], Does.Not.Contain("\n").And.Not.Contain("\r"), "a raw newline ends a single-quoted literal");
        Assert.That(literal[1..^1].Replace("\\\\", "").Replace("\\'", ""), Does.Not.Contain("'"), "every quote is escaped");
        Assert.That(BigQueryDialect.ParseLiteral(literal), Is.EqualTo(text));
    }

    [Test]
    public void Literals_parse_every_documented_form()
    {
        // Control characters here, not as test cases: test names with them are not run by every adapter.
        foreach (var text in new[] { "\u0001\u001f\u007f", Tricky, Tricky + "\u0002" })
            Literals_escape_every_special_character_and_parse_back(text);
        Assert.Multiple(() =>
        {
            Assert.That(BigQueryDialect.Literal("it's a\\b\nc"), Is.EqualTo("'it\\'s a\\\\b\\nc'"));
            Assert.That(BigQueryDialect.ParseLiteral("\"say \\\"hi\\\"\""), Is.EqualTo("say \"hi\""));
            Assert.That(BigQueryDialect.ParseLiteral("'''a\n'b'\n'''"), Is.EqualTo("a\n'b'\n"));
            Assert.That(BigQueryDialect.ParseLiteral("r'\\n stays'"), Is.EqualTo("\\n stays"));
            Assert.That(BigQueryDialect.ParseLiteral("'\\x41\\101\\u00e9\\U0001F600\\a\\?\\`'"), Is.EqualTo("AAé😀\a?`"));
            Assert.That(() => BigQueryDialect.ParseLiteral("'\\q'"), Throws.TypeOf<FormatException>());
            Assert.That(() => BigQueryDialect.Literal("nul\0"), Throws.ArgumentException);
            Assert.That(BigQueryDialect.Instance.QuoteIdentifier("we`ird\\name"), Is.EqualTo("`we\\`ird\\\\name`"));
        });
    }

    [Test]
    public async Task Descriptions_round_trip_byte_exact_through_alter_set_options()
    {
        await using var fake = Create();
        fake.ReadOnlyTables.Add("ops.events");
        await using var c = await OpenAsync(fake);
        CommentTarget T(string q, string kind) => new(QualifiedName.Parse(q), kind);
        var failures = await Provider.Comments.WriteManyAsync(c, [
            new(T("sales.customer.code", TargetKinds.Column), Tricky),
            new(T("sales.customer", TargetKinds.Table), Tricky + " table"),
            new(T("sales.big_customers", TargetKinds.View), "Customers above 1M"),
            new(T("sales.big_customers.name", TargetKinds.Column), "Their name"),
            new(T("sales.\"order lines\".amount", TargetKinds.Column), null),
            new(T("ops.events", TargetKinds.Table), "Event log"),
            new(T("sales.nope", TargetKinds.Table), "missing"),
            new(T("sales.customer.name", TargetKinds.Column), new string('x', 1025)),
        ]);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()), Is.EquivalentTo(new[] { "ops.events", "sales.nope", "sales.customer.name" }));
        Assert.Multiple(() =>
        {
            Assert.That(failures[T("ops.events", TargetKinds.Table)].Message, Does.Contain("the account may not change its description"));
            Assert.That(failures[T("sales.nope", TargetKinds.Table)].Message, Does.Contain("does not exist or the account cannot see it"));
            Assert.That(failures[T("sales.customer.name", TargetKinds.Column)].Message, Does.Contain("1024"));
            Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.EqualTo(Tricky));
            Assert.That(fake.Find("sales", "customer")!.Comment, Is.EqualTo(Tricky + " table"));
            Assert.That(fake.Find("sales", "big_customers")!.Comment, Is.EqualTo("Customers above 1M"));
            Assert.That(fake.Find("sales", "big_customers")!.Columns.Single(x => x.Name == "name").Comment, Is.EqualTo("Their name"), "a view's column: ALTER VIEW … ALTER COLUMN");
            Assert.That(fake.Find("sales", "order lines")!.Columns.Single(x => x.Name == "amount").Comment, Is.Null, "description = NULL removes");
            Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "name").Comment, Is.Null, "the over-long text was never sent");
        });
        Assert.That(fake.Statements.Select(s => s.Sql), Has.Some.StartsWith("ALTER VIEW `amx-demo-project`.`sales`.`big_customers` ALTER COLUMN `name` SET OPTIONS"));
        var live = await Provider.Comments.ReadLiveCommentAsync(c, null, QualifiedName.Parse("sales.customer"), TargetKinds.Table);
        Assert.That(live, Is.EqualTo(Tricky + " table"), "read back from TABLE_OPTIONS' literal");
        var gone = await Provider.Comments.ReadLiveCommentsAsync(c, null, [T("gone.t", TargetKinds.Table), T("gone.t.c", TargetKinds.Column), T("sales.customer.id", TargetKinds.Column)]);
        Assert.That(gone.Keys.Select(k => k.ToString()), Is.EqualTo(new[] { T("sales.customer.id", TargetKinds.Column).ToString() }),
            "targets in a dataset that no longer exists are missing, the others read");
        var rendered = await Provider.Comments.RenderStatementsAsync(null, QualifiedName.Parse("sales.customer.code"), TargetKinds.Column, "it's a\\b");
        Assert.That(rendered.Single(), Is.EqualTo("ALTER TABLE `sales`.`customer` ALTER COLUMN `code` SET OPTIONS (description = 'it\\'s a\\\\b')"));
        var table = await Provider.Comments.RenderStatementsAsync(c, QualifiedName.Parse("sales.customer"), TargetKinds.Table, null);
        Assert.That(table.Single(), Is.EqualTo("ALTER TABLE `amx-demo-project`.`sales`.`customer` SET OPTIONS (description = NULL)"));
        var tooLong = Assert.ThrowsAsync<CommentWriteException>(async () =>
            await Provider.Comments.WriteAsync(c, null, QualifiedName.Parse("sales.customer"), TargetKinds.Table, new string('y', 16_385)));
        Assert.That(tooLong!.Message, Does.Contain("16384"));
    }

    [Test]
    public async Task The_dataset_option_limits_an_unscoped_read_to_that_dataset()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake, dataset: "sales");
        var catalog = await Provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.Schema).Distinct(), Is.EqualTo(new[] { "sales" }), "--dataset limits the read to that dataset");
    }

    // ---- the tool end to end ------------------------------------------------------------------------------------

    static AmxCli NewCli(FakeBigQuery fake, out string keyPath)
    {
        var amx = new AmxCli("alice");
        keyPath = KeyFile(fake.KeyJson());
        amx.Env["BQ_KEY"] = keyPath;
        WarehouseWorld.Ok(amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", fake.Project, "--location", "US",
            "--secret-env", "BQ_KEY", "--base-url", fake.BaseUrl));
        WarehouseWorld.Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        return amx;
    }

    static void AssertNoSecret(FakeBigQuery fake, AmxCli amx, params AmxCli.Result[] results)
    {
        var keyLine = fake.PrivateKeyPem.Split('\n')[1];
        var tokens = fake.IssuedTokens.ToList();
        Assert.That(tokens, Is.Not.Empty);
        var files = Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1));
        foreach (var text in results.SelectMany(r => new[] { r.Stdout, r.Stderr }).Concat(files))
        {
            Assert.That(text, Does.Not.Contain(keyLine));
            foreach (var t in tokens) Assert.That(text, Does.Not.Contain(t));
        }
    }

    [Test]
    public async Task The_tool_inspects_drafts_applies_and_reverts_through_the_fake()
    {
        await using var fake = Create();
        fake.RowsPerPage = 3;
        fake.PendingPolls = 1;
        using var amx = NewCli(fake, out _);
        var test = WarehouseWorld.Ok(amx.Run("db-profiles", "test", "bq"));
        Assert.That(test.Stdout, Does.Contain("BigQuery (project amx-demo-project, location US, dataset none)"));
        var inspect = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("db", "inspect", "--output", "json")).Stdout).RootElement;
        var schemas = inspect.GetProperty("schemas").EnumerateArray().ToDictionary(s => s.GetProperty("schema").GetString()!);
        Assert.That(schemas.Keys, Is.EquivalentTo(new[] { "sales", "ops" }));
        Assert.That(schemas["sales"].GetProperty("views").GetInt32(), Is.EqualTo(1));
        Assert.That(schemas["sales"].GetProperty("columns").GetInt32(), Is.EqualTo(8));

        var run = WarehouseWorld.Ok(amx.Run("run", "sales"));
        var runId = WarehouseWorld.RunIdOf(run);
        WarehouseWorld.Ok(amx.Run("review", runId, "--accept", "all", "--set", $"sales.customer.code={Tricky}"));
        var dry = WarehouseWorld.Ok(amx.Run("apply", runId, "--dry-run"));
        Assert.That(dry.Stdout, Does.Contain("ALTER TABLE `amx-demo-project`.`sales`.`customer` ALTER COLUMN `code` SET OPTIONS (description = 'it\\'s \"quoted\""));
        Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.Null, "a dry run writes nothing");

        var applied = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("apply", runId, "--replace-outside-comments", "--yes", "--output", "json")).Stdout).RootElement;
        Assert.That(applied.GetProperty("failed").GetInt32(), Is.EqualTo(0), applied.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.EqualTo(Tricky), "byte-exact through the literal and back");
            Assert.That(fake.Find("sales", "customer")!.Comment, Is.Not.EqualTo("People who buy").And.Not.Null);
            Assert.That(fake.Find("sales", "big_customers")!.Columns.Single(x => x.Name == "name").Comment, Is.Not.Null.And.Not.Empty, "view columns too");
            Assert.That(fake.Find("ops", "events")!.Comment, Is.Null, "outside the scope");
        });
        var reverted = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("revert", runId, "--yes", "--output", "json")).Stdout).RootElement;
        Assert.That(reverted.GetProperty("failed").GetInt32(), Is.EqualTo(0), reverted.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(fake.Find("sales", "customer")!.Comment, Is.EqualTo("People who buy"));
            Assert.That(fake.Find("sales", "customer")!.Columns.Single(x => x.Name == "code").Comment, Is.Null);
            Assert.That(fake.Find("sales", "order lines")!.Columns.Single(x => x.Name == "amount").Comment, Is.EqualTo("Net amount"));
        });

        AssertNoSecret(fake, amx, test, run, dry);
    }

    [Test]
    public async Task A_description_changed_after_drafting_is_a_conflict_and_nothing_is_overwritten()
    {
        await using var fake = Create();
        using var amx = NewCli(fake, out _);
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(amx.Run("run", "sales.customer.name")));
        WarehouseWorld.Ok(amx.Run("review", runId, "--accept", "all"));
        fake.Find("sales", "customer")!.Columns.Single(c => c.Name == "name").Comment = "changed by a colleague";
        var r = amx.Run("apply", runId, "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(fake.Find("sales", "customer")!.Columns.Single(c => c.Name == "name").Comment, Is.EqualTo("changed by a colleague"));
        Assert.That(fake.Statements.Select(s => s.Sql), Has.None.StartsWith("ALTER"), "no DDL was sent");
    }

    [Test]
    public async Task Bad_profiles_get_one_clear_error_line()
    {
        await using var fake = Create();
        using var amx = new AmxCli("alice");
        var missing = amx.Run("add-db-profile", "bq", "--backend", "bigquery");
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Stderr, Does.Contain("error: missing --project, --secret-env for a bigquery profile"));
        var auth = amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", "p", "--secret-env", "V", "--auth", "keypair");
        Assert.That(auth.Stderr, Does.Contain("error: --auth keypair is not a bigquery auth method"));
        var wrong = amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--project", "p");
        Assert.That(wrong.Stderr, Does.Contain("error: --project applies to bigquery profiles only"));
        var dataset = amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--dataset", "x");
        Assert.That(dataset.Stderr, Does.Contain("error: --dataset applies to cloud warehouse profiles only"));
        var token = amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", "p", "--secret-env", "V", "--token-url", "ftp://x");
        // The value is masked: token_url is a secret-looking key to the Redactor, which errs on the safe side.
        Assert.That(token.Stderr, Does.Contain("error: --token-url '[redacted]' is not an http(s) URL"));

        amx.Env["BQ_KEY"] = "/nonexistent/amx/key.json";
        WarehouseWorld.Ok(amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", fake.Project, "--secret-env", "BQ_KEY", "--base-url", fake.BaseUrl));
        var bad = amx.Run("db-profiles", "test", "bq");
        Assert.That(bad.ExitCode, Is.Not.EqualTo(0));
        Assert.That(bad.Stderr, Does.Contain("cannot read the BigQuery service-account key file"));
        Assert.That(bad.Stderr.Split('\n').Count(l => l.StartsWith("error:")), Is.EqualTo(1), bad.ToString());
    }
}
