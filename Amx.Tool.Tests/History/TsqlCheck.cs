using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Tool.Tests.History;

/// <summary>
/// SQL Server has no engine here: the store's plain SQL for it (<c>ApplySql</c>, <c>RunSql</c>) is parsed offline with
/// ScriptDom and checked to touch only the schema-bound store tables.
/// </summary>
static class TsqlCheck
{
    public static void IsValidOnStoreTables(string sql)
    {
        var tree = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.That(errors, Is.Empty, string.Join("; ", errors.Select(e => $"{e.Line}:{e.Column} {e.Message}")) + "\n" + sql);
        var tables = new List<string>();
        tree.Accept(new Tables(tables));
        Assert.That(tables, Is.Not.Empty.And.All.StartsWith("amx.amx_history_"), sql);
    }

    /// <summary>The distinct <c>@name</c> parameters a statement uses.</summary>
    public static IEnumerable<string> Parameters(string sql) =>
        System.Text.RegularExpressions.Regex.Matches(sql, @"@\w+").Select(m => m.Value).Distinct();

    sealed class Tables(List<string> found) : TSqlFragmentVisitor
    {
        public override void Visit(NamedTableReference node) =>
            found.Add($"{node.SchemaObject.SchemaIdentifier?.Value}.{node.SchemaObject.BaseIdentifier.Value}");
    }
}
