using System.Globalization;
using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Databricks;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Snowflake;
using Amx.TestSupport;
using Amx.TestSupport.FakeCloudWarehouses;
using Amx.Tool.Tests.Apply;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// Sampled and full profiling (masked, unmasked, without samples) and informational keys on Snowflake and
/// Databricks, against fakes that evaluate the profiling statements amx sends over in-memory rows and answer the
/// key reads (SHOW … KEYS; information_schema.key_column_usage + referential_constraints). In process and through
/// the built tool (run with a fake LLM: what the prompt carries; db inspect: key counts).
/// </summary>
[TestFixture]
public sealed class CloudProfilingTests
{
    const int People = 60;

    static string Email(int i) => $"user{i}@example.com";

    /// <summary>People 1..60: ID, EMAIL (unique), COUNTRY (DE/FR, every 4th NULL), NOTE (150 characters, 3 kinds).</summary>
    static List<string?[]> PeopleRows() => Enumerable.Range(1, People).Select(i => new string?[]
    {
        i.ToString(CultureInfo.InvariantCulture), Email(i), i % 4 == 0 ? null : i % 3 == 0 ? "FR" : "DE", new string((char)('a' + i % 3), 150),
    }).ToList();

    static readonly string[] PeopleColumns = ["ID", "EMAIL", "COUNTRY", "NOTE"];

    static FakeSnowflake CreateSnowflake()
    {
        var fake = new FakeSnowflake();
        List<FakeCloudColumn> Cols(string idType) =>
            [new() { Name = "ID", DataType = idType, Nullable = false }, new() { Name = "EMAIL" }, new() { Name = "COUNTRY" }, new() { Name = "NOTE" }];
        fake.Tables.AddRange([
            new FakeCloudTable { Schema = "SALES", Name = "CUSTOMER", RowCount = People, Columns = Cols("NUMBER"), Rows = PeopleRows(), PrimaryKey = ["ID"], UniqueKeys = [["EMAIL"]] },
            new FakeCloudTable
            {
                Schema = "SALES", Name = "order \"lines\"", RowCount = 3,
                Columns = [new() { Name = "ORDER_ID", DataType = "NUMBER" }, new() { Name = "Customer Id", DataType = "NUMBER" }, new() { Name = "LINE", DataType = "NUMBER" }],
                Rows = [["1", "7", "1"], ["1", "7", "2"], ["2", "9", "1"]],
                PrimaryKey = ["ORDER_ID", "LINE"], ForeignKeys = [new(["Customer Id"], "SALES", "CUSTOMER", ["ID"])],
            },
            new FakeCloudTable { Schema = "SALES", Name = "V_PEOPLE", Type = "VIEW", ViewDefinition = "CREATE VIEW SALES.V_PEOPLE AS SELECT * FROM SALES.CUSTOMER", Columns = Cols("NUMBER"), Rows = PeopleRows() },
            new FakeCloudTable
            {
                Schema = "OPS", Name = "AUDIT", RowCount = 2, Columns = [new() { Name = "WHO", DataType = "NUMBER" }], Rows = [["1"], ["2"]],
                ForeignKeys = [new(["WHO"], "SALES", "CUSTOMER", ["ID"])],
            },
        ]);
        return fake;
    }

