using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.SqlServer;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Tool.Tests.Warehouse;

/// <summary>No SQL Server here: the generated T-SQL is parsed with ScriptDom and the literals read back from the parse tree.</summary>
[TestFixture]
[Category("Quick")]
public sealed class SqlServerGeneratedSqlTests
{
    readonly ICommentWriter _writer = WarehouseProviders.For(Amx.Data.Config.Backend.SqlServer).Comments;

    static TSqlFragment Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var tree = parser.Parse(new StringReader(sql), out var errors);
        Assert.That(errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"), Is.Empty, sql);
        return tree;
    }

    sealed class DeclareCollector : TSqlFragmentVisitor
    {
        public Dictionary<string, string?> Values { get; } = new();
        public override void Visit(DeclareVariableElement node) =>
            Values[node.VariableName.Value] = node.Value is StringLiteral s ? s.Value : null;
    }

    static IEnumerable<string> Texts() => TrickyComments.All.Append(new string('ש', 3750)).Append("");

    [TestCaseSource(nameof(Texts))]
    public async Task Rendered_batch_parses_and_carries_the_text_and_names_exactly(string text)
    {
        var target = new QualifiedName("Sales ]Dept", "order'lines", "select");
        var sql = (await _writer.RenderStatementsAsync(null, target, TargetKinds.Column, text)).Single();
        var visitor = new DeclareCollector();
        Parse(sql).Accept(visitor);
        Assert.That(visitor.Values["@value"], Is.EqualTo(text));
        Assert.That(visitor.Values["@schema"], Is.EqualTo("Sales ]Dept"));
        Assert.That(visitor.Values["@object"], Is.EqualTo("order'lines"));
        Assert.That(visitor.Values["@column"], Is.EqualTo("select"));
        Assert.That(sql, Does.Contain("sp_addextendedproperty").And.Contain("sp_updateextendedproperty").And.Contain("N'MS_Description'"));
    }

    [Test]
    public void Executed_batch_uses_parameters_only()
    {
        Parse(SqlServerCommentWriter.Batch);
        Assert.That(SqlServerCommentWriter.Batch, Does.Contain("@value = @value"));
    }

    [Test]
    public async Task Null_removes_and_views_use_the_view_level()
    {
        var sql = (await _writer.RenderStatementsAsync(null, new QualifiedName("dbo", "v"), TargetKinds.View, null)).Single();
        var visitor = new DeclareCollector();
        Parse(sql).Accept(visitor);
        Assert.That(visitor.Values["@level1type"], Is.EqualTo("VIEW"));
        Assert.That(sql, Does.Contain("DECLARE @value nvarchar(4000) = NULL;"));
    }

    [Test]
    public void Over_7500_bytes_is_refused()
    {
        var ex = Assert.ThrowsAsync<CommentWriteException>(() =>
            _writer.RenderStatementsAsync(null, new QualifiedName("dbo", "t"), TargetKinds.Table, new string('x', 3751)));
        Assert.That(ex!.Message, Does.Contain("7502 bytes").And.Contain("at most 7500"));
        Assert.ThrowsAsync<CommentWriteException>(() =>
            _writer.RenderStatementsAsync(null, new QualifiedName("dbo", "t"), TargetKinds.Table, new string('x', 3749) + "😀"));
    }

    [Test]
    public void Metadata_queries_parse()
    {
        Parse(SqlServerMetadataReader.ObjectsSql);
        Parse(SqlServerMetadataReader.ColumnsSql);
        Parse(SqlServerMetadataReader.KeysSql);
        Parse(SqlServerServerInfoReader.Sql);
    }

    [Test]
    public void Identifiers_are_bracket_quoted()
    {
        Assert.That(SqlServerDialect.Instance.QuoteTable(new QualifiedName("a]b", "select")), Is.EqualTo("[a]]b].[select]"));
    }
}
