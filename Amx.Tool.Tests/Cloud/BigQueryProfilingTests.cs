using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.BigQuery;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Model;
using Amx.TestSupport;
using Amx.TestSupport.FakeCloudWarehouses;
using Amx.Tool.Tests.Apply;

namespace Amx.Tool.Tests.Cloud;

/// <summary>
/// Sampled and full profiling of BigQuery (BigQueryProfiler) against FakeBigQuery, which evaluates the GoogleSQL
/// profiling statements over in-memory rows, refuses CAST(… AS STRING) and MIN/MAX where GoogleSQL does, answers
/// TABLE_STORAGE row counts (region qualifier only) and bills bytes against the request's maximumBytesBilled. In
/// process and through the built tool with a fake LLM (masking: no raw sampled value in the prompt, the output,
/// history or any file under the amx home).
/// </summary>
[TestFixture]
public sealed class BigQueryProfilingTests
{
    const int People = 60;
    const long GiB = 1L << 30;

    static string Email(int i) => $"user{i}@example.com";

    /// <summary>People 1..60: id, email (unique), country (DE/FR, every 4th NULL), note (150 characters, 3 kinds).</summary>
    static List<string?[]> PeopleRows() => Enumerable.Range(1, People).Select(i => new string?[]
    {
        i.ToString(CultureInfo.InvariantCulture), Email(i), i % 4 == 0 ? null : i % 3 == 0 ? "FR" : "DE", new string((char)('a' + i % 3), 150),
    }).ToList();

    static List<FakeCloudColumn> PeopleColumns() =>
        [new() { Name = "id", DataType = "INT64", Nullable = false }, new() { Name = "email", DataType = "STRING" }, new() { Name = "country", DataType = "STRING(2)" }, new() { Name = "note", DataType = "STRING" }];

    static FakeBigQuery Create()
    {
        var fake = new FakeBigQuery();
        fake.Tables.AddRange([
            new FakeCloudTable { Schema = "sales", Name = "customer", Columns = PeopleColumns(), Rows = PeopleRows() },
            new FakeCloudTable { Schema = "sales", Name = "v_people", Type = "VIEW", ViewDefinition = "SELECT * FROM sales.customer", Columns = PeopleColumns(), Rows = PeopleRows() },
            // Reported by TABLE_STORAGE as a million rows (the fake keeps 60 of them in memory).
            new FakeCloudTable { Schema = "sales", Name = "clicks", RowCount = 1_000_000, Columns = PeopleColumns(), Rows = PeopleRows() },
            // External: not in TABLE_STORAGE, so its size is unknown.
            new FakeCloudTable { Schema = "sales", Name = "ext_people", Type = "EXTERNAL", Columns = PeopleColumns(), Rows = PeopleRows() },
            new FakeCloudTable
            {
                // A backquote in the table name and a backslash in a column name: GoogleSQL escapes both with a backslash.
                Schema = "sales", Name = "order `lines`",
                Columns = [new() { Name = "order_id", DataType = "INT64" }, new() { Name = "customer\\id", DataType = "INT64" }],
                Rows = [["1", "7"], ["1", "7"], ["2", "9"]],
            },
            new FakeCloudTable
            {
                Schema = "ops", Name = "events",
                Columns =
                [
                    new() { Name = "id", DataType = "INT64" }, new() { Name = "tags", DataType = "ARRAY<STRING>" },
                    new() { Name = "payload", DataType = "JSON" }, new() { Name = "at", DataType = "TIMESTAMP" }, new() { Name = "amount", DataType = "NUMERIC(10, 2)" },
                ],
                Rows = Enumerable.Range(1, 12).Select(i => new string?[]
                {
                    i.ToString(CultureInfo.InvariantCulture), i % 2 == 0 ? "[\"red\",\"blue\"]" : "[\"green\"]", $"{{\"n\":{i % 3}}}",
                    $"2026-01-{i:00} 10:00:00+00", (i * 2.5m).ToString(CultureInfo.InvariantCulture),
                }).ToList(),
            },
        ]);
        return fake;
    }

