using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.History.Providers;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Amx.Tool.Tests.History;

/// <summary>
/// A run's plain SQL on the store (start, results, heartbeat, tally, review's decisions). PostgreSQL, MariaDB and SQLite run it in the
/// drafting and history tests; SQL Server has no engine here, so its statements are parsed offline with ScriptDom.
/// The column lists are checked against the EF model the migrations come from, so a new column cannot be left out.
/// </summary>
[TestFixture]
public sealed class RunSqlTests
{
    static readonly HistoryProvider SqlServer = new SqlServerHistoryProvider();

    static IEnumerable<TestCaseData> SqlServerStatements()
    {
        yield return new TestCaseData(RunSql.InsertRun(SqlServer, "amx")).SetArgDisplayNames("insert run");
        yield return new TestCaseData(RunSql.UpdateRun(SqlServer, "amx")).SetArgDisplayNames("update run");
        yield return new TestCaseData(RunSql.SameDayRuns(SqlServer, "amx")).SetArgDisplayNames("same-day runs");
        yield return new TestCaseData(RunSql.RunExists(SqlServer, "amx")).SetArgDisplayNames("run exists");
        yield return new TestCaseData(RunSql.Heartbeat(SqlServer, "amx")).SetArgDisplayNames("heartbeat");
        yield return new TestCaseData(RunSql.MarkInterrupted(SqlServer, "amx")).SetArgDisplayNames("mark interrupted");
        yield return new TestCaseData(RunSql.RecentRunsOfOthers(SqlServer, "amx")).SetArgDisplayNames("teammates' runs");
        yield return new TestCaseData(RunSql.InsertResults(SqlServer, "amx", 100)).SetArgDisplayNames("insert 100 results");
        yield return new TestCaseData(RunSql.ResultNames(SqlServer, "amx")).SetArgDisplayNames("result names");
        yield return new TestCaseData(RunSql.DeleteFailed(SqlServer, "amx")).SetArgDisplayNames("delete failed");
        yield return new TestCaseData(RunSql.Covered(SqlServer, "amx", scoped: true)).SetArgDisplayNames("covered, scoped");
        yield return new TestCaseData(RunSql.Covered(SqlServer, "amx", scoped: false)).SetArgDisplayNames("covered, whole store");
        yield return new TestCaseData(RunSql.AcceptLevels(SqlServer, "amx", 3)).SetArgDisplayNames("accept levels");
        yield return new TestCaseData(RunSql.Tally(SqlServer, "amx")).SetArgDisplayNames("tally");
        yield return new TestCaseData(RunSql.Decide(SqlServer, "amx")).SetArgDisplayNames("review decision");
    }

    [TestCaseSource(nameof(SqlServerStatements))]
    public void Each_statement_is_valid_tsql_on_the_schema_bound_tables(string sql) => TsqlCheck.IsValidOnStoreTables(sql);

