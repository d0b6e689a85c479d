using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Microsoft.Data.Sqlite;

namespace Amx.Tool.Tests.Warehouse;

[TestFixture]
[Category("Quick")]
public sealed class SqliteWarehouseTests
{
    string _path = null!;
    readonly IWarehouseProvider _provider = WarehouseProviders.For(Amx.Data.Config.Backend.Sqlite);

    [OneTimeSetUp]
    public void SetUp()
    {
        _path = Path.Combine(Path.GetTempPath(), $"amx-wh-{Guid.NewGuid():N}.db");
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE customer (c_id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'n/a', email TEXT UNIQUE, code TEXT);
            CREATE TABLE "Order Lines" (o_id INTEGER, line INTEGER, c_id INTEGER REFERENCES customer(c_id), "select" REAL,
                                        PRIMARY KEY (o_id, line));
            CREATE VIEW big AS SELECT * FROM customer WHERE c_id > 10;
            CREATE TABLE amx_history_runs (run_id TEXT PRIMARY KEY);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 300)
            INSERT INTO customer SELECT n, 'Name ' || n, 'user' || n || '@example.com', 'C' || (n % 3) FROM g;
            """;
        cmd.ExecuteNonQuery();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    SqliteConnection Open()
    {
        var c = new SqliteConnection($"Data Source={_path}");
        c.Open();
        return c;
    }

    [Test]
    public async Task Metadata_reads_tables_views_columns_and_keys_in_main()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EquivalentTo(new[] { "main.customer", "main.\"Order Lines\"", "main.big" }));
        var customer = catalog.Tables.Single(t => t.Name.Table == "customer");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Columns.Select(c => c.Name), Is.EqualTo(new[] { "c_id", "name", "email", "code" }));
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "c_id" }));
            Assert.That(customer.UniqueKeys.Single(), Is.EqualTo(new[] { "email" }));
            Assert.That(customer.Columns[1].IsNullable, Is.False);
            Assert.That(customer.Columns[1].Default, Is.EqualTo("'n/a'"));
            Assert.That(customer.Comment, Is.Null);
        });
        var lines = catalog.Tables.Single(t => t.Name.Table == "Order Lines");
        Assert.That(lines.PrimaryKey, Is.EqualTo(new[] { "o_id", "line" }));
        Assert.That(lines.ForeignKeys.Single().References, Is.EqualTo(new QualifiedName("main", "customer")));
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "big").Kind, Is.EqualTo(TargetKinds.View));

        var col = await _provider.Metadata.ReadAsync(conn, Scope.Parse("main.\"Order Lines\".select"), MetadataOptions.Default);
        Assert.That(col.Targets().Select(x => x.Column?.Name), Is.EqualTo(new[] { "select" }));
        Assert.That((await _provider.Metadata.ReadAsync(conn, Scope.Parse("other"), MetadataOptions.Default)).Tables, Is.Empty);
    }

    [Test]
    public async Task Profiles_sampled_and_full()
    {
        await using var conn = Open();
        var sampled = await _provider.Metadata.ReadAsync(conn, Scope.Parse("main.customer"),
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 50, MaskSamples = true });
        var email = sampled.Tables.Single().Columns.Single(c => c.Name == "email").Profile!;
        Assert.That(email.RowsSeen, Is.EqualTo(50));
        Assert.That(email.Examples, Has.Count.EqualTo(5).And.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"));

        var full = await _provider.Metadata.ReadAsync(conn, Scope.Parse("main.customer"), new MetadataOptions { Profiling = ProfilingMode.Full });
        var code = full.Tables.Single().Columns.Single(c => c.Name == "code").Profile!;
        Assert.That(code.DistinctEstimate, Is.EqualTo(3));
        Assert.That(code.TopValues.Select(v => v.Count), Is.EqualTo(new long[] { 100, 100, 100 }));
        Assert.That((code.Min, code.Max), Is.EqualTo(("C0", "C2")));
    }

    [Test]
    public async Task Comments_are_refused_plainly()
    {
        await using var conn = Open();
        var ex = Assert.ThrowsAsync<CommentWriteException>(() =>
            _provider.Comments.WriteAsync(conn, null, new QualifiedName("main", "customer"), TargetKinds.Table, "x"));
        Assert.That(ex!.Message, Does.Contain("SQLite has no comments").And.Contain("history"));
        Assert.That(_provider.Dialect.SupportsColumnComments, Is.False);
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, new QualifiedName("main", "customer"), TargetKinds.Table), Is.Null);
    }
}
