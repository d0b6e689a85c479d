using Amx.Data.Config;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.DuckDb;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Warehouse;

namespace Amx.Tool.Tests.DuckDb;

/// <summary>The DuckDB provider in process against real DuckDB files: catalog, profiling, comment writes and their guards.</summary>
[TestFixture]
public sealed class DuckDbWarehouseTests
{
    readonly IWarehouseProvider _provider = WarehouseProviders.For(Backend.DuckDb);
    DuckDbFile _file = null!;

    [OneTimeSetUp]
    public void SetUp() => _file = DuckDbFile.Create();

    [OneTimeTearDown]
    public void TearDown() => _file.Dispose();

    [Test]
    public async Task Metadata_reads_schemas_tables_views_columns_keys_and_comments_as_duckdb_names_them()
    {
        await using var conn = _file.Open();
        var catalog = await _provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default);
        Assert.That(catalog.Tables.Select(t => t.Name.ToString()), Is.EquivalentTo(new[]
        {
            "Sales.Customer", "Sales.\"order \"\"lines\"\"\"", "Sales.\"Big Customers\"", "ops.events",
        }));
        var customer = catalog.Tables.Single(t => t.Name.Table == "Customer");
        Assert.Multiple(() =>
        {
            Assert.That(customer.Kind, Is.EqualTo(TargetKinds.Table));
            Assert.That(customer.Comment, Is.EqualTo("People who buy"));
            Assert.That(customer.RowEstimate, Is.EqualTo(300));
            Assert.That(customer.Columns.Select(c => c.Name), Is.EqualTo(new[] { "Id", "E-Mail", "name", "code" }));
            Assert.That(customer.Columns.Select(c => c.DataType), Is.EqualTo(new[] { "INTEGER", "VARCHAR", "VARCHAR", "VARCHAR" }));
            Assert.That(customer.Columns[2].Comment, Is.EqualTo("Full name, it's \\ free text"));
            Assert.That(customer.Columns[2].IsNullable, Is.False);
            Assert.That(customer.Columns[2].Default, Is.EqualTo("'n/a'"));
            Assert.That(customer.Columns[3].Comment, Is.Null);
            Assert.That(customer.PrimaryKey, Is.EqualTo(new[] { "Id" }));
            Assert.That(customer.UniqueKeys.Single(), Is.EqualTo(new[] { "E-Mail" }));
        });
        var lines = catalog.Tables.Single(t => t.Name.Table == DuckDbFile.Lines);
        Assert.Multiple(() =>
        {
            Assert.That(lines.PrimaryKey, Is.EqualTo(new[] { "order_id", "line" }));
            var fk = lines.ForeignKeys.Single();
            Assert.That(fk.Columns, Is.EqualTo(new[] { "Customer Id" }));
            Assert.That(fk.References, Is.EqualTo(new QualifiedName("Sales", "Customer")));
            Assert.That(fk.ReferencedColumns, Is.EqualTo(new[] { "Id" }));
            Assert.That(lines.Columns.Single(c => c.Name == "amount").DataType, Is.EqualTo("DECIMAL(10,2)"));
        });
        var view = catalog.Tables.Single(t => t.Name.Table == "Big Customers");
        Assert.Multiple(() =>
        {
            Assert.That(view.Kind, Is.EqualTo(TargetKinds.View));
            Assert.That(view.Comment, Is.EqualTo("Customers above 10"));
            Assert.That(view.Columns.Select(c => c.Name), Is.EqualTo(new[] { "Id", "name" }));
        });
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "events").UniqueKeys.Single(), Is.EqualTo(new[] { "kind", "happened_at" }));
    }

    [Test]
    public async Task Scopes_select_a_schema_a_table_or_one_column()
    {
        await using var conn = _file.Open();
        var ops = await _provider.Metadata.ReadAsync(conn, Scope.Parse("ops"), MetadataOptions.Default);
        Assert.That(ops.Tables.Select(t => t.Name.ToString()), Is.EqualTo(new[] { "ops.events" }));
        var lines = await _provider.Metadata.ReadAsync(conn, Scope.Parse("Sales.\"order \"\"lines\"\"\""), MetadataOptions.Default);
        Assert.That(lines.Tables.Single().ForeignKeys, Has.Count.EqualTo(1));
        var col = await _provider.Metadata.ReadAsync(conn, Scope.Parse("Sales.Customer.\"E-Mail\""), MetadataOptions.Default);
        Assert.That(col.Targets().Select(x => x.Column?.Name), Is.EqualTo(new[] { "E-Mail" }));
        Assert.That((await _provider.Metadata.ReadAsync(conn, Scope.Parse("sales"), MetadataOptions.Default)).Tables, Is.Empty,
            "schema names are matched exactly as DuckDB spells them");
    }

    [Test]
    public async Task Profiles_sampled_with_using_sample_full_with_top_values_masked_and_without_samples()
    {
        await using var conn = _file.Open();
        var sampled = await _provider.Metadata.ReadAsync(conn, Scope.Parse("ops.events"),
            new MetadataOptions { Profiling = ProfilingMode.Sampled, SampleRows = 200 });
        var kind = sampled.Tables.Single().Columns.Single(c => c.Name == "kind").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(kind.RowsSeen, Is.EqualTo(200), "USING SAMPLE 200 ROWS");
            Assert.That(kind.Note, Does.Contain("sample of 200"));
            Assert.That(kind.Examples, Is.SubsetOf(new[] { "k0", "k1", "k2", "k3" }).And.Not.Empty);
            Assert.That(sampled.Tables.Single().Columns.Single(c => c.Name == "tags").Profile!.RowsSeen, Is.EqualTo(200));
        });

        var full = await _provider.Metadata.ReadAsync(conn, Scope.Parse("Sales.Customer"),
            new MetadataOptions { Profiling = ProfilingMode.Full, MaskSamples = true });
        var email = full.Tables.Single().Columns.Single(c => c.Name == "E-Mail").Profile!;
        var id = full.Tables.Single().Columns.Single(c => c.Name == "Id").Profile!;
        var code = full.Tables.Single().Columns.Single(c => c.Name == "code").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(email.RowsSeen, Is.EqualTo(300));
            Assert.That(email.DistinctEstimate, Is.EqualTo(300));
            Assert.That(email.Examples, Has.Count.EqualTo(5).And.All.Match(@"^aaaa9+@aaaaaaa\.aaa$"), "masked");
            Assert.That((id.Min, id.Max), Is.EqualTo(("1", "300")), "MIN/MAX in full mode; codes of up to 3 characters stay unmasked");
            Assert.That(code.TopValues.Select(v => v.Count), Is.EqualTo(new long[] { 100, 100, 100 }));
            Assert.That(code.NullRatio, Is.EqualTo(0));
        });

        var none = await _provider.Metadata.ReadAsync(conn, Scope.Parse("Sales.Customer"),
            new MetadataOptions { Profiling = ProfilingMode.Full, NoSamples = true });
        var bare = none.Tables.Single().Columns.Single(c => c.Name == "E-Mail").Profile!;
        Assert.Multiple(() =>
        {
            Assert.That(bare.DistinctEstimate, Is.EqualTo(300));
            Assert.That(bare.Examples, Is.Empty);
            Assert.That(bare.TopValues, Is.Empty);
            Assert.That(bare.Min, Is.Null);
        });
    }

    [Test]
    public async Task Comments_are_written_and_read_back_byte_exact_then_removed()
    {
        using var file = DuckDbFile.Create();
        await using var conn = file.Open();
        var w = _provider.Comments;
        var column = new QualifiedName("Sales", DuckDbFile.Lines, "Customer Id");
        var table = new QualifiedName("Sales", DuckDbFile.Lines);
        var view = new QualifiedName("Sales", "Big Customers");
        var viewColumn = new QualifiedName("Sales", "Big Customers", "name");
        foreach (var text in TrickyComments.All.Append("").Append(new string('x', 100_000)))
        {
            await w.WriteAsync(conn, null, column, TargetKinds.Column, text);
            await w.WriteAsync(conn, null, table, TargetKinds.Table, text);
            await w.WriteAsync(conn, null, view, TargetKinds.View, text);
            await w.WriteAsync(conn, null, viewColumn, TargetKinds.Column, text);
            Assert.That(await w.ReadLiveCommentAsync(conn, null, column, TargetKinds.Column), Is.EqualTo(text));
        }
        await conn.CloseAsync();
        var live = file.Comments();
        Assert.That(live[$"Sales.{DuckDbFile.Lines}.Customer Id"], Is.EqualTo(new string('x', 100_000)), "read back by DuckDB itself");

        await using var again = file.Open();
        var failures = await w.WriteManyAsync(again,
        [
            new CommentWrite(new CommentTarget(column, TargetKinds.Column), TrickyComments.FourByte[0]),
            new CommentWrite(new CommentTarget(table, TargetKinds.Table), null),
            new CommentWrite(new CommentTarget(new QualifiedName("Sales", "Customer", "code"), TargetKinds.Column), TrickyComments.Bmp[1]),
            new CommentWrite(new CommentTarget(new QualifiedName("Sales", "gone", "x"), TargetKinds.Column), "never"),
        ]);
        Assert.That(failures.Keys.Select(k => k.Name.ToString()), Is.EqualTo(new[] { "Sales.gone.x" }), "one missing target fails alone");
        Assert.That(failures.Values.Single().Message, Does.Contain("no longer exists"));
        await again.CloseAsync();
        live = file.Comments();
        Assert.Multiple(() =>
        {
            Assert.That(live[$"Sales.{DuckDbFile.Lines}.Customer Id"], Is.EqualTo(TrickyComments.FourByte[0]));
            Assert.That(live[$"Sales.{DuckDbFile.Lines}"], Is.Null, "NULL removes the comment");
            Assert.That(live["Sales.Customer.code"], Is.EqualTo(TrickyComments.Bmp[1]));
        });
    }

    [Test]
    public async Task Statements_carry_the_database_quote_names_and_escape_only_quotes()
    {
        await using var conn = _file.Open();
        var sql = await _provider.Comments.RenderStatementsAsync(conn, new QualifiedName("Sales", DuckDbFile.Lines, "Customer Id"), TargetKinds.Column, "it's \\ \n");
        Assert.That(sql.Single(), Is.EqualTo($"COMMENT ON COLUMN \"{_file.Database}\".\"Sales\".\"order \"\"lines\"\"\".\"Customer Id\" IS 'it''s \\ \n'"));
        var nul = Assert.ThrowsAsync<Amx.Data.Warehouse.CommentWriteException>(() =>
            _provider.Comments.RenderStatementsAsync(conn, new QualifiedName("Sales", "Customer"), TargetKinds.Table, "a\0b"));
        Assert.That(nul!.Message, Does.Contain("NUL"));
    }

    [Test]
    public async Task A_read_only_file_refuses_writes_with_the_reason_and_check_says_so()
    {
        await using var conn = _file.Open(readOnly: true);
        var target = new CommentTarget(new QualifiedName("Sales", "Customer", "code"), TargetKinds.Column);
        var failures = await _provider.Comments.WriteManyAsync(conn, [new CommentWrite(target, "x")]);
        Assert.That(failures[target].Message, Does.Contain("opened read-only"));
        var one = Assert.ThrowsAsync<Amx.Data.Warehouse.CommentWriteException>(() => _provider.Comments.WriteAsync(conn, null, target.Name, target.Kind, "x"));
        Assert.That(one!.Message, Does.Contain("opened read-only"));
        var check = await _provider.Privileges!.CheckAsync(conn, [target]);
        Assert.That(check[target], Does.Contain("read-only"));
        Assert.That(_file.Comments()["Sales.Customer.code"], Is.Null);
    }

    [Test]
    public void Dialect_refuses_to_host_the_history_store()
    {
        Assert.That(DuckDbDialect.Instance.CanHostHistoryStore, Is.False);
        var e = Assert.Throws<Amx.Data.Errors.AmxException>(() => Amx.Data.History.Providers.HistoryProvider.For(Backend.DuckDb));
        Assert.That(e!.Message, Does.Contain("single-writer"));
    }
}
