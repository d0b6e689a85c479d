using System.Collections.Concurrent;

namespace Amx.TestSupport;

/// <summary>
/// Makes sure no throwaway server outlives the process that started it. The orderly path is the test run's teardown
/// (or the benchmark's end) disposing the servers; this is the second net: on process exit and on Ctrl-C every server
/// still registered is stopped and its folder removed, and <see cref="ReapOrphans"/> removes what a killed run
/// (SIGKILL, a crashed test host) left behind. Folders are named <c>amx-test-&lt;kind&gt;-&lt;owner pid&gt;-&lt;port&gt;</c>.
/// The third net is <see cref="Watch"/>: a detached watchdog per server that stops it within seconds of its owner
/// dying, however it died — <c>dotnet test</c> kills its test host outright on Ctrl-C, so no exit handler runs there.
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
            // amx-test-pg-<pid>-<port> / amx-test-mariadb-<pid>-<port> / amx-test-home-<pid> (the test run's AMX_HOMEs).
            if (parts.Length is not (4 or 5) || !int.TryParse(parts[3], out var owner) || IsAlive(owner)) continue;
            if (parts[2] == "pg" && parts.Length == 5) PostgresServer.StopCluster(dir);
            else if (parts[2] == "mariadb" && parts.Length == 5) MariaDbServer.StopByPidFile(dir);
            else if (parts[2] != "home" || parts.Length != 4) continue;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Starts a watchdog outside this process's group (so a Ctrl-C to the terminal or a kill of the test host does not
    /// reach it): it polls every second and, once <paramref name="ownerPid"/> (default: this process) is gone while
    /// <paramref name="folder"/> still exists, stops the server whose pid file is in it and removes the folder. An orderly
    /// stop removes the folder first, which ends the watchdog.
    /// </summary>
    public static void Watch(string folder, int? ownerPid = null)
    {
        // pg: the postmaster's pid is the first line of data/postmaster.pid, SIGQUIT is an immediate shutdown;
        // mariadb: mariadbd writes its pid to <folder>/pid and holds nothing worth a graceful stop.
        var kind = Path.GetFileName(folder).Split('-') is { Length: >= 4 } parts ? parts[2] : "";
        var stop = kind switch
        {
            "home" => "p=",   // a folder of test homes: nothing runs in it
            "pg" => """p=$(head -n 1 "$d/data/postmaster.pid" 2>/dev/null); [ -n "$p" ] && kill -QUIT "$p" 2>/dev/null""",
            "mariadb" => """p=$(cat "$d/pid" 2>/dev/null); [ -n "$p" ] && kill -KILL "$p" 2>/dev/null""",
            _ => throw new ArgumentException($"not a test server folder: {folder}", nameof(folder)),
        };
        // alive: the process exists and is not a zombie (a container's pid 1 may never reap a killed test host).
        var script = """
            exec </dev/null >/dev/null 2>&1; o=$1; d=$2
            alive() { s=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }
            while alive "$o" && [ -d "$d" ]; do sleep 1; done
            [ -d "$d" ] || exit 0
            """ + "\n" + stop + "\n" + """
            i=0; while [ -n "$p" ] && alive "$p" && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done
            rm -rf "$d"
            """;
        var psi = new System.Diagnostics.ProcessStartInfo("setsid")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "sh", "-c", script, "amx-test-watchdog", (ownerPid ?? Environment.ProcessId).ToString(), folder })
            psi.ArgumentList.Add(a);
        using var watchdog = System.Diagnostics.Process.Start(psi)!;
    }

    static bool IsAlive(int pid) => pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}");
}
