using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.MySql;
using MySqlConnector;

namespace Amx.Tool.Tests.Warehouse;

[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class MariaDbWarehouseTests
{
    MariaDbServer _my = null!;
    string _db = null!;
    readonly IWarehouseProvider _provider = WarehouseProviders.For(Amx.Data.Config.Backend.MariaDb);

    // Every column shape MODIFY COLUMN must restate: type, unsigned/zerofill, charset+collation, default,
    // ON UPDATE, AUTO_INCREMENT, generated (VIRTUAL/STORED), nullability, INVISIBLE, CHECK, enum with quotes.
    const string ShapesDdl = """
        CREATE TABLE shapes (
          id bigint unsigned NOT NULL AUTO_INCREMENT COMMENT 'pk',
          z int(8) unsigned zerofill DEFAULT 7,
          s varchar(40) CHARACTER SET latin1 COLLATE latin1_german1_ci NOT NULL DEFAULT 'a''b\\c',
          u timestamp NOT NULL DEFAULT current_timestamp ON UPDATE current_timestamp,
          u2 datetime(3) NULL DEFAULT NULL ON UPDATE current_timestamp(3),
          g int GENERATED ALWAYS AS (id * 2) VIRTUAL COMMENT 'gen',
          gs varchar(50) AS (concat(s, 'x')) STORED,
          inv int INVISIBLE DEFAULT 3,
          e enum('a','b''c') DEFAULT 'a',
          st set('x','y') NOT NULL DEFAULT 'x,y',
          n decimal(10,2) NULL,
          f double(8,3) unsigned DEFAULT '1.500',
          d datetime(3) DEFAULT '2020-01-01 00:00:00.000',
          j json CHECK (json_valid(j)),
          t text COLLATE utf8mb4_bin,
          b varbinary(16) DEFAULT x'00ff',
          ex int DEFAULT (1 + 2) COMMENT 'expr default',
          PRIMARY KEY (id),
          UNIQUE KEY shapes_z (z, n)
        ) COMMENT 'tbl'
        """;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _my = await TestServers.MariaDb();
        _db = await _my.CreateDatabaseAsync("warehouse");
        foreach (var sql in new[]
                 {
                     ShapesDdl,
                     "CREATE TABLE customer (c_id int PRIMARY KEY, name varchar(50) NOT NULL COMMENT 'Full name', email varchar(80) UNIQUE, code char(2)) COMMENT 'Customers'",
                     "CREATE TABLE orders (o_id int AUTO_INCREMENT PRIMARY KEY, c_id int, amount decimal(10,2), FOREIGN KEY (c_id) REFERENCES customer(c_id))",
                     "CREATE VIEW big_customers AS SELECT * FROM customer WHERE c_id > 10",
                     "CREATE TABLE `Order Lines` (`Line No` int, `select` text COMMENT '', `from` text)",
                     "CREATE TABLE `order lines` (`Line No` int)",
                     "CREATE TABLE `back``tick` (`a``b` int)",
                     "CREATE TABLE limits (v text)",
                     "CREATE TABLE amx_history_runs (run_id varchar(40) PRIMARY KEY)",
                     "INSERT INTO customer SELECT seq, concat('Name ', seq), concat('user', seq, '@example.com'), concat('C', seq % 3) FROM seq_1_to_3000",
                     "INSERT INTO orders (c_id, amount) SELECT 1 + seq % 100, seq FROM seq_1_to_500",
                     "ANALYZE TABLE customer, orders",
                 })
            await _my.ExecuteAsync(sql, _db);
    }

    MySqlConnection Open(string? user = null, string? password = null)
    {
        var c = new MySqlConnection(_my.ConnectionString(_db, user, password));
        c.Open();
        return c;
    }

    async Task<string> ShowCreateAsync(MySqlConnection conn, string table = "shapes")
    {
        await using var cmd = new MySqlCommand($"SHOW CREATE TABLE `{table}`", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return r.GetString(1);
    }

    static string[] ShapeColumns => ["id", "z", "s", "u", "u2", "g", "gs", "inv", "e", "st", "n", "f", "d", "j", "t", "b", "ex"];

    [TestCaseSource(nameof(ShapeColumns))]
    public async Task Column_comment_changes_nothing_else_in_show_create_table(string column)
    {
        await using var conn = Open();
        var before = await ShowCreateAsync(conn);
        var original = await _provider.Comments.ReadLiveCommentAsync(conn, null, new QualifiedName(_db, "shapes", column), TargetKinds.Column);
        var target = new QualifiedName(_db, "shapes", column);
        if (column is "gs" or "j")
        {
            // MariaDB 10.11 cannot change these comments as metadata only (a STORED generated column, JSON): refused
            // with the server's reason, nothing written (docs/mysql-mariadb.md; --allow-table-rebuild is the way).
            var refused = Assert.ThrowsAsync<CommentWriteException>(() => _provider.Comments.WriteAsync(conn, null, target, TargetKinds.Column, "amx new"));
            Assert.That(refused!.Message, Does.Contain("--allow-table-rebuild"));
            Assert.That(await ShowCreateAsync(conn), Is.EqualTo(before), "nothing changed");
            return;
        }

        await _provider.Comments.WriteAsync(conn, null, target, TargetKinds.Column, "amx it's \\ new");
        var after = await ShowCreateAsync(conn);
        var beforeLines = before.Split('\n');
        var afterLines = after.Split('\n');
        Assert.That(afterLines, Has.Length.EqualTo(beforeLines.Length));
        for (var i = 0; i < beforeLines.Length; i++)
        {
            var b = MySqlColumnDefinition.FromCreateTable(beforeLines[i], column);
            if (b is null) { Assert.That(afterLines[i], Is.EqualTo(beforeLines[i]), "other lines are untouched"); continue; }
            Assert.That(MySqlColumnDefinition.FromCreateTable(afterLines[i], column)!.DefinitionWithoutComment, Is.EqualTo(b.DefinitionWithoutComment));
            Assert.That(afterLines[i], Does.Contain(@"COMMENT 'amx it''s \\ new'"));
        }

        await _provider.Comments.WriteAsync(conn, null, target, TargetKinds.Column, original);
        Assert.That(await ShowCreateAsync(conn), Is.EqualTo(before), "restoring the comment restores the exact table");
    }

    [Test]
    public async Task Column_statement_restates_the_definition_and_tries_instant()
    {
        await using var conn = Open();
        var sql = (await _provider.Comments.RenderStatementsAsync(conn, new QualifiedName(_db, "shapes", "u"), TargetKinds.Column, "x")).Single();
        Assert.That(sql, Is.EqualTo($"ALTER TABLE `{_db}`.`shapes` MODIFY COLUMN `u` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'x', ALGORITHM=INSTANT"));
    }

    [Test]
    public async Task Metadata_reads_tables_views_columns_keys_and_comments()
    {
        await using var conn = Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, Scope.Parse(_db), MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.Table), Does.Not.Contain("amx_history_runs"));
        var customer = catalog.Tables.Single(t => t.Name.Table == "customer");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Comment, Is.EqualTo("Customers"));
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "c_id" }));
            Assert.That(customer.UniqueKeys, Has.Some.EqualTo(new List<string> { "email" }));
            Assert.That(customer.Columns.Single(c => c.Name == "name").Comment, Is.EqualTo("Full name"));
            Assert.That(customer.Columns.Single(c => c.Name == "email").Comment, Is.Null);
            Assert.That(customer.Columns.Single(c => c.Name == "email").DataType, Is.EqualTo("varchar(80)"));
            Assert.That(customer.RowEstimate, Is.GreaterThan(1000));
        });
        var orders = catalog.Tables.Single(t => t.Name.Table == "orders");
        Assert.That(orders.ForeignKeys.Single().References, Is.EqualTo(new QualifiedName(_db, "customer")));
        Assert.That(orders.Columns[0].IsIdentity, Is.True);
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "big_customers").Kind, Is.EqualTo(TargetKinds.View));
        var shapes = catalog.Tables.Single(t => t.Name.Table == "shapes");
        Assert.That(shapes.UniqueKeys.Single(), Is.EqualTo(new[] { "z", "n" }));
        Assert.That(shapes.Columns.Single(c => c.Name == "g").GeneratedExpression, Does.Contain("id"));
        Assert.That(shapes.Columns.Single(c => c.Name == "n").Default, Is.Null);

        var whole = await _provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
        Assert.That(whole.Tables.Select(t => t.Name.Schema), Has.None.EqualTo("mysql").And.None.EqualTo("information_schema"));
        var column = await _provider.Metadata.ReadAsync(conn, Scope.Parse($"{_db}.`Order Lines`".Replace('`', '"') + ".select"), MetadataOptions.Default);
        Assert.That(column.Targets().Select(x => x.Column?.Name), Is.EqualTo(new[] { "select" }));
    }

    [Test]
    public async Task Sampled_and_full_profiles_in_one_query_per_table()
    {
        await using var conn = Open();
        var sampled = await _provider.Metadata.ReadAsync(conn, Scope.Parse($"{_db}.customer"),
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 100, MaskSamples = true });
        var email = sampled.Tables.Single().Columns.Single(c => c.Name == "email").Profile!;
        Assert.That(email.RowsSeen, Is.EqualTo(100));
        Assert.That(email.Examples, Has.Count.EqualTo(5).And.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"));

        var full = await _provider.Metadata.ReadAsync(conn, Scope.Parse($"{_db}.orders"), new MetadataOptions { Profiling = ProfilingMode.Full });
        var cid = full.Tables.Single().Columns.Single(c => c.Name == "c_id").Profile!;
        Assert.That(cid.DistinctEstimate, Is.EqualTo(100));
        Assert.That((cid.Min, cid.Max), Is.EqualTo(("1", "100")));
        Assert.That(cid.TopValues, Has.Count.EqualTo(5));
    }

    [TestCaseSource(typeof(TrickyComments), nameof(TrickyComments.Bmp))]
    public async Task Comments_round_trip_byte_exact(string text)
    {
        await using var conn = Open();
        foreach (var (name, kind) in new[]
                 {
                     (new QualifiedName(_db, "Order Lines"), TargetKinds.Table),
                     (new QualifiedName(_db, "Order Lines", "select"), TargetKinds.Column),
                     (new QualifiedName(_db, "back`tick", "a`b"), TargetKinds.Column),
                 })
        {
            await _provider.Comments.WriteAsync(conn, null, name, kind, text);
            var live = await _provider.Comments.ReadLiveCommentAsync(conn, null, name, kind);
            Assert.That(System.Text.Encoding.UTF8.GetBytes(live!), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(text)), name.ToString());
        }
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, new QualifiedName(_db, "order lines"), TargetKinds.Table), Is.Null,
            "the look-alike table is untouched");
    }

    [TestCaseSource(typeof(TrickyComments), nameof(TrickyComments.FourByte))]
    public async Task Four_byte_characters_are_refused_plainly_because_the_server_would_store_question_marks(string text)
    {
        await using var conn = Open();
        var target = new QualifiedName(_db, "customer", "code");
        var ex = Assert.ThrowsAsync<CommentWriteException>(() => _provider.Comments.WriteAsync(conn, null, target, TargetKinds.Column, text));
        Assert.That(ex!.Message, Does.Contain("emoji").And.Contain("'?'"));
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, target, TargetKinds.Column), Is.Null, "nothing written");
    }

    [Test]
    public async Task Exactly_max_length_round_trips_and_one_more_is_refused_with_nothing_written()
    {
        await using var conn = Open();
        var column = new QualifiedName(_db, "limits", "v");
        var table = new QualifiedName(_db, "limits");
        var maxColumn = string.Concat(Enumerable.Repeat("é'\\ש", 256)); // 1024 characters, multi-byte and escaped
        var maxTable = maxColumn + maxColumn;
        await _provider.Comments.WriteAsync(conn, null, column, TargetKinds.Column, maxColumn);
        await _provider.Comments.WriteAsync(conn, null, table, TargetKinds.Table, maxTable);
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, column, TargetKinds.Column), Is.EqualTo(maxColumn));
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, table, TargetKinds.Table), Is.EqualTo(maxTable));

        var ex = Assert.ThrowsAsync<CommentWriteException>(() => _provider.Comments.WriteAsync(conn, null, column, TargetKinds.Column, maxColumn + "x"));
        Assert.That(ex!.Message, Does.Contain("1025 characters").And.Contain("at most 1024").And.Contain("nothing was written"));
        Assert.ThrowsAsync<CommentWriteException>(() => _provider.Comments.WriteAsync(conn, null, table, TargetKinds.Table, maxTable + "x"));
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, column, TargetKinds.Column), Is.EqualTo(maxColumn));
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(conn, null, table, TargetKinds.Table), Is.EqualTo(maxTable));
    }

    [Test]
    public async Task View_comments_are_refused_plainly()
    {
        await using var conn = Open();
        var ex = Assert.ThrowsAsync<CommentWriteException>(() =>
            _provider.Comments.WriteAsync(conn, null, new QualifiedName(_db, "big_customers"), TargetKinds.View, "x"));
        Assert.That(ex!.Message, Does.Contain("no comments on views"));
    }

    [Test]
    public async Task Missing_alter_privilege_is_reported_per_object_and_the_others_are_written()
    {
        var user = "wh_" + Guid.NewGuid().ToString("N")[..8];
        await _my.ExecuteAsync($"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'");
        await _my.ExecuteAsync($"CREATE USER '{user}'@'localhost' IDENTIFIED BY 'pw'");
        foreach (var host in new[] { "%", "localhost" })
        {
            // SELECT and CREATE TEMPORARY TABLES (the proof's copy) on the database, ALTER on one table only.
            await _my.ExecuteAsync($"GRANT SELECT, CREATE TEMPORARY TABLES ON `{_db}`.* TO '{user}'@'{host}'");
            await _my.ExecuteAsync($"GRANT ALTER ON `{_db}`.`orders` TO '{user}'@'{host}'");
        }
        await using var conn = Open(user, "pw");
        var targets = new[]
        {
            (new QualifiedName(_db, "customer"), TargetKinds.Table),
            (new QualifiedName(_db, "orders", "amount"), TargetKinds.Column),
            (new QualifiedName(_db, "customer", "code"), TargetKinds.Column),
        };
        var failed = new List<CommentWriteException>();
        foreach (var (name, kind) in targets)
        {
            try { await _provider.Comments.WriteAsync(conn, null, name, kind, "by member"); }
            catch (CommentWriteException e) { failed.Add(e); }
        }
        Assert.That(failed.Select(f => f.Target.Name), Is.EqualTo(new[] { targets[0].Item1, targets[2].Item1 }));
        Assert.That(failed[0].Message, Does.Contain("permission denied"));
        Assert.That(failed[0].Hint, Does.Contain("GRANT ALTER"));
        await using var admin = Open();
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(admin, null, targets[1].Item1, TargetKinds.Column), Is.EqualTo("by member"));
        Assert.That(await _provider.Comments.ReadLiveCommentAsync(admin, null, targets[0].Item1, TargetKinds.Table), Is.EqualTo("Customers"));
    }

    [Test]
    public async Task Server_info_says_mariadb()
    {
        await using var conn = Open();
        var info = await _provider.ServerInfo.ReadAsync(conn);
        Assert.That(info.Backend, Is.EqualTo("mariadb"));
        Assert.That(info.Version, Does.Contain("MariaDB"));
        Assert.That(info.User, Does.StartWith(_my.AdminUser + "@"));
    }
}