    static FakeDatabricks CreateDatabricks()
    {
        var fake = new FakeDatabricks();
        List<FakeCloudColumn> Cols() =>
            [new() { Name = "id", DataType = "BIGINT", Nullable = false }, new() { Name = "email", DataType = "STRING" }, new() { Name = "country", DataType = "STRING" }, new() { Name = "note", DataType = "STRING" }];
        fake.Tables.AddRange([
            new FakeCloudTable { Schema = "sales", Name = "customer", Type = "MANAGED", Columns = Cols(), Rows = PeopleRows(), PrimaryKey = ["id"] },
            new FakeCloudTable
            {
                Schema = "sales", Name = "order lines", Type = "MANAGED",
                Columns = [new() { Name = "order_id", DataType = "BIGINT" }, new() { Name = "line", DataType = "INT" }, new() { Name = "customer `id`", DataType = "BIGINT" }],
                Rows = [["1", "1", "7"], ["1", "2", "7"], ["2", "1", "9"]],
                PrimaryKey = ["order_id", "line"], ForeignKeys = [new(["customer `id`"], "sales", "customer", ["id"])],
            },
            new FakeCloudTable { Schema = "sales", Name = "v_people", Type = "VIEW", ViewDefinition = "SELECT * FROM sales.customer", Columns = Cols(), Rows = PeopleRows() },
            new FakeCloudTable
            {
                Schema = "ops", Name = "shipment", Type = "MANAGED",
                Columns = [new() { Name = "line_no", DataType = "INT" }, new() { Name = "order_no", DataType = "BIGINT" }],
                Rows = [["2", "1"]],
                // Referenced in the opposite column order from the parent's key: position_in_unique_constraint maps them.
                ForeignKeys = [new(["line_no", "order_no"], "sales", "order lines", ["line", "order_id"])],
            },
        ]);
        return fake;
    }

    static async Task<DatabricksConnection> OpenAsync(FakeDatabricks fake)
    {
        var p = new DbProfile { Name = "dbx", Backend = Backend.Databricks, Host = "dbc-1.cloud.databricks.com", Database = fake.Catalog, Password = fake.Token };
        p.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        p.Options[CloudConnectionStrings.HttpPathKey] = "/sql/1.0/warehouses/" + fake.WarehouseId;
        var c = new DatabricksConnection(CloudConnectionStrings.Databricks(p));
        await c.OpenAsync();
        return c;
    }

    static ColumnProfile P(Catalog catalog, string table, string column) =>
        catalog.Tables.Single(t => t.Name.Table == table).Columns.Single(c => c.Name == column).Profile!;

    static void AssertNoRawPeopleValues(IEnumerable<string> texts)
    {
        foreach (var text in texts)
            for (var i = 1; i <= People; i++)
                Assert.That(text, Does.Not.Contain(Email(i)), "a raw sampled value left the profiler unmasked");
    }

    [Test]
    public async Task Snowflake_sampled_profile_is_one_statement_per_table_and_masks_every_value()
    {
        await using var fake = CreateSnowflake();
        fake.RowsPerPartition = 2;
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        fake.AsyncPolls = 2;
        var catalog = await new SnowflakeProvider().Metadata.ReadAsync(c, null,
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 20, MaskSamples = true });

        var email = P(catalog, "CUSTOMER", "EMAIL");
        var country = P(catalog, "CUSTOMER", "COUNTRY");
        Assert.Multiple(() =>
        {
            Assert.That(email.RowsSeen, Is.EqualTo(20), "SAMPLE ROW (20 ROWS)");
            Assert.That(email.Note, Is.EqualTo("sample of 20 rows"));
            Assert.That(email.NullRatio, Is.EqualTo(0));
            Assert.That(email.Examples, Has.Count.EqualTo(5));
            Assert.That(email.Examples, Has.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"), "letters a, digits 9");
            Assert.That(email.DistinctEstimate, Is.EqualTo(People), "unique in the sample: scaled to ROW_COUNT");
            Assert.That(country.Examples, Is.SubsetOf(new[] { "DE", "FR" }).And.Not.Empty, "codes of up to 3 characters are kept");
            Assert.That(country.NullRatio, Is.GreaterThan(0).And.LessThan(1));
            Assert.That(P(catalog, "CUSTOMER", "NOTE").Examples, Has.All.Length.EqualTo(100), "values are cut to 100 characters");
            Assert.That(email.Min, Is.Null, "sampled mode reads no min/max");
            Assert.That(P(catalog, "V_PEOPLE", "ID").RowsSeen, Is.EqualTo(20), "a view is read with LIMIT");
            Assert.That(P(catalog, "order \"lines\"", "Customer Id").DistinctEstimate, Is.EqualTo(2), "quoted names reach the right column");
        });
        AssertNoRawPeopleValues(catalog.Tables.SelectMany(t => t.Columns).SelectMany(x => x.Profile!.Examples));

        var profiling = fake.Statements.Select(s => s.Sql).Where(s => s.StartsWith("SELECT COUNT(*), ", StringComparison.Ordinal)).ToList();
        Assert.That(profiling, Has.Count.EqualTo(4), "one statement per table or view, all columns at once");
        Assert.That(profiling.Count(s => s.Contains("SAMPLE ROW (20 ROWS)")), Is.EqualTo(3));
        Assert.That(profiling.Count(s => s.Contains("FROM \"SALES\".\"V_PEOPLE\" LIMIT 20")), Is.EqualTo(1));
        Assert.That(profiling, Has.Some.Contains("s.\"Customer Id\"").And.Some.Contains("FROM \"SALES\".\"order \"\"lines\"\"\" SAMPLE"));
        Assert.That(fake.MaxRunningStatements, Is.GreaterThan(1), "tables are profiled a few at a time (each statement polled while running)");
    }

