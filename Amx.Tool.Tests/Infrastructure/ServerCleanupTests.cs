using System.Diagnostics;

namespace Amx.Tool.Tests.Infrastructure;

/// <summary>
/// A throwaway server leaves nothing behind: stopping it removes its process and folder, and a server whose owning
/// process died (a test host killed with SIGKILL) is removed by the next run. .ci/run checks the whole run the same way.
/// </summary>
public class ServerCleanupTests
{
    [Test]
    public async Task Stopped_postgres_leaves_no_process_and_no_folder()
    {
        if (Environment.GetEnvironmentVariable("AMX_TEST_PG") is { Length: > 0 }) Assert.Ignore("AMX_TEST_PG points at a server this run did not start");
        var server = await PostgresServer.StartAsync();
        var folder = server.Folder!;
        var pid = PostmasterPid(folder);
        Assert.That(ProcessAlive(pid), Is.True, "postgres runs while the server is up");

        await server.DisposeAsync();

        Assert.That(ProcessAlive(pid), Is.False, "postgres stopped");
        Assert.That(Directory.Exists(folder), Is.False, "its folder removed");
    }

    [Test]
    public async Task Stopped_mariadb_leaves_no_process_and_no_folder()
    {
        if (Environment.GetEnvironmentVariable("AMX_TEST_MARIADB") is { Length: > 0 }) Assert.Ignore("AMX_TEST_MARIADB points at a server this run did not start");
        var server = await MariaDbServer.StartAsync();
        var folder = server.Folder!;
        var pid = int.Parse(File.ReadAllText(Path.Combine(folder, "pid")).Trim());
        Assert.That(ProcessAlive(pid), Is.True, "mariadbd runs while the server is up");

        await server.DisposeAsync();

        Assert.That(ProcessAlive(pid), Is.False, "mariadbd stopped");
        Assert.That(Directory.Exists(folder), Is.False, "its folder removed");
    }

    [Test]
    public async Task A_server_whose_owner_died_is_reaped_by_the_next_run()
    {
        if (Environment.GetEnvironmentVariable("AMX_TEST_PG") is { Length: > 0 }) Assert.Ignore("AMX_TEST_PG points at a server this run did not start");
        var server = await PostgresServer.StartAsync();
        var folder = server.Folder!;
        var pid = PostmasterPid(folder);
        // Pretend the folder belongs to a test host that was killed: a pid that has exited.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        var parts = Path.GetFileName(folder).Split('-');
        var orphan = Path.Combine(Path.GetDirectoryName(folder)!, $"{parts[0]}-{parts[1]}-{parts[2]}-{gone.Id}-{parts[4]}");
        Directory.Move(folder, orphan);
        ServerReaper.Unregister(server); // its own stop would look for the old folder

        ServerReaper.ReapOrphans();

        Assert.That(ProcessAlive(pid), Is.False, "the orphaned postgres was stopped");
        Assert.That(Directory.Exists(orphan), Is.False, "and its folder removed");
    }

    [TestCase("pg")]
    [TestCase("mariadb")]
    public async Task A_server_is_stopped_within_seconds_when_its_owner_is_killed(string kind)
    {
        // What happens when `dotnet test` is interrupted: the test host is killed outright and runs no exit handler.
        // Here the "test host" is a sleep process that owns a watchdog for a real server; SIGKILL it and wait.
        var envVar = kind == "pg" ? "AMX_TEST_PG" : "AMX_TEST_MARIADB";
        if (Environment.GetEnvironmentVariable(envVar) is { Length: > 0 }) Assert.Ignore($"{envVar} points at a server this run did not start");
        IAsyncDisposable server = kind == "pg" ? await PostgresServer.StartAsync() : await MariaDbServer.StartAsync();
        var folder = server is PostgresServer pg ? pg.Folder! : ((MariaDbServer)server).Folder!;
        var pid = kind == "pg" ? PostmasterPid(folder) : int.Parse(File.ReadAllText(Path.Combine(folder, "pid")).Trim());
        using var owner = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        ServerReaper.Watch(folder, owner.Id);
        try
        {
            await Task.Delay(1500);
            Assert.That(ProcessAlive(pid), Is.True, "the watchdog leaves the server alone while its owner lives");

            owner.Kill();
            owner.WaitForExit();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((ProcessAlive(pid) || Directory.Exists(folder)) && DateTime.UtcNow < deadline) await Task.Delay(200);

            Assert.That(ProcessAlive(pid), Is.False, "the server was stopped after its owner was killed");
            Assert.That(Directory.Exists(folder), Is.False, "and its folder removed");
        }
        finally
        {
            ServerReaper.Unregister(server);
            await server.DisposeAsync();
        }
    }

    static int PostmasterPid(string folder) =>
        int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First().Trim());

    static bool ProcessAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
}
