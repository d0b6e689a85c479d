using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Redshift;
using Npgsql;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// The Redshift backend's classes against the real PostgreSQL server where the dialect overlaps (pg_class,
/// pg_description, pg_constraint, COMMENT ON, the profiling SELECTs) and stub svv_* views with Redshift's documented
/// columns where it does not (see <see cref="RedshiftStubDatabase"/>).
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class RedshiftWarehouseTests
{
    const string Tricky = "it's \"quoted\"; -- $$ back\\slash \\\\ \\n literal\nsecond line\twith a tab\r\nemoji 😀 𠜎 end";

    RedshiftStubDatabase _db = null!;
    readonly IWarehouseProvider _provider = WarehouseProviders.For(Amx.Data.Config.Backend.Redshift);

    public const string Ddl = """
        CREATE SCHEMA sales;
        CREATE SCHEMA spectrum_like;
        CREATE TABLE sales.customer (c_id int PRIMARY KEY, name varchar(80) NOT NULL DEFAULT 'n/a', email varchar(256) UNIQUE, code char(2));
        CREATE TABLE sales.orders (o_id bigint PRIMARY KEY, c_id int REFERENCES sales.customer(c_id), amount numeric(10,2), placed date);
        CREATE TABLE sales.empty_table (id int);
        COMMENT ON TABLE sales.customer IS 'Customers';
        COMMENT ON COLUMN sales.customer.name IS 'Full name';
        -- An ordinary view whose text merely mentions the late-binding clause.
        CREATE VIEW sales.big_customers AS SELECT c_id, name FROM sales.customer WHERE c_id > 10 AND name <> 'with no schema binding';
        -- A late-binding view: pg_attribute has no columns for it; only svv_columns does.
        CREATE VIEW sales.recent_orders_lbv AS SELECT FROM sales.orders;
        INSERT INTO catalog_history.unbound_columns VALUES
            ('sales', 'recent_orders_lbv', 'o_id', 1, 'bigint', NULL),
            ('sales', 'recent_orders_lbv', 'placed', 2, 'date', NULL),
            ('spectrum_like', 'clicks', 'url', 1, 'character varying', 2048);
        INSERT INTO sales.customer SELECT g, 'Name ' || g, 'user' || g || '@example.com', 'C' || (g % 3) FROM generate_series(1, 300) g;
        INSERT INTO sales.orders SELECT g, 1 + g % 100, g, DATE '2024-01-01' + g FROM generate_series(1, 500) g;
        """;

    [OneTimeSetUp]
    public async Task SetUp() => _db = await RedshiftStubDatabase.CreateAsync(Ddl);

    [Test]
    public async Task Metadata_reads_tables_views_late_binding_columns_keys_comments_and_row_estimates()
    {
        await using var conn = _db.Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
        var byName = catalog.Tables.ToDictionary(t => t.Name.ToString());
        Assert.That(byName.Keys, Is.EquivalentTo(new[] { "sales.customer", "sales.orders", "sales.empty_table", "sales.big_customers", "sales.recent_orders_lbv" }),
            "no stub views (catalog_history), no external table");

        var customer = byName["sales.customer"];
        Assert.Multiple(() =>
        {
            Assert.That(customer.Kind, Is.EqualTo(TargetKinds.Table));
            Assert.That(customer.Comment, Is.EqualTo("Customers"));
            Assert.That(customer.RowEstimate, Is.EqualTo(300), "from svv_table_info");
            Assert.That(byName["sales.empty_table"].RowEstimate, Is.Null, "svv_table_info lists no empty tables");
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "c_id" }));
            Assert.That(customer.UniqueKeys, Has.Some.EqualTo(new List<string> { "email" }));
            Assert.That(customer.Columns.Select(c => c.Name), Is.EqualTo(new[] { "c_id", "name", "email", "code" }));
            Assert.That(customer.Columns[1].DataType, Is.EqualTo("character varying(80)"));
            Assert.That(customer.Columns[1].Comment, Is.EqualTo("Full name"));
            Assert.That(customer.Columns[1].IsNullable, Is.False);
            Assert.That(customer.Columns[1].Default, Does.Contain("n/a"));
            Assert.That(customer.Columns[3].DataType, Is.EqualTo("character(2)"));
        });

        var orders = byName["sales.orders"];
        Assert.Multiple(() =>
        {
            Assert.That(orders.Columns.Single(c => c.Name == "amount").DataType, Is.EqualTo("numeric(10,2)"));
            var fk = orders.ForeignKeys.Single();
            Assert.That(fk.Columns, Is.EqualTo(new[] { "c_id" }));
            Assert.That(fk.References, Is.EqualTo(new QualifiedName("sales", "customer")));
            Assert.That(fk.ReferencedColumns, Is.EqualTo(new[] { "c_id" }));
        });

        var view = byName["sales.big_customers"];
        var lbv = byName["sales.recent_orders_lbv"];
        Assert.Multiple(() =>
        {
            Assert.That(view.Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(view.ViewDefinition, Does.Contain("sales.customer").Or.Contain("customer"));
            Assert.That(view.Columns.All(c => c.IsTarget), Is.True, "only a view without pg_attribute rows is late-binding");
            Assert.That(lbv.Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(lbv.IsTarget, Is.True, "the late-binding view itself takes a comment");
            Assert.That(lbv.Columns.Select(c => c.Name), Is.EqualTo(new[] { "o_id", "placed" }), "its columns come from svv_columns alone");
            Assert.That(lbv.Columns.Any(c => c.IsTarget), Is.False, "Redshift takes no comments on late-binding view columns");
        });
    }

    [Test]
    public async Task A_scoped_read_returns_only_that_table()
    {
        await using var conn = _db.Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.orders"), MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "sales.orders" }));
        Assert.That(catalog.Tables[0].Columns, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Sampled_and_full_profiling_run_and_masking_hides_values()
    {
        await using var conn = _db.Open();
        var sampled = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.customer"),
            MetadataOptions.Default with { Profiling = ProfilingMode.Sampled, SampleRows = 50 });
        var email = sampled.Tables[0].Columns.Single(c => c.Name == "email").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(email.Note, Is.EqualTo("sample of 50 rows"));
            Assert.That(email.NullRatio, Is.EqualTo(0));
            Assert.That(email.Examples, Has.Count.EqualTo(2), "the smallest and the largest value");
            Assert.That(email.Examples, Has.All.Match(@"^user\d+@example\.com$"));
        });

        var full = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.orders"),
            MetadataOptions.Default with { Profiling = ProfilingMode.Full });
        var amount = full.Tables[0].Columns.Single(c => c.Name == "amount").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(amount.Note, Is.Null, amount.Note);
            Assert.That(amount.RowsSeen, Is.EqualTo(500));
            Assert.That(amount.Min, Is.EqualTo("1.00"));
            Assert.That(amount.Max, Is.EqualTo("500.00"));
            Assert.That(full.Tables[0].Columns.Single(c => c.Name == "c_id").Profile!.TopValues, Has.Count.EqualTo(5));
        });

        var masked = await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales.customer"),
            MetadataOptions.Default with { Profiling = ProfilingMode.Sampled, MaskSamples = true });
        var maskedEmail = masked.Tables[0].Columns.Single(c => c.Name == "email").Profile!;
        Assert.That(maskedEmail.Examples, Is.Not.Empty);
        Assert.That(string.Join(" ", maskedEmail.Examples), Does.Not.Contain("example.com"));
    }

    [Test]
    public async Task Comments_round_trip_byte_exact_under_Redshift_literal_rules_and_one_failure_stays_alone()
    {
        await using var conn = _db.Open();
        var writes = new List<CommentWrite>
        {
            new(new CommentTarget(new QualifiedName("sales", "orders"), TargetKinds.Table), Tricky),
            new(new CommentTarget(new QualifiedName("sales", "orders", "amount"), TargetKinds.Column), "Amount in EUR, 'net'"),
            new(new CommentTarget(new QualifiedName("sales", "big_customers"), TargetKinds.View), "Customers above 10"),
            new(new CommentTarget(new QualifiedName("sales", "gone"), TargetKinds.Table), "never written"),
        };
        var failures = await _provider.Comments.WriteManyAsync(conn, writes);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()), Is.EqualTo(new[] { "sales.gone" }));
        Assert.That(failures.Values.Single().Message, Does.Contain("no longer exists"));

        var live = _db.Comments();
        Assert.Multiple(() =>
        {
            Assert.That(live["sales.orders"], Is.EqualTo(Tricky), "read back by PostgreSQL with standard_conforming_strings off, as Redshift reads literals");
            Assert.That(live["sales.orders.amount"], Is.EqualTo("Amount in EUR, 'net'"));
            Assert.That(live["sales.big_customers"], Is.EqualTo("Customers above 10"));
        });

        // Removing is IS NULL; a single write verifies itself.
        await _provider.Comments.WriteAsync(conn, null, new QualifiedName("sales", "orders", "amount"), TargetKinds.Column, null);
        Assert.That(_db.Comments()["sales.orders.amount"], Is.Null);
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, new QualifiedName("sales", "orders"), TargetKinds.Table), Is.EqualTo(Tricky));
    }

    [Test]
    public async Task Privilege_check_names_the_owner_when_the_user_is_neither_owner_nor_superuser()
    {
        var user = "rs_" + Guid.NewGuid().ToString("N")[..8];
        await _db.ExecAsync($"""
            CREATE USER {user} PASSWORD 'pw-{user}';
            CREATE TABLE sales.owned_by_{user} (id int);
            ALTER TABLE sales.owned_by_{user} OWNER TO {user};
            GRANT USAGE ON SCHEMA sales TO {user};
            """);
        await using var conn = _db.Open(user, $"pw-{user}");
        var targets = new[]
        {
            new CommentTarget(new QualifiedName("sales", "customer"), TargetKinds.Table),
            new CommentTarget(new QualifiedName("sales", "customer", "name"), TargetKinds.Column),
            new CommentTarget(new QualifiedName("sales", $"owned_by_{user}"), TargetKinds.Table),
        };
        var denied = await _provider.Privileges!.CheckAsync(conn, targets);
        Assert.That(denied.Keys.Select(k => k.Name.ToString()), Is.EquivalentTo(new[] { "sales.customer", "sales.customer.name" }));
        Assert.That(denied.Values.First(), Does.Contain("owned by").And.Contain("superuser"));

        var failures = await _provider.Comments.WriteManyAsync(conn, [new CommentWrite(targets[0], "not mine")]);
        Assert.That(failures.Values.Single().Message, Does.Contain("permission denied"));
        Assert.That(failures.Values.Single().Hint, Does.Contain("owner"));
    }

    [Test]
    public async Task Server_info_says_the_server_is_not_Redshift_and_identity_falls_back_to_host_and_database()
    {
        await using var conn = _db.Open();
        var info = await _provider.ServerInfo.ReadAsync(conn);
        Assert.That(info.Backend, Is.EqualTo("redshift"));
        Assert.That(info.Version, Does.StartWith("PostgreSQL 15").And.EndWith("(not Redshift)"));
        Assert.That(info.User, Is.EqualTo(_db.Server.AdminUser));
        // current_namespace does not exist on PostgreSQL: the fallback path.
        var id = await _provider.ServerInfo.IdentityAsync(conn);
        Assert.That(id, Is.EqualTo($"redshift:{_db.Server.Host.ToLowerInvariant()}:{_db.Server.Port}/{_db.Database}"));
        Assert.That(RedshiftServerInfoReader.DescribeVersion(
            "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467"),
            Is.EqualTo("Amazon Redshift 1.0.77467"));
    }

    [Test]
    public async Task Every_catalog_query_prepares_on_PostgreSQL_against_stubs_with_only_the_documented_columns()
    {
        await using var conn = _db.Open();
        var i = 0;
        foreach (var sql in RedshiftGeneratedSqlTests.CatalogQueries)
        {
            // PREPARE parses, resolves every name and type-checks without running: @schema/@table become $1/$2.
            var prepared = sql.Replace("@schema", "$1").Replace("@table", "$2");
            await using var cmd = new NpgsqlCommand($"PREPARE rs_q{i++}(text, text) AS {prepared}", conn);
            Assert.DoesNotThrowAsync(() => cmd.ExecuteNonQueryAsync(), sql);
        }
        // And the stub really is strict: an undocumented column fails.
        await using var bad = new NpgsqlCommand("PREPARE rs_bad AS SELECT table_owner FROM svv_columns", conn);
        Assert.ThrowsAsync<PostgresException>(() => bad.ExecuteNonQueryAsync());
    }
}
