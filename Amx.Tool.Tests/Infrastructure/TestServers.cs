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
        TestContext.Progress.WriteLine($"amx processes started by this run: {AmxCli.ProcessesStarted}; amx commands run in-process: {AmxCli.InProcessRuns}");
        // CPU rather than wall time: the build machines are shared, and CPU seconds compare across runs (docs/testing.md).
        if (CpuSeconds() is { } cpu)
            TestContext.Progress.WriteLine($"CPU of this test host: {cpu.Self:0} s; of the processes it started and waited for (amx, psql, mariadb clients): {cpu.Children:0} s");
        AmxCli.RemoveAllHomes();
        if (Pg.IsValueCreated && Pg.Value.IsCompletedSuccessfully) await Pg.Value.Result.DisposeAsync();
        if (My.IsValueCreated && My.Value.IsCompletedSuccessfully) await My.Value.Result.DisposeAsync();
    }

    /// <summary>utime+stime and cutime+cstime of this process (Linux /proc/self/stat, clock ticks of 1/100 s).</summary>
    static (double Self, double Children)? CpuSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return null;
        var fields = File.ReadAllText("/proc/self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 3, so utime (14) … cstime (17) are at 11 … 14 here.
        double Ticks(int i) => double.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture) / 100.0;
        return (Ticks(11) + Ticks(12), Ticks(13) + Ticks(14));
    }
}
