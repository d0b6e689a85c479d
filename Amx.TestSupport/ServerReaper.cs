using System.Collections.Concurrent;

namespace Amx.TestSupport;

/// <summary>
/// Makes sure no throwaway server outlives the process that started it. The orderly path is the test run's teardown
/// (or the benchmark's end) disposing the servers; this is the second net: on process exit and on Ctrl-C every server
/// still registered is stopped and its folder removed, and <see cref="ReapOrphans"/> removes what a killed run
/// (SIGKILL, a crashed test host) left behind. Folders are named <c>amx-test-&lt;kind&gt;-&lt;owner pid&gt;-&lt;port&gt;</c>.
/// </summary>
public static class ServerReaper
{
    public const string FolderPrefix = "amx-test-";
    static readonly ConcurrentDictionary<IAsyncDisposable, byte> Live = new();
    static int hooked;

    public static void Register(IAsyncDisposable server)
    {
        if (Interlocked.Exchange(ref hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
            Console.CancelKeyPress += (_, _) => StopAll();
        }
        Live[server] = 0;
    }

    public static void Unregister(IAsyncDisposable server) => Live.TryRemove(server, out _);

    /// <summary>Stops every registered server now (synchronously: exit handlers cannot await).</summary>
    public static void StopAll()
    {
        foreach (var server in Live.Keys)
        {
            try { server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(20)); }
            catch (Exception) { /* best effort on the way out */ }
        }
    }

    /// <summary>
    /// Stops the servers and removes the folders of earlier runs whose owner process is gone. Called before starting
    /// servers, so even a run killed with SIGKILL is cleaned up by the next one.
    /// </summary>
    public static void ReapOrphans()
    {
        string[] dirs;
        try { dirs = Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"); }
        catch (IOException) { return; }
        foreach (var dir in dirs)
        {
            var parts = Path.GetFileName(dir).Split('-');
            // amx-test-pg-<pid>-<port> / amx-test-mariadb-<pid>-<port>; test homes (amx-test-home-…) belong to AmxCli.
            if (parts.Length != 5 || !int.TryParse(parts[3], out var owner) || IsAlive(owner)) continue;
            if (parts[2] == "pg") PostgresServer.StopCluster(dir);
            else if (parts[2] == "mariadb") MariaDbServer.StopByPidFile(dir);
            else continue;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static bool IsAlive(int pid) => pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}");
}
