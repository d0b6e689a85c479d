using Amx.Data.Checks;
using Amx.Data.History;
using Amx.Data.History.Model;
using static Amx.Tool.Tests.History.HistoryTestSupport;

namespace Amx.Tool.Tests.History;

/// <summary>
/// run-apply's closing tally is counted by the store (RunSql.Tally): per schema, with schemas that differ
/// only in case kept apart and quoted names (a dot or a quote inside a part) parsed, on every store engine here.
/// </summary>
public sealed class RunApplyTallyTests
{
    [Test]
    public async Task Local_store_counts_per_schema()
    {
        using var amx = new AmxCli(user: "lead");
        await CheckAsync(await amx.OpenHistoryAsync());
    }

    [Test]
    public async Task Postgres_store_counts_per_schema()
    {
        var pg = await TestServers.Postgres();
        await CheckSharedAsync(PgProfile(pg, await pg.CreateDatabaseAsync("tally")), pg.AdminPassword);
    }

    [Test]
    public async Task MariaDb_store_counts_per_schema()
    {
        var my = await TestServers.MariaDb();
        await CheckSharedAsync(MariaProfile(my, await my.CreateDatabaseAsync("tally")), my.AdminPassword);
    }

    static async Task CheckSharedAsync(string profile, string password)
    {
        using var amx = Cli("lead", password);
        WriteConfig(amx, profile);
        var r = amx.Run("history-store", "enable", "--profile", "shared", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        await CheckAsync(await OpenAsync(amx, password));
    }

    static async Task CheckAsync(HistoryStore store)
    {
        var runId = await store.StartRunAsync(new HistoryRun { Who = "lead", Scope = "(warehouse)" });
        HistoryResult Result(string qname, string? description, string decision = Decisions.Pending, bool applied = false, string? status = null) => new()
        {
            RunId = runId, TargetQname = qname, TargetKind = TargetKinds.Column, Description = description, Decision = decision,
            Applied = applied, ApplyStatus = status, Confidence = description is null ? null : Confidences.High,
        };
        var results = new List<HistoryResult>();
        // sales: 250 results (the COPY path on PostgreSQL) in four outcomes.
        for (var i = 0; i < 250; i++)
            results.Add(i switch
            {
                < 100 => Result($"sales.t{i % 7}.c{i}", "d", Decisions.Accepted, applied: true, status: ApplyStatuses.Applied),
                < 150 => Result($"sales.t{i % 7}.c{i}", "d", Decisions.Accepted, status: ApplyStatuses.Conflict),
                < 160 => Result($"sales.t{i % 7}.c{i}", null),
                _ => Result($"sales.t{i % 7}.c{i}", "d"),
            });
        results.Add(Result("Sales.orders.id", "d", Decisions.Edited, applied: true, status: ApplyStatuses.Applied));
        results.Add(Result("\"odd.schema\".t.c", "d", Decisions.Accepted, status: ApplyStatuses.Failed));
        results.Add(Result("\"odd.schema\".\"t.2\"", "d"));
        results.Add(Result("\"we\"\"ird\".t.c", null));
        results.Add(Result("plain.\"dotted.table\".c", "d"));
        await store.AddResultsAsync(results);

        var (total, perSchema) = await RunApplyTally.ReadAsync(store, runId, CancellationToken.None);

        Assert.That(perSchema.Keys, Is.EqualTo(new[] { "Sales", "odd.schema", "plain", "sales", "we\"ird" }));
        Assert.That(perSchema["sales"], Is.EqualTo(new RunApplyCounts(Drafted: 240, Accepted: 150, Applied: 100, Conflicts: 50, Failed: 10)));
        Assert.That(perSchema["Sales"], Is.EqualTo(new RunApplyCounts(1, 1, 1, 0, 0)));
        Assert.That(perSchema["odd.schema"], Is.EqualTo(new RunApplyCounts(2, 1, 0, 0, 1)));
        Assert.That(perSchema["we\"ird"], Is.EqualTo(new RunApplyCounts(0, 0, 0, 0, 1)));
        Assert.That(perSchema["plain"], Is.EqualTo(new RunApplyCounts(1, 0, 0, 0, 0)));
        Assert.That(total, Is.EqualTo(new RunApplyCounts(Drafted: 244, Accepted: 152, Applied: 101, Conflicts: 50, Failed: 12)));
    }
}
