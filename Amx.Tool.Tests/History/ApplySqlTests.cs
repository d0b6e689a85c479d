using Amx.Data.History;
using Amx.Data.History.Providers;

namespace Amx.Tool.Tests.History;

/// <summary>
/// Apply's plain SQL on the store. PostgreSQL, MariaDB and SQLite run it in the apply tests; SQL Server has no engine
/// here, so its statements are parsed offline with ScriptDom, and each is checked to name what it must.
/// </summary>
[TestFixture]
public sealed class ApplySqlTests
{
    static readonly HistoryProvider SqlServer = new SqlServerHistoryProvider();

    static IEnumerable<TestCaseData> SqlServerStatements()
    {
        foreach (var revert in new[] { false, true })
        {
            yield return new TestCaseData(ApplySql.Candidates(SqlServer, "amx", revert, after: false, take: 1000)).SetArgDisplayNames($"candidates, first chunk, revert={revert}");
            yield return new TestCaseData(ApplySql.Candidates(SqlServer, "amx", revert, after: true, take: 1000)).SetArgDisplayNames($"candidates, next chunk, revert={revert}");
            yield return new TestCaseData(ApplySql.Candidates(SqlServer, "amx", revert, after: false, take: null)).SetArgDisplayNames($"candidates, dry run, revert={revert}");
            yield return new TestCaseData(ApplySql.Tally(SqlServer, "amx", revert)).SetArgDisplayNames($"tally, revert={revert}");
            yield return new TestCaseData(ApplySql.MarkResults(SqlServer, "amx", 500, applied: !revert)).SetArgDisplayNames($"mark results, revert={revert}");
        }
        yield return new TestCaseData(ApplySql.AppliedTo(SqlServer, "amx", 500, 480, anyEmpty: true)).SetArgDisplayNames("applied to, texts and empty");
        yield return new TestCaseData(ApplySql.AppliedTo(SqlServer, "amx", 3, 0, anyEmpty: true)).SetArgDisplayNames("applied to, only empty");
        yield return new TestCaseData(ApplySql.AppliedTo(SqlServer, "amx", 3, 2, anyEmpty: false)).SetArgDisplayNames("applied to, only texts");
        yield return new TestCaseData(ApplySql.MarkOutcome(SqlServer, "amx")).SetArgDisplayNames("mark outcome");
        yield return new TestCaseData(ApplySql.RunOutcome(SqlServer, "amx")).SetArgDisplayNames("run outcome");
    }

    [TestCaseSource(nameof(SqlServerStatements))]
    public void Each_statement_is_valid_tsql_on_the_schema_bound_tables(string sql) => TsqlCheck.IsValidOnStoreTables(sql);

    [Test]
    public void Statements_bind_exactly_the_parameters_the_readers_and_writers_give()
    {
        // The names the code binds (HistoryReader, HistoryProvider, HistoryStore) against the names each text uses.
        Assert.Multiple(() =>
        {
            Assert.That(Parameters(ApplySql.Candidates(SqlServer, "amx", false, true, 10)), Is.EquivalentTo(new[] { "@run", "@no", "@accepted", "@edited", "@after" }));
            Assert.That(Parameters(ApplySql.Candidates(SqlServer, "amx", true, false, 10)), Is.EquivalentTo(new[] { "@run", "@yes" }));
            Assert.That(Parameters(ApplySql.Tally(SqlServer, "amx", false)), Is.EquivalentTo(new[] { "@run", "@no", "@accepted", "@edited", "@yes", "@reverted" }));
            Assert.That(Parameters(ApplySql.Tally(SqlServer, "amx", true)), Is.EquivalentTo(new[] { "@run", "@yes", "@reverted" }));
            Assert.That(Parameters(ApplySql.AppliedTo(SqlServer, "amx", 2, 1, false)), Is.EquivalentTo(new[] { "@t0", "@t1", "@c0" }));
            Assert.That(Parameters(ApplySql.MarkResults(SqlServer, "amx", 2, true)), Is.EquivalentTo(new[] { "@applied", "@status", "@at", "@by", "@run", "@t0", "@t1" }));
            Assert.That(ApplySql.MarkResults(SqlServer, "amx", 1, true), Does.Contain("applied_at = @at").And.Contain("applied_by = @by"));
            Assert.That(ApplySql.MarkResults(SqlServer, "amx", 1, false), Does.Contain("reverted_at = @at").And.Contain("reverted_by = @by").And.Not.Contain("applied_at"));
            Assert.That(Parameters(ApplySql.MarkOutcome(SqlServer, "amx")), Is.EquivalentTo(new[] { "@status", "@error", "@run", "@t0" }));
            Assert.That(Parameters(ApplySql.RunOutcome(SqlServer, "amx")), Is.EquivalentTo(new[] { "@state", "@applied_at", "@applied_by", "@reverted_at", "@reverted_by", "@run" }));
        });
    }

    static IEnumerable<string> Parameters(string sql) => TsqlCheck.Parameters(sql);
}