    [Test]
    public async Task Snowflake_full_profile_has_exact_statistics_top_values_and_no_samples_when_asked()
    {
        await using var fake = CreateSnowflake();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        var provider = new SnowflakeProvider();
        var catalog = await provider.Metadata.ReadAsync(c, Scope.Parse("SALES"), new MetadataOptions { Profiling = ProfilingMode.Full });

        var id = P(catalog, "CUSTOMER", "ID");
        var country = P(catalog, "CUSTOMER", "COUNTRY");
        var expectedCountry = PeopleRows().Select(r => r[2]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(id.RowsSeen, Is.EqualTo(People));
            Assert.That((id.Min, id.Max), Is.EqualTo(("1", "60")), "NUMBER compared as numbers, not as text");
            Assert.That(id.DistinctEstimate, Is.EqualTo(People));
            Assert.That(country.NullRatio, Is.EqualTo(expectedCountry.Count(v => v is null) / (double)People));
            Assert.That(country.DistinctEstimate, Is.EqualTo(2));
            Assert.That(country.TopValues, Is.EqualTo(expectedCountry.Where(v => v is not null).GroupBy(v => v!)
                .Select(g => (g.Key, (long)g.Count())).OrderByDescending(x => x.Item2).ToList()));
            Assert.That(P(catalog, "CUSTOMER", "EMAIL").Examples, Is.EqualTo(new[] { Email(10), Email(11), Email(12), Email(13), Email(14) }), "sorted (binary) distinct, first 5");
            Assert.That(P(catalog, "CUSTOMER", "NOTE").TopValues.Select(v => v.Value), Has.All.Length.EqualTo(100));
        });
        var sqls = fake.Statements.Select(s => s.Sql).ToList();
        Assert.That(sqls.Count(s => s.StartsWith("SELECT COUNT(*), ", StringComparison.Ordinal)), Is.EqualTo(3), "one statistics statement per table/view");
        Assert.That(sqls.Count(s => s.StartsWith("SELECT * FROM (SELECT 0 AS i", StringComparison.Ordinal)), Is.EqualTo(3), "one top-values statement per table/view");