    [Test]
    public void The_column_lists_are_exactly_the_model_columns()
    {
        using var db = SqlServer.CreateContext(SqlServer.OfflineConnectionString, "amx");
        IEnumerable<string> Columns<T>() where T : class
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            return entity.GetProperties().Select(p => p.GetColumnName(table)!);
        }
        Assert.Multiple(() =>
        {
            Assert.That(RunSql.RunColumns.Split(", "), Is.EquivalentTo(Columns<HistoryRun>()));
            Assert.That(RunSql.ResultColumns.Split(", "), Is.EquivalentTo(Columns<HistoryResult>()));
            Assert.That(ApplySql.ResultColumns.Split(", "), Is.EquivalentTo(Columns<HistoryResult>().Where(c => c != "run_id")));
        });
    }

    [Test]
    public void Statements_bind_exactly_the_parameters_the_store_gives()
    {
        var runParameters = Enumerable.Range(0, RunSql.RunColumnCount).Select(i => $"@r{i}").ToList();
        Assert.Multiple(() =>
        {
            // HistoryProvider.BindRun binds @r0…@r19; the insert uses them all, the update all but none missing.
            Assert.That(Parameters(RunSql.InsertRun(SqlServer, "amx")), Is.EquivalentTo(runParameters));
            Assert.That(Parameters(RunSql.UpdateRun(SqlServer, "amx")), Is.EquivalentTo(runParameters));
            Assert.That(RunSql.UpdateRun(SqlServer, "amx"), Does.EndWith("WHERE run_id = @r0").And.Not.Contain("SET run_id"));
            Assert.That(Parameters(RunSql.InsertResults(SqlServer, "amx", 2)),
                Is.EquivalentTo(Enumerable.Range(0, 2).SelectMany(r => Enumerable.Range(0, RunSql.ResultColumnCount).Select(c => $"@v{r}_{c}"))));
            Assert.That(Parameters(RunSql.InsertResults(SqlServer, "amx", 100)).Count(), Is.LessThanOrEqualTo(2100), "SQL Server's limit per statement");
            Assert.That(Parameters(RunSql.SameDayRuns(SqlServer, "amx")), Is.EquivalentTo(new[] { "@who", "@from", "@to" }));
            Assert.That(Parameters(RunSql.Heartbeat(SqlServer, "amx")), Is.EquivalentTo(new[] { "@meta", "@run", "@running" }));
            Assert.That(Parameters(RunSql.MarkInterrupted(SqlServer, "amx")), Is.EquivalentTo(new[] { "@state", "@finished", "@meta", "@run", "@running" }));
            Assert.That(Parameters(RunSql.RecentRunsOfOthers(SqlServer, "amx")), Is.EquivalentTo(new[] { "@who", "@since" }));
            Assert.That(Parameters(RunSql.Covered(SqlServer, "amx", true)), Is.EquivalentTo(new[] { "@yes", "@accepted", "@edited", "@scope", "@inside" }));
            Assert.That(Parameters(RunSql.AcceptLevels(SqlServer, "amx", 2)), Is.EquivalentTo(new[] { "@accepted", "@by", "@at", "@run", "@pending", "@no", "@l0", "@l1" }));
            Assert.That(Parameters(RunSql.Decide(SqlServer, "amx")), Is.EquivalentTo(new[] { "@description", "@alternatives", "@decision", "@by", "@at", "@error", "@run", "@t0" }));
            Assert.That(Parameters(RunSql.Tally(SqlServer, "amx")), Is.EquivalentTo(new[] { "@yes", "@conflict", "@failed", "@run" }));
        });
    }

    static IEnumerable<string> Parameters(string sql) => TsqlCheck.Parameters(sql);

    [Test]
    public void SQL_Server_binds_every_time_as_datetime2_to_the_tick()
    {
        var at = new DateTime(2026, 11, 29, 10, 11, 12, DateTimeKind.Utc).AddTicks(1_234_567);
        using var cmd = new Microsoft.Data.SqlClient.SqlCommand();
        SqlServer.BindRun(cmd, new HistoryRun { RunId = "r", Who = "w", Scope = "s", StartedAt = at, FinishedAt = at, AppliedAt = at, RevertedAt = at });
        HistoryProvider.AddParameter(cmd, "@since", SqlServer.StoredTime(at));
        var times = cmd.Parameters.Cast<Microsoft.Data.SqlClient.SqlParameter>().Where(p => p.Value is DateTime).ToList();
        Assert.That(times, Has.Count.EqualTo(5), "started, finished, applied, reverted and the filter");
        Assert.That(times.Select(p => p.SqlDbType), Is.All.EqualTo(System.Data.SqlDbType.DateTime2), "SqlClient's default for a DateTime is datetime (1/300 s)");
        Assert.That(times.Select(p => (DateTime)p.Value), Is.All.EqualTo(at));
        using var pg = new Npgsql.NpgsqlCommand();
        HistoryProvider.AddParameter(pg, "@since", new PostgresHistoryProvider().StoredTime(at));
        Assert.That(((Npgsql.NpgsqlParameter)pg.Parameters[0]).Value, Is.EqualTo(at), "other engines keep the driver's own mapping");
    }
}
