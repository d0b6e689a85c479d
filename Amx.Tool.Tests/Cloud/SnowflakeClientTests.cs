using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Security;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Snowflake;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// The Snowflake SQL API client, metadata reader and comment writer in process, against the loopback fake that
/// speaks the documented wire protocol (there is no Snowflake account here: docs/cloud-warehouses.md).
/// </summary>
[TestFixture]
public sealed class SnowflakeClientTests
{
    static readonly SnowflakeProvider Provider = new();

    [Test]
    public async Task Key_pair_jwt_is_accepted_and_every_call_carries_it_with_the_token_type_header()
    {
        await using var fake = SnowflakeFixture.Create();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        var info = await Provider.ServerInfo.ReadAsync(c);
        Assert.That(info.Version, Is.EqualTo("Snowflake 8.44.2 (account FAKEACCT, role AMX_WRITER, warehouse COMPUTE_WH, database ANALYTICS)"));
        Assert.That(info.User, Is.EqualTo("AMX_BOT"));
        Assert.That(await Provider.ServerInfo.IdentityAsync(c), Is.EqualTo("snowflake:FAKEACCT/ANALYTICS"));
        var posts = fake.Requests.Where(r => r.Method == "POST").ToList();
        Assert.That(posts, Has.Count.EqualTo(3));
        Assert.Multiple(() =>
        {
            foreach (var r in posts)
            {
                Assert.That(r.Headers["X-Snowflake-Authorization-Token-Type"], Is.EqualTo("KEYPAIR_JWT"));
                Assert.That(r.PathAndQuery, Does.Match("^/api/v2/statements\\?requestId=[0-9a-f-]{36}$"));
                using var body = JsonDocument.Parse(r.Body);
                Assert.That(body.RootElement.GetProperty("database").GetString(), Is.EqualTo("ANALYTICS"));
                Assert.That(body.RootElement.GetProperty("warehouse").GetString(), Is.EqualTo("COMPUTE_WH"));
            }
        });
    }

    [Test]
    public async Task A_key_that_is_not_the_users_is_refused_at_open_and_the_error_carries_no_secret()
    {
        await using var fake = SnowflakeFixture.Create();
        using var other = RSA.Create(2048);
        var pem = other.ExportPkcs8PrivateKeyPem();
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await SnowflakeFixture.OpenAsync(fake, pem));
        Assert.That(e!.Status, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
        Assert.That(e.Message, Does.Contain("Snowflake refused the credentials (HTTP 401: JWT token is invalid.)"));
        var jwt = fake.Requests.Last().Headers["Authorization"]["Bearer ".Length..];
        Assert.That(Redactor.Redact(e.Message + jwt), Does.Not.Contain(jwt), "the JWT amx made is registered as a secret");

        var oauth = Assert.ThrowsAsync<HttpSqlException>(async () => await SnowflakeFixture.OpenAsync(fake, "wrong-token-123", "oauth"));
        Assert.That(oauth!.Message, Does.Contain("Invalid OAuth access token"));
        fake.OAuthToken = "good-token-456";
        await using var ok = await SnowflakeFixture.OpenAsync(fake, "good-token-456", "oauth");
        Assert.That(fake.Requests.Last().Headers["X-Snowflake-Authorization-Token-Type"], Is.EqualTo("OAUTH"));
    }