        fake.Statements.Clear();
        var bare = await provider.Metadata.ReadAsync(c, Scope.Parse("SALES.CUSTOMER"), new MetadataOptions { Profiling = ProfilingMode.Full, NoSamples = true });
        var bareEmail = P(bare, "CUSTOMER", "EMAIL");
        Assert.Multiple(() =>
        {
            Assert.That(bareEmail.DistinctEstimate, Is.EqualTo(People));
            Assert.That(bareEmail.Examples, Is.Empty);
            Assert.That(bareEmail.TopValues, Is.Empty);
            Assert.That(bareEmail.Min, Is.Null);
            Assert.That(fake.Statements.Select(s => s.Sql), Has.None.Contains("ARRAY_AGG").And.None.Contains("MIN(").And.None.Contains("UNION ALL"),
                "--no-samples: no value is asked for at all");
        });
    }

    [Test]
    public async Task Snowflake_keys_come_from_show_keys_for_the_whole_scope()
    {
        await using var fake = CreateSnowflake();
        await using var c = await SnowflakeFixture.OpenAsync(fake);
        var provider = new SnowflakeProvider();
        var catalog = await provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        var customer = catalog.Tables.Single(t => t.Name.Table == "CUSTOMER");
        var lines = catalog.Tables.Single(t => t.Name.Table == "order \"lines\"");
        Assert.Multiple(() =>
        {
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "ID" }));
            Assert.That(customer.UniqueKeys.Single(), Is.EqualTo(new[] { "EMAIL" }));
            Assert.That(lines.PrimaryKey, Is.EqualTo(new[] { "ORDER_ID", "LINE" }), "in key_sequence order");
            Assert.That(lines.ForeignKeys.Single().Columns, Is.EqualTo(new[] { "Customer Id" }));
            Assert.That(lines.ForeignKeys.Single().References.ToString(), Is.EqualTo("SALES.CUSTOMER"));
            Assert.That(lines.ForeignKeys.Single().ReferencedColumns, Is.EqualTo(new[] { "ID" }));
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "AUDIT").ForeignKeys.Single().References.ToString(), Is.EqualTo("SALES.CUSTOMER"));
        });
        Assert.That(fake.Statements.Select(s => s.Sql).Where(s => s.StartsWith("SHOW", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "SHOW PRIMARY KEYS IN DATABASE", "SHOW UNIQUE KEYS IN DATABASE", "SHOW IMPORTED KEYS IN DATABASE" }), "one read per kind");

        fake.Statements.Clear();
        var scoped = await provider.Metadata.ReadAsync(c, Scope.Parse("OPS.AUDIT"), MetadataOptions.Default);
        Assert.That(scoped.Tables.Single().ForeignKeys.Single().References.ToString(), Is.EqualTo("SALES.CUSTOMER"), "a key into another schema");
        Assert.That(fake.Statements.Select(s => s.Sql), Has.Member("SHOW IMPORTED KEYS IN TABLE \"OPS\".\"AUDIT\""));
    }

    [Test]
    public async Task The_fakes_reject_statements_that_are_not_amx_profiling_shapes()
    {
        await using var sf = CreateSnowflake();
        await using var c = await SnowflakeFixture.OpenAsync(sf);
        async Task<string> Fails(System.Data.Common.DbConnection conn, string sql)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
            return e!.Message;
        }
        Assert.That(await Fails(c, "SELECT COUNT(DISTINCT s.\"EMAIL\") FROM \"SALES\".\"CUSTOMER\" s"), Does.Contain("syntax error"), "a per-column shape amx does not send");
        Assert.That(await Fails(c, "SELECT COUNT(*), COUNT(s.\"NOPE\") FROM \"SALES\".\"CUSTOMER\" s"), Does.Contain("invalid identifier"));
        Assert.That(await Fails(c, "SELECT COUNT(*), COUNT(s.\"ID\") FROM \"SALES\".\"NOPE\" s"), Does.Contain("does not exist"));
        Assert.That(await Fails(c, "SHOW PRIMARY KEYS IN ACCOUNT"), Does.Contain("syntax error"));

        await using var dbx = CreateDatabricks();
        await using var d = await OpenAsync(dbx);
        Assert.That(await Fails(d, "SELECT COUNT(*), COUNT(DISTINCT CAST(s.`email` AS STRING)) FROM `sales`.`customer` s"), Does.Contain("PARSE_SYNTAX_ERROR"),
            "the text must be cut as amx cuts it");
    }

    [Test]
    public async Task Databricks_profiles_sampled_and_full_and_reads_keys_across_schemas()
    {
        await using var fake = CreateDatabricks();
        fake.RowsPerChunk = 2;
        await using var c = await OpenAsync(fake);
        var provider = new DatabricksProvider();
        var sampled = await provider.Metadata.ReadAsync(c, null, new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 10, MaskSamples = true });
        var email = P(sampled, "customer", "email");
        Assert.Multiple(() =>
        {
            Assert.That(email.RowsSeen, Is.EqualTo(10));
            Assert.That(email.Examples, Has.Count.EqualTo(5).And.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"));
            Assert.That(P(sampled, "v_people", "email").RowsSeen, Is.EqualTo(10));
            Assert.That(P(sampled, "order lines", "customer `id`").DistinctEstimate, Is.EqualTo(2), "backquotes doubled inside the identifier");
        });
        AssertNoRawPeopleValues(sampled.Tables.SelectMany(t => t.Columns).SelectMany(x => x.Profile!.Examples));
        var sqls = fake.Statements.Select(s => s.Sql).ToList();
        Assert.That(sqls.Count(s => s.StartsWith("SELECT COUNT(*), ", StringComparison.Ordinal)), Is.EqualTo(4));
        Assert.That(sqls.Count(s => s.Contains(" TABLESAMPLE (10 ROWS)) s")), Is.EqualTo(3));

        var full = await provider.Metadata.ReadAsync(c, Scope.Parse("sales"), new MetadataOptions { Profiling = ProfilingMode.Full });
        var id = P(full, "customer", "id");
        Assert.Multiple(() =>
        {
            Assert.That((id.Min, id.Max), Is.EqualTo(("1", "60")));
            Assert.That(P(full, "customer", "country").TopValues.Select(v => v.Value), Is.EquivalentTo(new[] { "DE", "FR" }));
            Assert.That(P(full, "customer", "email").Examples.First(), Is.EqualTo(Email(10)), "unmasked without --mask-samples (binary order: '0' < '@')");
        });

        var all = await provider.Metadata.ReadAsync(c, null, MetadataOptions.Default);
        var lines = all.Tables.Single(t => t.Name.Table == "order lines");
        Assert.Multiple(() =>
        {
            Assert.That(all.Tables.Single(t => t.Name.Table == "customer").PrimaryKey, Is.EqualTo(new[] { "id" }));
            Assert.That(lines.PrimaryKey, Is.EqualTo(new[] { "order_id", "line" }));
            Assert.That(lines.ForeignKeys.Single().Columns, Is.EqualTo(new[] { "customer `id`" }));
            Assert.That(lines.ForeignKeys.Single().References.ToString(), Is.EqualTo("sales.customer"));
        });

        // Scoped to ops: the referenced key (sales."order lines") is outside the scope, so the catalog's key columns are read once.
        fake.Statements.Clear();
        var ops = await provider.Metadata.ReadAsync(c, Scope.Parse("ops"), MetadataOptions.Default);
        var fk = ops.Tables.Single().ForeignKeys.Single();
        Assert.Multiple(() =>
        {
            Assert.That(fk.References.ToString(), Is.EqualTo("sales.\"order lines\""));
            Assert.That(fk.Columns, Is.EqualTo(new[] { "line_no", "order_no" }));
            Assert.That(fk.ReferencedColumns, Is.EqualTo(new[] { "line", "order_id" }), "mapped by position_in_unique_constraint");
        });
        var keyReads = fake.Statements.Where(s => s.Sql.Contains("information_schema.key_column_usage")).Select(s => s.Parameters["schema"]).ToList();
        Assert.That(keyReads, Is.EqualTo(new[] { "ops", null }));
        Assert.That(fake.Statements.Count(s => s.Sql.Contains("information_schema.referential_constraints")), Is.EqualTo(1));
    }

    [Test]
    public async Task Snowflake_run_with_mask_samples_sends_masked_examples_and_keys_to_the_llm_and_inspect_counts_keys()
    {
        await using var fake = CreateSnowflake();
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        using var amx = new AmxCli("alice");
        amx.Env["SF_KEY"] = fake.PrivateKeyPem;
        amx.Env["LLM_KEY"] = "sk-cloudprof";
        WarehouseWorld.Ok(amx.Run("add-db-profile", "sf", "--backend", "snowflake", "--host", "fakeacct.snowflakecomputing.com", "--database", "ANALYTICS",
            "--warehouse", "COMPUTE_WH", "--user", "amx_bot", "--secret-env", "SF_KEY", "--base-url", fake.BaseUrl));
        WarehouseWorld.Ok(amx.Run("add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model", "--base-url", llm.BaseUrl, "--api-key-env", "LLM_KEY"));

        var inspect = JsonDocument.Parse(WarehouseWorld.Ok(amx.Run("db", "inspect", "--output", "json")).Stdout).RootElement;
        var sales = inspect.GetProperty("schemas").EnumerateArray().Single(s => s.GetProperty("schema").GetString() == "SALES");
        Assert.Multiple(() =>
        {
            Assert.That(sales.GetProperty("primary_keys").GetInt32(), Is.EqualTo(2));
            Assert.That(sales.GetProperty("unique_keys").GetInt32(), Is.EqualTo(1));
            Assert.That(sales.GetProperty("foreign_keys").GetInt32(), Is.EqualTo(1));
        });

        var run = WarehouseWorld.Ok(amx.Run("run", "SALES.CUSTOMER", "--llm-profile", "fake", "--profiling-mode", "sampled", "--mask-samples"));
        var runId = WarehouseWorld.RunIdOf(run);
        var prompts = llm.Requests.SelectMany(r => r.UserTexts()).ToList();
        Assert.That(prompts, Is.Not.Empty);
        var all = string.Join("\n", prompts);
        Assert.Multiple(() =>
        {
            Assert.That(all, Does.Match(@"aaaa9+@aaaaaaa\.aaa"), "masked examples reach the prompt");
            Assert.That(all, Does.Contain("\"primary_key\"").And.Contain("\"ID\""));
            Assert.That(all, Does.Contain("EMAIL"));
        });
        // The table's keys as the prompt JSON carries them (whitespace aside).
        var compact = System.Text.RegularExpressions.Regex.Replace(all, @"\s", "");
        Assert.That(compact, Does.Contain("\"primary_key\":[\"ID\"]").And.Contain("\"unique_keys\":[[\"EMAIL\"]]"));

        var show = WarehouseWorld.Ok(amx.Run("history", "show", runId, "--output", "json")).Stdout;
        var home = string.Join("\n", Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)));
        AssertNoRawPeopleValues([all, run.Stdout, run.Stderr, show, home]);
    }

    [Test]
    public async Task Databricks_run_in_full_mode_with_mask_samples_sends_masked_top_values_and_examples_only()
    {
        await using var fake = CreateDatabricks();
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        using var amx = new AmxCli("alice");
        amx.Env["DBX_TOKEN"] = fake.Token;
        amx.Env["LLM_KEY"] = "sk-cloudprof";
        WarehouseWorld.Ok(amx.Run("add-db-profile", "dbx", "--backend", "databricks", "--host", "dbc-1.cloud.databricks.com", "--http-path",
            "/sql/1.0/warehouses/" + fake.WarehouseId, "--database", "main", "--secret-env", "DBX_TOKEN", "--base-url", fake.BaseUrl));
        WarehouseWorld.Ok(amx.Run("add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model", "--base-url", llm.BaseUrl, "--api-key-env", "LLM_KEY"));

        var run = WarehouseWorld.Ok(amx.Run("run", "sales.customer", "--llm-profile", "fake", "--profiling-mode", "full", "--mask-samples"));
        var all = string.Join("\n", llm.Requests.SelectMany(r => r.UserTexts()));
        var compact = System.Text.RegularExpressions.Regex.Replace(all, @"\s", "");
        Assert.Multiple(() =>
        {
            Assert.That(all, Does.Match(@"aaaa9+@aaaaaaa\.aaa"), "masked examples reach the prompt");
            Assert.That(compact, Does.Contain("\"top_values\":[{\"value\":\"DE\",\"count\":30}"), "short codes kept, counts exact");
            Assert.That(compact, Does.Contain("\"primary_key\":[\"id\"]"));
            Assert.That(fake.Statements.Select(s => s.Sql), Has.Some.StartsWith("SELECT * FROM (SELECT 0 AS i, left(CAST(s.`id` AS STRING), 100) AS v"));
        });
        var show = WarehouseWorld.Ok(amx.Run("history", "show", WarehouseWorld.RunIdOf(run), "--output", "json")).Stdout;
        var home = string.Join("\n", Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)));
        AssertNoRawPeopleValues([all, run.Stdout, run.Stderr, show, home]);
        Assert.That(all + home, Does.Not.Contain(new string('b', 100)).And.Not.Contain(new string('c', 100)), "the raw notes never leave the profiler");
    }
}
