using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Postgres;
using Npgsql;

namespace Amx.Tool.Tests.Warehouse;

[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class PostgresWarehouseTests
{
    PostgresServer _pg = null!;
    string _db = null!;
    readonly IWarehouseProvider _provider = WarehouseProviders.For(Amx.Data.Config.Backend.PostgreSql);

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _pg = await TestServers.Postgres();
        _db = await _pg.CreateDatabaseAsync("warehouse");
        await _pg.ExecuteAsync("""
            CREATE SCHEMA sales;
            CREATE SCHEMA "Mixed Case";
            CREATE SCHEMA amx;
            CREATE TABLE sales.customer (c_id int PRIMARY KEY, name text NOT NULL DEFAULT 'n/a', email varchar(80) UNIQUE, code char(2));
            CREATE TABLE sales.orders (o_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c_id int REFERENCES sales.customer(c_id),
                                       amount numeric(10,2), doubled numeric GENERATED ALWAYS AS (amount * 2) STORED);
            CREATE UNIQUE INDEX orders_amount_ux ON sales.orders(c_id, amount);
            COMMENT ON TABLE sales.customer IS 'Customers';
            COMMENT ON COLUMN sales.customer.name IS 'Full name';
            CREATE VIEW sales.big_customers AS SELECT * FROM sales.customer WHERE c_id > 10;
            CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS n FROM sales.customer;
            CREATE TABLE sales.events (id int, at date) PARTITION BY RANGE (at);
            CREATE TABLE sales.events_2024 PARTITION OF sales.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE "Mixed Case"."Order Lines" ("Line No" int, "select" text, "from" text);
            CREATE TABLE "Mixed Case"."order lines" ("Line No" int);
            CREATE TABLE "Mixed Case"."table" ("column" int);
            CREATE TABLE amx.amx_history_runs (run_id text PRIMARY KEY);
            CREATE TABLE amx.amx_history_results (run_id text);
            CREATE TABLE amx.not_amx (id int);
            INSERT INTO sales.customer SELECT g, 'Name ' || g, 'user' || g || '@example.com', 'C' || (g % 3) FROM generate_series(1, 3000) g;
            INSERT INTO sales.orders (c_id, amount) SELECT 1 + g % 100, g FROM generate_series(1, 500) g;
            ANALYZE;
            """, _db);
    }

    NpgsqlConnection Open(string? user = null, string? password = null)
    {
        var c = new NpgsqlConnection(_pg.ConnectionString(_db, user, password));
        c.Open();
        return c;
    }

    [Test]
    public async Task Metadata_reads_kinds_keys_comments_and_leaves_out_partitions_system_and_amx_tables()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
        var names = catalog.Tables.Select(t => t.Name.ToString()).ToList();

        Assert.That(names, Does.Contain("sales.customer").And.Contain("sales.events").And.Contain("amx.not_amx"));
        Assert.That(names, Does.Not.Contain("sales.events_2024"), "partitions are described by their parent");
        Assert.That(names.Where(n => n.Contains("amx_history_")), Is.Empty);
        Assert.That(names.Where(n => n.StartsWith("pg_") || n.StartsWith("information_schema")), Is.Empty);

        var customer = catalog.Tables.Single(t => t.Name == new QualifiedName("sales", "customer"));
        Assert.Multiple(() =>
        {
            Assert.That(customer.Kind, Is.EqualTo(TargetKinds.Table));
            Assert.That(customer.Comment, Is.EqualTo("Customers"));
            Assert.That(customer.RowEstimate, Is.EqualTo(3000));
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "c_id" }));
            Assert.That(customer.UniqueKeys, Has.Some.EqualTo(new List<string> { "email" }));
            Assert.That(customer.Columns.Select(c => c.Name), Is.EqualTo(new[] { "c_id", "name", "email", "code" }));
            var name = customer.Columns[1];
            Assert.That(name.Comment, Is.EqualTo("Full name"));
            Assert.That(name.IsNullable, Is.False);
            Assert.That(name.Default, Is.EqualTo("'n/a'::text"));
            Assert.That(customer.Columns[2].DataType, Is.EqualTo("character varying(80)"));
            Assert.That(customer.Columns[2].Comment, Is.Null);
        });

        var orders = catalog.Tables.Single(t => t.Name == new QualifiedName("sales", "orders"));
        Assert.Multiple(() =>
        {
            Assert.That(orders.ForeignKeys.Single().References, Is.EqualTo(new QualifiedName("sales", "customer")));
            Assert.That(orders.ForeignKeys.Single().Columns, Is.EqualTo(new[] { "c_id" }));
            Assert.That(orders.ForeignKeys.Single().ReferencedColumns, Is.EqualTo(new[] { "c_id" }));
            Assert.That(orders.UniqueKeys, Has.Some.EqualTo(new List<string> { "c_id", "amount" }), "unique index without constraint");
            Assert.That(orders.Columns[0].IsIdentity, Is.True);
            Assert.That(orders.Columns.Single(c => c.Name == "doubled").GeneratedExpression, Does.Contain("amount * "));
        });
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").Kind, Is.EqualTo(TargetKinds.View));
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "customer_count").Kind, Is.EqualTo(TargetKinds.MaterializedView));
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "events").IsPartitioned, Is.True);
    }

    [Test]
    public async Task Partitions_and_amx_tables_are_read_when_asked()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, null, new MetadataOptions { IncludePartitions = true, IncludeAmxTables = true });
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "events_2024").IsPartition, Is.True);
        var amx = catalog.Tables.Where(t => t.IsAmxOwned).Select(t => t.Name.ToString()).ToList();
        Assert.That(amx, Is.EquivalentTo(new[] { "amx.amx_history_runs", "amx.amx_history_results" }));
        Assert.That(catalog.Targets().Any(x => x.Table.IsAmxOwned), Is.False, "amx's tables are never drafted");
    }

    [Test]
    public async Task Scopes_filter_schema_table_and_column()
    {
        await using var conn = Open();
        var schema = await _provider.Metadata.ReadAsync(conn, Scope.Parse("\"Mixed Case\""), MetadataOptions.Default);
        Assert.That(schema.Tables.Select(t => t.Name.Table), Is.EquivalentTo(new[] { "Order Lines", "order lines", "table" }));

        var table = await _provider.Metadata.ReadAsync(conn, Scope.Parse("\"Mixed Case\".\"Order Lines\""), MetadataOptions.Default);
        Assert.That(table.Tables.Single().Columns.Select(c => c.Name), Is.EqualTo(new[] { "Line No", "select", "from" }));

        var column = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.customer.email"), MetadataOptions.Default);
        var t = column.Tables.Single();
        Assert.That(t.Columns, Has.Count.EqualTo(4), "the other columns are context");
        Assert.That(column.Targets().Select(x => x.Column?.Name), Is.EqualTo(new[] { "email" }), "only the column is a target");
    }

    [Test]
    public async Task Sampled_profile_gives_null_ratio_distinct_and_masked_examples_in_one_query_per_table()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.customer"),
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 200, MaskSamples = true });
        var cols = catalog.Tables.Single().Columns;
        var email = cols.Single(c => c.Name == "email").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(email.RowsSeen, Is.EqualTo(200));
            Assert.That(email.NullRatio, Is.EqualTo(0));
            Assert.That(email.Examples, Has.Count.EqualTo(5));
            Assert.That(email.Examples, Has.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"), "masked: letters a, digits 9");
            Assert.That(cols.Single(c => c.Name == "code").Profile!.Examples, Has.Some.EqualTo("C1"), "short codes are kept");
            Assert.That(email.Min, Is.Null, "sampled mode has no min/max");
        });
    }

    [Test]
    public async Task Full_profile_gives_exact_counts_min_max_top_values_and_skips_tables_over_the_limit()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales"),
            new MetadataOptions { Profiling = ProfilingMode.Full, FullProfileRowLimit = 1000 });
        var orders = catalog.Tables.Single(t => t.Name.Table == "orders");
        var cid = orders.Columns.Single(c => c.Name == "c_id").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(cid.RowsSeen, Is.EqualTo(500));
            Assert.That(cid.DistinctEstimate, Is.EqualTo(100));
            Assert.That(cid.Min, Is.EqualTo("1"));
            Assert.That(cid.Max, Is.EqualTo("100"));
            Assert.That(cid.TopValues, Has.Count.EqualTo(5));
            Assert.That(cid.TopValues[0].Count, Is.EqualTo(5));
        });
        var customer = catalog.Tables.Single(t => t.Name.Table == "customer");
        Assert.That(customer.Columns[0].Profile!.Note, Does.Contain("skipped").And.Contain("1,000"));
        Assert.That(customer.Columns[0].Profile!.RowsSeen, Is.Null);

        var none = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.orders"),
            new MetadataOptions { Profiling = ProfilingMode.Full, NoSamples = true });
        var p = none.Tables.Single().Columns.Single(c => c.Name == "c_id").Profile!;
        Assert.That(p.DistinctEstimate, Is.EqualTo(100));
        Assert.That(p.Examples.Count + p.TopValues.Count, Is.Zero);
        Assert.That(p.Min, Is.Null);
    }

    [Test]
    public async Task Metadata_mode_reads_no_table()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales"), MetadataOptions.Default);
        Assert.That(catalog.Tables.SelectMany(t => t.Columns).All(c => c.Profile is null));
    }

    static IEnumerable<string> PgTexts() => TrickyComments.All.Append(new string('é', 100_000) + "😀");

    [TestCaseSource(nameof(PgTexts))]
    public async Task Comments_round_trip_byte_exact_on_tables_columns_views_and_matviews(string text)
    {
        await using var conn = Open();
        var w = _provider.Comments;
        var targets = new[]
        {
            new CommentTarget(new QualifiedName("Mixed Case", "Order Lines"), TargetKinds.Table),
            new CommentTarget(new QualifiedName("Mixed Case", "Order Lines", "select"), TargetKinds.Column),
            new CommentTarget(new QualifiedName("sales", "big_customers"), TargetKinds.View),
            new CommentTarget(new QualifiedName("sales", "customer_count"), TargetKinds.MaterializedView),
        };
        foreach (var t in targets)
        {
            await w.WriteAsync(conn, null, t.Name, t.Kind, text);
            Assert.That(System.Text.Encoding.UTF8.GetBytes((await w.ReadLiveCommentAsync(conn, null, t.Name, t.Kind))!),
                Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(text)), t.ToString());
        }
        var live = await w.ReadLiveCommentsAsync(conn, null, targets);
        Assert.That(live.Values, Has.All.EqualTo(text));
        // The look-alike object is untouched: the right one was reached.
        Assert.That(await w.ReadLiveCommentAsync(conn, null, new QualifiedName("Mixed Case", "order lines"), TargetKinds.Table), Is.Null);
    }

    [Test]
    public async Task Rendered_statement_is_the_one_executed_and_null_removes_the_comment()
    {
        var w = (PostgresCommentWriter)_provider.Comments;
        var sql = (await w.RenderStatementsAsync(null, new QualifiedName("Mixed Case", "table", "column"), TargetKinds.Column, @"a'b\c $$"))
            .Single();
        Assert.That(sql, Is.EqualTo("COMMENT ON COLUMN \"Mixed Case\".\"table\".\"column\" IS E'a''b\\\\c $$'"));

        await using var conn = Open();
        await using (var cmd = new NpgsqlCommand("SET standard_conforming_strings = off", conn)) await cmd.ExecuteNonQueryAsync();
        await w.WriteAsync(conn, null, new QualifiedName("Mixed Case", "table", "column"), TargetKinds.Column, @"a'b\c $$");
        Assert.That(await w.ReadLiveCommentAsync(conn, null, new QualifiedName("Mixed Case", "table", "column"), TargetKinds.Column), Is.EqualTo(@"a'b\c $$"));
        await w.WriteAsync(conn, null, new QualifiedName("Mixed Case", "table", "column"), TargetKinds.Column, null);
        Assert.That(await w.ReadLiveCommentAsync(conn, null, new QualifiedName("Mixed Case", "table", "column"), TargetKinds.Column), Is.Null);
        Assert.That((await w.RenderStatementsAsync(null, new QualifiedName("s", "t"), TargetKinds.Table, null)).Single(), Does.EndWith("IS NULL"));
    }

    [Test]
    public async Task Missing_object_is_a_per_target_error()
    {
        await using var conn = Open();
        var ex = Assert.ThrowsAsync<CommentWriteException>(() =>
            _provider.Comments.WriteAsync(conn, null, new QualifiedName("sales", "nope"), TargetKinds.Table, "x"));
        Assert.That(ex!.Message, Does.Contain("no longer exists"));
        Assert.That(ex.Code, Is.EqualTo(ExitCode.Failed));
    }

    [Test]
    public async Task Not_the_owner_is_reported_per_object_and_the_others_are_written()
    {
        var role = "wh_member_" + Guid.NewGuid().ToString("N")[..8];
        await _pg.ExecuteAsync($"""
            CREATE ROLE {role} LOGIN PASSWORD 'pw';
            GRANT USAGE ON SCHEMA sales TO {role};
            CREATE TABLE sales.{role}_own (id int);
            ALTER TABLE sales.{role}_own OWNER TO {role};
            """, _db);
        await using var conn = Open(role, "pw");
        var targets = new[] { new QualifiedName("sales", "customer"), new QualifiedName("sales", role + "_own", "id"), new QualifiedName("sales", "orders") };
        var failed = new List<CommentWriteException>();
        foreach (var t in targets)
        {
            try { await _provider.Comments.WriteAsync(conn, null, t, t.IsColumn ? TargetKinds.Column : TargetKinds.Table, "by member"); }
            catch (CommentWriteException e) { failed.Add(e); }
        }
        Assert.That(failed.Select(f => f.Target.Name), Is.EqualTo(new[] { targets[0], targets[2] }));
        Assert.That(failed[0].Message, Does.Contain("permission denied").And.Contain("sales.customer"));
        Assert.That(failed[0].Hint, Does.Contain("owner"));
        Assert.That(await _pg.ScalarAsync<string>($"SELECT col_description('sales.{role}_own'::regclass, 1)", _db), Is.EqualTo("by member"));
        Assert.That(await _pg.ScalarAsync<string>("SELECT obj_description('sales.customer'::regclass, 'pg_class')", _db), Is.EqualTo("Customers"));
    }

    [Test]
    public async Task Many_comments_go_in_one_batch_and_failures_in_the_middle_leave_the_others_written()
    {
        var role = "wh_batch_" + Guid.NewGuid().ToString("N")[..8];
        await _pg.ExecuteAsync($"""
            CREATE ROLE {role} LOGIN PASSWORD 'pw';
            GRANT USAGE ON SCHEMA sales TO {role};
            CREATE TABLE sales.{role}_a (id int, name text);
            CREATE TABLE sales.{role}_b (id int);
            ALTER TABLE sales.{role}_a OWNER TO {role};
            ALTER TABLE sales.{role}_b OWNER TO {role};
            """, _db);
        await using var conn = Open(role, "pw");
        CommentWrite Col(string table, string column, string text) =>
            new(new CommentTarget(new QualifiedName("sales", table, column), TargetKinds.Column), text);

        // All succeed: one transaction, one batch.
        var clean = await _provider.Comments.WriteManyAsync(conn, [Col(role + "_a", "id", "first 'a'"), Col(role + "_a", "name", "second"), Col(role + "_b", "id", "third")]);
        Assert.That(clean, Is.Empty);
        Assert.That(await _pg.ScalarAsync<string>($"SELECT col_description('sales.{role}_b'::regclass, 1)", _db), Is.EqualTo("third"));

        // Two failures between successes (not the owner; a dropped column): the batch is aborted and written again target by
        // target, so the failures are named and every other comment is written.
        var failures = await _provider.Comments.WriteManyAsync(conn,
        [
            Col(role + "_a", "id", "again 1"), Col("customer", "name", "not mine"), Col(role + "_a", "name", "again 2"),
            Col(role + "_b", "gone", "no column"), Col(role + "_b", "id", "again 3"),
        ]);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()).Order(), Is.EqualTo(new[] { "sales.customer.name", $"sales.{role}_b.gone" }));
        Assert.That(failures[new CommentTarget(new QualifiedName("sales", "customer", "name"), TargetKinds.Column)].Message, Does.Contain("permission denied"));
        Assert.That(await _pg.ScalarAsync<string>($"SELECT string_agg(col_description(attrelid, attnum), ' | ' ORDER BY attrelid::regclass::text, attnum) FROM pg_attribute WHERE attrelid IN ('sales.{role}_a'::regclass, 'sales.{role}_b'::regclass) AND attnum > 0", _db),
            Is.EqualTo("again 1 | again 2 | again 3"));
    }

    [Test]
    public async Task Server_info_names_version_and_user()
    {
        await using var conn = Open();
        var info = await _provider.ServerInfo.ReadAsync(conn);
        Assert.That(info.Version, Does.StartWith("PostgreSQL 1"));
        Assert.That(info.User, Is.EqualTo(_pg.AdminUser));
    }
}