    [Test]
    public async Task Metadata_is_read_set_based_across_partitions_with_bindings_for_the_scope()
    {
        await using var fake = SnowflakeFixture.Create();
        fake.RowsPerPartition = 2;
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        var catalog = await Provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "OPS.EVENTS", "SALES.BIG_CUSTOMERS", "SALES.CUSTOMER", "SALES.\"order \"\"lines\"\"\"" }));
        var customer = catalog.Tables.Single(t => t.Name.Table == "CUSTOMER");
        var lines = catalog.Tables.Single(t => t.Name.Table == "order \"lines\"");
        var view = catalog.Tables.Single(t => t.Name.Table == "BIG_CUSTOMERS");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Comment, Is.EqualTo("People who buy"));
            Assert.That(customer.RowEstimate, Is.EqualTo(1200));
            Assert.That(customer.Columns.Select(x => x.Name), Is.EqualTo(new[] { "ID", "NAME", "code" }));
            Assert.That(customer.Columns[0].IsNullable, Is.False);
            Assert.That(customer.Columns[2].Comment, Is.Null, "an empty comment is no comment");
            Assert.That(lines.Columns.Single(x => x.Name == "AMOUNT").Comment, Is.EqualTo("Net amount"));
            Assert.That(view.Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(view.ViewDefinition, Does.Contain("FROM SALES.CUSTOMER"));
        });
        // 9 column rows in partitions of 2: the first comes with the answer, partitions 1-4 are fetched (4 relations: 1 more).
        var pages = fake.Requests.Where(r => r.Method == "GET").Select(r => r.PathAndQuery).ToList();
        Assert.That(pages, Has.Count.EqualTo(4 + 1));
        Assert.That(pages, Has.Some.Match(@"^/api/v2/statements/[0-9a-f-]+\?partition=4$"));

        var scoped = await Provider.Metadata.ReadAsync(c, Scope.Parse("SALES.CUSTOMER"), MetadataOptions.Default);
        Assert.That(scoped.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "SALES.CUSTOMER" }));
        var (sql, bindings) = fake.Statements.Last(s => s.Sql.Contains("INFORMATION_SCHEMA"));
        Assert.That(sql, Does.Contain("INFORMATION_SCHEMA.VIEWS"));
        Assert.That(bindings, Is.EqualTo(new[] { "SALES", "CUSTOMER" }), "the scope travels as bindings, not as SQL text");
    }

    [Test]
    public async Task A_statement_still_running_is_polled_at_its_status_url_until_done()
    {
        await using var fake = SnowflakeFixture.Create();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        fake.AsyncPolls = 3;
        var catalog = await Provider.Metadata.ReadAsync(c, Scope.Parse("OPS"), MetadataOptions.Default);
        Assert.That(catalog.Tables.Single().Columns.Single().Name, Is.EqualTo("AT"));
        var statusPolls = fake.Requests.Count(r => r.Method == "GET" && !r.PathAndQuery.Contains("partition="));
        // Per statement (three INFORMATION_SCHEMA reads, three SHOW … KEYS): the submission and two polls answer 202,
        // the third poll brings the result.
        Assert.That(statusPolls, Is.EqualTo(6 * 3));
    }

    [Test]
    public async Task A_statement_over_its_timeout_is_cancelled_and_reported()
    {
        await using var fake = SnowflakeFixture.Create();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        fake.AsyncPolls = 1_000_000;
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT CURRENT_ACCOUNT(), CURRENT_DATABASE()";
        cmd.CommandTimeout = 1;
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
        Assert.That(e!.Message, Does.Match("did not finish within 1 s and was cancelled"));
        Assert.That(fake.Requests.Last().PathAndQuery, Does.Match("^/api/v2/statements/[0-9a-f-]+/cancel$"));
    }

    [Test]
    public async Task Rate_limits_and_server_errors_are_retried_through_the_shared_pipeline()
    {
        await using var fake = SnowflakeFixture.Create();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        fake.Faults.Enqueue(FakeSnowflake.TooManyRequests(0));
        fake.Faults.Enqueue(new FakeHttpFault(503, """{"code":"000000","message":"Service Unavailable"}""", new Dictionary<string, string> { ["Retry-After"] = "0" }));
        var before = fake.Requests.Count;
        var info = await Provider.ServerInfo.ReadAsync(c);
        Assert.That(info.User, Is.EqualTo("AMX_BOT"));
        Assert.That(fake.Requests.Count - before, Is.EqualTo(3), "429, 503, then the answer");
        var requestIds = fake.Requests.Skip(before).Select(r => r.PathAndQuery).Distinct().ToList();
        Assert.That(requestIds, Has.Count.EqualTo(1), "a retried submission keeps its requestId (Snowflake deduplicates it)");
    }

    [Test]
    public async Task Sql_errors_come_back_with_snowflakes_code_and_sql_state()
    {
        await using var fake = SnowflakeFixture.Create();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DROP TABLE SALES.CUSTOMER";
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteNonQueryAsync());
        Assert.That(e!.VendorCode, Is.EqualTo("001003"));
        Assert.That(e.SqlState, Is.EqualTo("42000"));
        Assert.That(e.Message, Does.StartWith("Snowflake error 001003 (42000): SQL compilation error: syntax error"));
        Assert.That(fake.Find("SALES", "CUSTOMER"), Is.Not.Null);
    }

    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 end";

    [Test]
    public async Task Comments_round_trip_byte_exact_and_one_refused_target_does_not_stop_the_others()
    {
        await using var fake = SnowflakeFixture.Create();
        fake.ReadOnlyTables.Add("OPS.EVENTS");
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        var w = Provider.Comments;
        CommentTarget T(string q, string kind) => new(QualifiedName.Parse(q), kind);
        var writes = new List<CommentWrite>
        {
            new(T("SALES.CUSTOMER.code", TargetKinds.Column), Tricky),
            new(T("SALES.\"order \"\"lines\"\"\".\"Customer Id\"", TargetKinds.Column), "Buyer of the line"),
            new(T("SALES.BIG_CUSTOMERS", TargetKinds.View), "Customers above 1M"),
            new(T("SALES.CUSTOMER", TargetKinds.Table), null),
            new(T("OPS.EVENTS", TargetKinds.Table), "Event log"),
            new(T("SALES.NOPE", TargetKinds.Table), "missing"),
        };
        var failures = await w.WriteManyAsync(c, writes);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()), Is.EquivalentTo(new[] { "OPS.EVENTS", "SALES.NOPE" }));
        Assert.Multiple(() =>
        {
            Assert.That(failures[T("OPS.EVENTS", TargetKinds.Table)].Message, Does.Contain("the role may not comment it").And.Contain("Insufficient privileges"));
            Assert.That(failures[T("OPS.EVENTS", TargetKinds.Table)].Hint, Does.Contain("OWNERSHIP"));
            Assert.That(failures[T("SALES.NOPE", TargetKinds.Table)].Message, Does.Contain("does not exist or the role cannot see it"));
            Assert.That(fake.Find("SALES", "CUSTOMER")!.Columns.Single(x => x.Name == "code").Comment, Is.EqualTo(Tricky), "byte-exact in the fake's catalog");
            Assert.That(fake.Find("SALES", "order \"lines\"")!.Columns.Single(x => x.Name == "Customer Id").Comment, Is.EqualTo("Buyer of the line"));
            Assert.That(fake.Find("SALES", "BIG_CUSTOMERS")!.Comment, Is.EqualTo("Customers above 1M"));
            Assert.That(fake.Find("SALES", "CUSTOMER")!.Comment, Is.EqualTo(""), "removed");
            Assert.That(fake.Find("OPS", "EVENTS")!.Comment, Is.Null);
        });
        Assert.That(await w.ReadLiveCommentAsync(c, null, QualifiedName.Parse("SALES.CUSTOMER.code"), TargetKinds.Column), Is.EqualTo(Tricky));
        Assert.That(await w.ReadLiveCommentAsync(c, null, QualifiedName.Parse("SALES.CUSTOMER"), TargetKinds.Table), Is.Null);
        var rendered = await w.RenderStatementsAsync(null, QualifiedName.Parse("SALES.CUSTOMER.code"), TargetKinds.Column, "a'b\\c");
        Assert.That(rendered.Single(), Is.EqualTo("COMMENT ON COLUMN \"SALES\".\"CUSTOMER\".\"code\" IS 'a''b\\\\c'"));
        Assert.That(fake.Statements.Select(s => s.Sql), Has.None.Contains("Buyer of the line").And.Contains("INFORMATION_SCHEMA"),
            "no comment text is ever part of a metadata query");
    }

    [Test]
    public void A_hand_edited_bad_base_url_is_one_clear_error_not_a_crash()
    {
        using var c = new SnowflakeConnection("base_url=ftp://example.com;account=A;user=U;secret=x");
        var e = Assert.ThrowsAsync<HttpSqlException>(async () => await c.OpenAsync());
        Assert.That(e!.Message, Is.EqualTo("the profile's connection settings are invalid: 'ftp://example.com' is not an http(s) URL"));
    }

    [Test]
    public void The_jwt_names_the_key_by_its_fingerprint_and_lives_under_an_hour()
    {
        using var key = RSA.Create(2048);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var jwt = SnowflakeJwt.Create(key, "xy12345.eu-central-1", "amx_bot", now);
        var parts = jwt.Split('.');
        var payload = JsonDocument.Parse(Convert.FromBase64String(Pad(parts[1]))).RootElement;
        var fp = "SHA256:" + Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        Assert.Multiple(() =>
        {
            Assert.That(payload.GetProperty("iss").GetString(), Is.EqualTo("XY12345.AMX_BOT." + fp));
            Assert.That(payload.GetProperty("sub").GetString(), Is.EqualTo("XY12345.AMX_BOT"));
            Assert.That(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64(), Is.EqualTo(59 * 60));
            Assert.That(key.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Convert.FromBase64String(Pad(parts[2])),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), Is.True);
        });
    }

    static string Pad(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