    static readonly TempKeyFiles KeyFiles = new("amx-bqprof-key");

    static string KeyFile(string json) => KeyFiles.Write(json);

    [OneTimeTearDown]
    public void DeleteKeyFiles() => KeyFiles.DeleteAll();

    static async Task<BigQueryConnection> OpenAsync(FakeBigQuery fake, string? maximumBytesBilled = null)
    {
        var p = new DbProfile { Name = "bq", Backend = Backend.BigQuery, Database = fake.Project, Password = KeyFile(fake.KeyJson()) };
        p.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        p.Options[CloudSettings.LocationKey] = "US";
        if (maximumBytesBilled is not null) p.Options[CloudSettings.MaximumBytesBilledKey] = maximumBytesBilled;
        var c = new BigQueryConnection(CloudConnectionStrings.BigQuery(p));
        await c.OpenAsync();
        return c;
    }

    static ColumnProfile P(Catalog catalog, string table, string column) =>
        catalog.Tables.Single(t => t.Name.Table == table).Columns.Single(c => c.Name == column).Profile!;

    static List<string> ProfilingStatements(FakeBigQuery fake) =>
        fake.Statements.Select(s => s.Sql).Where(s => s.StartsWith("SELECT COUNT(*), ", StringComparison.Ordinal)).ToList();

    static void AssertNoRawPeopleValues(IEnumerable<string> texts)
    {
        foreach (var text in texts)
            for (var i = 1; i <= People; i++)
                Assert.That(text, Does.Not.Contain(Email(i)), "a raw sampled value left the profiler unmasked");
    }

