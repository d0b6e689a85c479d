using Amx.Data.Warehouse.SqlServer;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Tool.Tests.Audit;

/// <summary>SQL Server has no engine here: the identity query behind apply's lock keys is parsed offline with ScriptDom.</summary>
[TestFixture]
public sealed class AuditSqlServerIdentityTests
{
    [Test]
    public void Identity_query_is_valid_tsql_reading_machine_instance_and_database()
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var tree = parser.Parse(new StringReader(SqlServerServerInfoReader.IdentitySql), out var errors);
        Assert.That(errors, Is.Empty, string.Join("; ", errors.Select(e => e.Message)));
        var calls = new List<string>();
        tree.Accept(new Calls(calls));
        Assert.That(calls, Is.SupersetOf(new[] { "SERVERPROPERTY", "DB_NAME" }));
        Assert.That(SqlServerServerInfoReader.IdentitySql, Does.Contain("'MachineName'").And.Contain("'InstanceName'"));
    }

    sealed class Calls(List<string> found) : TSqlFragmentVisitor
    {
        public override void Visit(FunctionCall node) => found.Add(node.FunctionName.Value.ToUpperInvariant());
    }
}
