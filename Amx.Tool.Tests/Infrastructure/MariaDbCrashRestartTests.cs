using System.Diagnostics;

namespace Amx.Tool.Tests.Infrastructure;

/// <summary>
/// The test servers' crash handling that <c>MariaDbApplyCorpusTests</c> relies on: a server that dies of a signal is
/// recognised from its own error log, and restarts on the same data; a live server is never taken for crashed.
/// </summary>
[TestFixture]
public sealed class MariaDbCrashRestartTests
{
    [Test]
    public async Task A_server_killed_by_a_signal_is_seen_as_crashed_and_restarts_with_its_data()
    {
        await using var server = await MariaDbServer.StartPrivateAsync();
        Assert.That(await server.CrashedAsync(TimeSpan.FromMilliseconds(300)), Is.False, "a running server has not crashed");
        var db = await server.CreateDatabaseAsync("crash");
        await server.ExecuteAsync("CREATE TABLE kept (id int PRIMARY KEY) ENGINE=InnoDB; INSERT INTO kept VALUES (7);", db);

        // The test servers run with innodb_flush_log_at_trx_commit=0: InnoDB writes its log once a second, so a crash
        // right after a commit may lose it (as a crash of such a server would; the corpus test then fails, never passes).
        await Task.Delay(2500);
        var pid = int.Parse(File.ReadAllText(Path.Combine(server.Folder!, "pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var kill = Process.Start("kill", ["-SEGV", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        Assert.That(await server.CrashedAsync(TimeSpan.FromSeconds(20)), Is.True, "signal 11, written to the error log as MariaDB reports its own crashes");

        await server.RestartAsync();
        Assert.That(await server.ScalarAsync<int>("SELECT id FROM kept", db), Is.EqualTo(7), "the same data folder");
    }
}
