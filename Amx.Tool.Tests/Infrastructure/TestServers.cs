using Amx.TestSupport;
using Amx.Tool.Tests.Infrastructure;

// No namespace on purpose: NUnit runs a [SetUpFixture]'s one-time teardown only after the tests of its namespace,
// and the global namespace holds every test, so the servers stop when the whole run ends (see docs/testing.md).

/// <summary>
/// The shared real servers of one test run, started on first use and stopped when the run ends.
/// Tests ask for <c>await TestServers.Postgres()</c> / <c>await TestServers.MariaDb()</c> and create their own database.
/// </summary>
[SetUpFixture]
public sealed class TestServers
{
    static readonly Lazy<Task<PostgresServer>> Pg = new(PostgresServer.StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    static readonly Lazy<Task<MariaDbServer>> My = new(MariaDbServer.StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<PostgresServer> Postgres() => Pg.Value;
    public static Task<MariaDbServer> MariaDb() => My.Value;

    [OneTimeSetUp]
    public void RemoveWhatKilledRunsLeft() => ServerReaper.ReapOrphans();

    [OneTimeTearDown]
    public async Task StopAll()
    {
        TestContext.Progress.WriteLine($"amx processes started by this run: {AmxCli.ProcessesStarted}");
        AmxCli.RemoveAllHomes();
        if (Pg.IsValueCreated && Pg.Value.IsCompletedSuccessfully) await Pg.Value.Result.DisposeAsync();
        if (My.IsValueCreated && My.Value.IsCompletedSuccessfully) await My.Value.Result.DisposeAsync();
    }
}