    [Test]
    public void The_sampling_percentage_follows_the_row_count_within_bounds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(BigQueryProfiler.SamplePercent(1000, 1_000_000), Is.EqualTo(0.2), "twice the share asked for");
            Assert.That(BigQueryProfiler.SamplePercent(20, 60), Is.EqualTo(66.667));
            Assert.That(BigQueryProfiler.SamplePercent(1000, 1500), Is.EqualTo(100), "never more than the whole table");
            Assert.That(BigQueryProfiler.SamplePercent(1000, 1_000_000_000_000), Is.EqualTo(BigQueryProfiler.MinPercent), "never below the floor");
            Assert.That(BigQueryProfiler.SamplePercent(1000, null), Is.EqualTo(BigQueryProfiler.UnknownSizePercent));
            Assert.That(BigQueryProfiler.SamplePercent(1000, 0), Is.EqualTo(100));
        });
    }

    [Test]
    public async Task Sampled_profile_block_samples_tables_by_row_count_limits_views_and_masks_every_value()
    {
        await using var fake = Create();
        fake.PendingPolls = 1;
        await using var c = await OpenAsync(fake);
        var catalog = await new BigQueryProvider().Metadata.ReadAsync(c, Scope.Parse("sales"),
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 20, MaskSamples = true });

        var email = P(catalog, "customer", "email");
        var country = P(catalog, "customer", "country");
        Assert.Multiple(() =>
        {
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "customer").RowEstimate, Is.EqualTo(People), "TABLE_STORAGE.total_rows");
            Assert.That(catalog.Tables.Single(t => t.Name.Table == "ext_people").RowEstimate, Is.Null, "not in TABLE_STORAGE");
            Assert.That(email.RowsSeen, Is.EqualTo(20), "LIMIT 20 after the block sample");
            Assert.That(email.Note, Is.EqualTo("sample of 20 rows"));
            Assert.That(email.NullRatio, Is.EqualTo(0));
            Assert.That(email.Examples, Has.Count.EqualTo(5).And.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"), "letters a, digits 9");
            Assert.That(email.DistinctEstimate, Is.EqualTo(People), "unique in the sample: scaled to total_rows");
            Assert.That(country.Examples, Is.SubsetOf(new[] { "DE", "FR" }).And.Not.Empty, "codes of up to 3 characters are kept");
            Assert.That(country.NullRatio, Is.GreaterThan(0).And.LessThan(1));
            Assert.That(P(catalog, "customer", "note").Examples, Has.All.Length.EqualTo(100), "values are cut to 100 characters");
            Assert.That(email.Min, Is.Null, "sampled mode reads no min/max");
            Assert.That(P(catalog, "v_people", "id").RowsSeen, Is.EqualTo(20), "a view is read with LIMIT");
            Assert.That(P(catalog, "clicks", "id").RowsSeen, Is.EqualTo(1), "0.004 % of the fake's 60 rows: one block's worth");
            Assert.That(P(catalog, "order `lines`", "customer\\id").DistinctEstimate, Is.EqualTo(2), "escaped names reach the right column");
        });
        AssertNoRawPeopleValues(catalog.Tables.SelectMany(t => t.Columns).SelectMany(x => x.Profile!.Examples));

        var profiling = ProfilingStatements(fake);
        Assert.That(profiling, Has.Count.EqualTo(5), "one statement per table or view, all columns at once");
        Assert.Multiple(() =>
        {
            Assert.That(profiling, Has.One.Contains("FROM `sales`.`customer` TABLESAMPLE SYSTEM (66.667 PERCENT) LIMIT 20) s"));
            Assert.That(profiling, Has.One.Contains("FROM `sales`.`clicks` TABLESAMPLE SYSTEM (0.004 PERCENT) LIMIT 20) s"), "2 × 20 / 1,000,000 rows");
            Assert.That(profiling, Has.One.Contains("FROM `sales`.`ext_people` TABLESAMPLE SYSTEM (1 PERCENT) LIMIT 20) s"), "unknown size");
            Assert.That(profiling, Has.One.Contains("FROM `sales`.`v_people` LIMIT 20) s"));
            Assert.That(profiling, Has.One.Contains("FROM `sales`.`order \\`lines\\`` TABLESAMPLE").And.One.Contains("s.`customer\\\\id`"));
            Assert.That(profiling, Has.All.Contains("TO_JSON_STRING(ARRAY_AGG(DISTINCT SUBSTR(CAST(s.`").And.All.Contains(" AS STRING), 1, 100) IGNORE NULLS ORDER BY SUBSTR(CAST(s.`"));
        });
        var storage = fake.Statements.Where(s => s.Sql.Contains("INFORMATION_SCHEMA.TABLE_STORAGE")).ToList();
        Assert.That(storage, Has.Count.EqualTo(1), "row counts read once for the scope");
        Assert.That(storage[0].Sql, Does.Contain("FROM `amx-demo-project`.`region-us`.INFORMATION_SCHEMA.TABLE_STORAGE"), "region qualifier, as TABLE_STORAGE requires");
        Assert.That(storage[0].Parameters["schema"], Is.EqualTo("sales"));
    }

    [Test]
    public async Task Full_profile_has_exact_statistics_top_values_and_min_max_only_for_orderable_types()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake);
        var provider = new BigQueryProvider();
        var catalog = await provider.Metadata.ReadAsync(c, null, new MetadataOptions { Profiling = ProfilingMode.Full });

        var id = P(catalog, "customer", "id");
        var country = P(catalog, "customer", "country");
        var expectedCountry = PeopleRows().Select(r => r[2]).ToList();
        var tags = P(catalog, "events", "tags");
        var payload = P(catalog, "events", "payload");
        Assert.Multiple(() =>
        {
            Assert.That(id.RowsSeen, Is.EqualTo(People));
            Assert.That((id.Min, id.Max), Is.EqualTo(("1", "60")), "INT64 compared as numbers, not as text");
            Assert.That(country.NullRatio, Is.EqualTo(expectedCountry.Count(v => v is null) / (double)People));
            Assert.That(country.DistinctEstimate, Is.EqualTo(2));
            Assert.That((country.Min, country.Max), Is.EqualTo(("DE", "FR")), "STRING(2) is a STRING");
            Assert.That(country.TopValues, Is.EqualTo(expectedCountry.Where(v => v is not null).GroupBy(v => v!)
                .Select(g => (g.Key, (long)g.Count())).OrderByDescending(x => x.Item2).ToList()));
            Assert.That(P(catalog, "customer", "email").Examples, Is.EqualTo(new[] { Email(10), Email(11), Email(12), Email(13), Email(14) }), "unmasked without --mask-samples");
            Assert.That(tags.Note, Is.Null, "the ARRAY column was profiled (the fake refuses CAST of an ARRAY)");
            Assert.That((tags.Min, tags.Max), Is.EqualTo(((string?)null, (string?)null)), "no MIN/MAX for ARRAY");
            Assert.That(tags.DistinctEstimate, Is.EqualTo(2));
            Assert.That(tags.TopValues, Is.EquivalentTo(new[] { ("[\"green\"]", 6L), ("[\"red\",\"blue\"]", 6L) }), "as JSON text");
            Assert.That((payload.Min, payload.Examples.Count), Is.EqualTo(((string?)null, 3)), "JSON: no MIN/MAX, examples as JSON text");
            Assert.That((P(catalog, "events", "amount").Min, P(catalog, "events", "amount").Max), Is.EqualTo(("2.5", "30.0")), "NUMERIC(10, 2) is orderable, as numbers");
            Assert.That(P(catalog, "events", "at").Min, Is.EqualTo("2026-01-01 10:00:00+00"));
            Assert.That(P(catalog, "v_people", "email").RowsSeen, Is.EqualTo(People));
        });
        var sqls = fake.Statements.Select(s => s.Sql).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ProfilingStatements(fake), Has.Count.EqualTo(6), "one statistics statement per table/view");
            Assert.That(sqls.Count(s => s.StartsWith("SELECT * FROM (SELECT 0 AS i", StringComparison.Ordinal)), Is.EqualTo(6), "one top-values statement per table/view");
            Assert.That(sqls, Has.Some.Contains("SUBSTR(TO_JSON_STRING(s.`tags`), 1, 100)").And.None.Contains("CAST(s.`tags`").And.None.Contains("MIN(s.`tags`)"));
            Assert.That(sqls, Has.Some.Contains("SUBSTR(CAST(MIN(s.`id`) AS STRING), 1, 100)"));
            // Tables whose TABLE_STORAGE row count is under half the limit are not counted; the view, the external
            // table (no count) and clicks (1,000,000 ≥ limit / 2) are counted first, up to the limit.
            Assert.That(sqls.Where(s => s.StartsWith("SELECT COUNT(*) FROM (SELECT 1 FROM ", StringComparison.Ordinal)), Is.EquivalentTo(new[]
            {
                "SELECT COUNT(*) FROM (SELECT 1 FROM `sales`.`ext_people` LIMIT 1000001)", "SELECT COUNT(*) FROM (SELECT 1 FROM `sales`.`v_people` LIMIT 1000001)",
                "SELECT COUNT(*) FROM (SELECT 1 FROM `sales`.`clicks` LIMIT 1000001)",
            }));
            Assert.That(P(catalog, "clicks", "id").RowsSeen, Is.EqualTo(People), "counted 60 (the fake's rows), so profiled in full");
        });

        fake.Statements.Clear();
        var bare = await provider.Metadata.ReadAsync(c, Scope.Parse("sales.customer"), new MetadataOptions { Profiling = ProfilingMode.Full, NoSamples = true });
        var bareEmail = P(bare, "customer", "email");
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
    public async Task Maximum_bytes_billed_bounds_every_job_and_a_table_too_big_for_it_gets_a_note()
    {
        await using var fake = Create();
        fake.LogicalBytes["sales.clicks"] = 50 * GiB;
        fake.LogicalBytes["sales.customer"] = 2 * GiB;
        await using var c = await OpenAsync(fake, maximumBytesBilled: GiB.ToString(CultureInfo.InvariantCulture));
        var provider = new BigQueryProvider();

        // Sampled: 0.004 % of clicks' 50 GiB and 66.667 % of customer's 2 GiB (1.33 GiB: over the bound).
        var sampled = await provider.Metadata.ReadAsync(c, Scope.Parse("sales"), new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 20 });
        Assert.Multiple(() =>
        {
            Assert.That(P(sampled, "clicks", "email").RowsSeen, Is.EqualTo(1), "the block sample fits the bound");
            Assert.That(P(sampled, "customer", "email").Note, Does.StartWith("profiling failed: BigQuery error bytesBilledLimitExceeded (HTTP 400): Query exceeded limit for bytes billed: 1073741824."));
            Assert.That(P(sampled, "v_people", "email").RowsSeen, Is.EqualTo(20), "the other relations are profiled");
        });

        fake.Statements.Clear();
        var full = await provider.Metadata.ReadAsync(c, Scope.Parse("sales.customer"), new MetadataOptions { Profiling = ProfilingMode.Full, FullProfileRowLimit = 10_000_000 });
        Assert.That(P(full, "customer", "id").Note, Does.Contain("bytesBilledLimitExceeded").And.Contain("2147483648 or higher required"));
        Assert.That(P(full, "customer", "id").Min, Is.Null);

        var posts = fake.Requests.Where(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/queries", StringComparison.Ordinal)).ToList();
        Assert.That(posts, Is.Not.Empty);
        Assert.That(posts.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("maximumBytesBilled").GetString()), Has.All.EqualTo("1073741824"),
            "every job carries the bound, as an int64 JSON string");

        var bad = Assert.ThrowsAsync<HttpSqlException>(async () => await OpenAsync(fake, maximumBytesBilled: "1e9"));
        Assert.That(bad!.Message, Does.Contain("maximum_bytes_billed '1e9' is not a positive whole number of bytes"));
        // A config file edited past add-db-profile's check: one clear line, not "check the server is reachable".
        var edited = new DbProfile { Name = "bq", Backend = Backend.BigQuery, Database = fake.Project, Password = KeyFile(fake.KeyJson()) };
        edited.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        edited.Options[CloudSettings.MaximumBytesBilledKey] = "-1";
        var open = Assert.ThrowsAsync<Amx.Data.Errors.AmxException>(async () => await provider.OpenAsync(edited));
        Assert.That(open!.Message, Is.EqualTo("db profile 'bq' has invalid settings: the profile option maximum_bytes_billed '-1' is not a positive whole number of bytes"));
    }

    [Test]
    public async Task Without_access_to_table_storage_sizes_are_unknown_and_profiling_still_works()
    {
        await using var fake = Create();
        fake.DenyTableStorage = true;
        await using var c = await OpenAsync(fake);
        var provider = new BigQueryProvider();
        var sampled = await provider.Metadata.ReadAsync(c, Scope.Parse("sales"), new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 20, MaskSamples = true });
        Assert.Multiple(() =>
        {
            Assert.That(fake.Statements.Count(s => s.Sql.Contains("TABLE_STORAGE")), Is.EqualTo(1), "asked once, refused");
            Assert.That(sampled.Tables.Where(t => t.Kind == TargetKinds.Table).Select(t => t.RowEstimate), Has.All.Null);
            Assert.That(ProfilingStatements(fake).Where(s => s.Contains("TABLESAMPLE")).ToList(), Has.Count.EqualTo(4).And.All.Contains("TABLESAMPLE SYSTEM (1 PERCENT) LIMIT 20) s"));
            Assert.That(P(sampled, "customer", "email").RowsSeen, Is.EqualTo(1), "1 % of the fake's 60 rows");
            Assert.That(P(sampled, "customer", "email").Note, Is.EqualTo("sample of 1 rows"));
        });

        fake.Statements.Clear();
        var full = await provider.Metadata.ReadAsync(c, Scope.Parse("sales.customer"), new MetadataOptions { Profiling = ProfilingMode.Full });
        Assert.That(fake.Statements.Select(s => s.Sql), Has.Member("SELECT COUNT(*) FROM (SELECT 1 FROM `sales`.`customer` LIMIT 1000001)"), "no count known: counted first");
        Assert.That((P(full, "customer", "id").Min, P(full, "customer", "id").Max), Is.EqualTo(("1", "60")));
    }

    [Test]
    public async Task The_fake_refuses_what_googlesql_refuses()
    {
        await using var fake = Create();
        await using var c = await OpenAsync(fake);
        async Task<string> Fails(string sql)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            var e = Assert.ThrowsAsync<HttpSqlException>(async () => await cmd.ExecuteScalarAsync());
            return e!.Message;
        }
        var cast = await Fails("SELECT COUNT(*), COUNT(DISTINCT SUBSTR(CAST(s.`tags` AS STRING), 1, 100)) FROM `ops`.`events` s");
        var minJson = await Fails("SELECT COUNT(*), SUBSTR(CAST(MIN(s.`payload`) AS STRING), 1, 100) FROM `ops`.`events` s");
        var uncut = await Fails("SELECT COUNT(*), COUNT(DISTINCT CAST(s.`id` AS STRING)) FROM `ops`.`events` s");
        var missing = await Fails("SELECT COUNT(*), COUNT(s.`nope`) FROM `ops`.`events` s");
        var zero = await Fails("SELECT COUNT(*), COUNT(s.`id`) FROM (SELECT * FROM `ops`.`events` TABLESAMPLE SYSTEM (0 PERCENT) LIMIT 5) s");
        var storage = await Fails("SELECT table_name, total_rows FROM `amx-demo-project`.`ops`.INFORMATION_SCHEMA.TABLE_STORAGE");
        var mixed = await Fails("SELECT COUNT(*), TO_JSON_STRING(ARRAY_AGG(DISTINCT SUBSTR(CAST(s.`id` AS STRING), 1, 100) IGNORE NULLS ORDER BY SUBSTR(CAST(s.`amount` AS STRING), 1, 100) LIMIT 5)) FROM `ops`.`events` s");
        Assert.Multiple(() =>
        {
            Assert.That(cast, Does.Contain("Invalid cast from ARRAY<STRING> to STRING"));
            Assert.That(minJson, Does.Contain("MIN/MAX is not defined"));
            Assert.That(uncut, Does.Contain("invalidQuery"), "the text must be cut as amx cuts it");
            Assert.That(missing, Does.Contain("Unrecognized name"));
            Assert.That(zero, Does.Contain("sampling percentage"));
            Assert.That(storage, Does.Contain("needs a region qualifier"));
            Assert.That(mixed, Does.Contain("two columns"), "DISTINCT with ORDER BY on another expression is not GoogleSQL");
        });
    }

    // ---- the tool end to end ------------------------------------------------------------------------------------

    static AmxCli NewCli(FakeBigQuery fake, FakeLlmServer llm, params string[] extra)
    {
        var amx = new AmxCli("alice");
        amx.Env["BQ_KEY"] = KeyFile(fake.KeyJson());
        amx.Env["LLM_KEY"] = "sk-bqprof";
        WarehouseWorld.Ok(amx.Run(["add-db-profile", "bq", "--backend", "bigquery", "--project", fake.Project, "--location", "US",
            "--secret-env", "BQ_KEY", "--base-url", fake.BaseUrl, .. extra]));
        WarehouseWorld.Ok(amx.Run("add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model", "--base-url", llm.BaseUrl, "--api-key-env", "LLM_KEY"));
        return amx;
    }

    static string HomeFiles(AmxCli amx) =>
        string.Join("\n", Directory.EnumerateFiles(amx.Home, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)));

    [Test]
    public async Task Run_sampled_with_mask_samples_sends_masked_examples_and_no_raw_value_leaves_the_profiler()
    {
        await using var fake = Create();
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        using var amx = NewCli(fake, llm);
        var run = WarehouseWorld.Ok(amx.Run("run", "sales.customer", "--llm-profile", "fake", "--profiling-mode", "sampled", "--mask-samples"));
        var all = string.Join("\n", llm.Requests.SelectMany(r => r.UserTexts()));
        Assert.That(all, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(all, Does.Match(@"aaaa9+@aaaaaaa\.aaa"), "masked examples reach the prompt");
            Assert.That(all, Does.Contain("email"));
            Assert.That(fake.Statements.Select(s => s.Sql), Has.Some.Contains("FROM `sales`.`customer` TABLESAMPLE SYSTEM (100 PERCENT) LIMIT 1000) s"),
                "60 rows ≤ 2 × 1,000: the whole (one-block) table");
        });
        var show = WarehouseWorld.Ok(amx.Run("history", "show", WarehouseWorld.RunIdOf(run), "--output", "json")).Stdout;
        AssertNoRawPeopleValues([all, run.Stdout, run.Stderr, show, HomeFiles(amx)]);
    }

    [Test]
    public async Task Run_full_with_mask_samples_sends_masked_top_values_and_a_bad_byte_bound_is_refused_when_added()
    {
        await using var fake = Create();
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        using var amx = NewCli(fake, llm, "--option", "maximum_bytes_billed=5000000000");
        var run = WarehouseWorld.Ok(amx.Run("run", "sales.customer", "--llm-profile", "fake", "--profiling-mode", "full", "--mask-samples"));
        var all = string.Join("\n", llm.Requests.SelectMany(r => r.UserTexts()));
        var compact = Regex.Replace(all, @"\s", "");
        Assert.Multiple(() =>
        {
            Assert.That(all, Does.Match(@"aaaa9+@aaaaaaa\.aaa"), "masked examples reach the prompt");
            Assert.That(compact, Does.Contain("\"top_values\":[{\"value\":\"DE\",\"count\":30}"), "short codes kept, counts exact");
            Assert.That(fake.Statements.Select(s => s.Sql), Has.Some.StartsWith("SELECT * FROM (SELECT 0 AS i, SUBSTR(CAST(s.`id` AS STRING), 1, 100) AS v"));
            Assert.That(fake.Requests.Where(r => r.Method == "POST" && r.Body.Contains("\"query\"")).Select(r => r.Body), Has.All.Contains("\"maximumBytesBilled\":\"5000000000\""));
        });
        var show = WarehouseWorld.Ok(amx.Run("history", "show", WarehouseWorld.RunIdOf(run), "--output", "json")).Stdout;
        var home = HomeFiles(amx);
        AssertNoRawPeopleValues([all, run.Stdout, run.Stderr, show, home]);
        Assert.That(all + home, Does.Not.Contain(new string('b', 100)).And.Not.Contain(new string('c', 100)), "the raw notes never leave the profiler");

        var bad = amx.Run("add-db-profile", "bq", "--backend", "bigquery", "--project", fake.Project, "--secret-env", "BQ_KEY",
            "--base-url", fake.BaseUrl, "--option", "maximum_bytes_billed=10GB", "--replace");
        Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
        Assert.That(bad.Stderr.Split('\n').Count(l => l.StartsWith("error:", StringComparison.Ordinal)), Is.EqualTo(1), bad.ToString());
        Assert.That(bad.Stderr, Does.Contain("error: --option maximum_bytes_billed='10GB' is not a positive whole number of bytes"));
        Assert.That(bad.Stderr, Does.Contain("hint: e.g. --option maximum_bytes_billed=10000000000"));
        var pg = amx.Run("add-db-profile", "pg", "--backend", "snowflake", "--host", "a.snowflakecomputing.com", "--database", "D", "--user", "U",
            "--secret-env", "BQ_KEY", "--option", "maximum_bytes_billed=1000");
        Assert.That(pg.ExitCode, Is.EqualTo(2), pg.ToString());
        Assert.That(pg.Stderr, Does.Contain("error: --option maximum_bytes_billed applies to bigquery profiles only"));
        // The profile kept its valid bound: the bad add changed nothing.
        WarehouseWorld.Ok(amx.Run("run", "sales.customer", "--llm-profile", "fake", "--profiling-mode", "sampled"));
        Assert.That(fake.Requests.Last(r => r.Method == "POST" && r.Body.Contains("\"query\"")).Body, Does.Contain("\"maximumBytesBilled\":\"5000000000\""));
    }
}
