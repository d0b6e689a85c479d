using System.Diagnostics;
using Amx.Data.History.Model;

namespace Amx.Data.History;

/// <summary>
/// A run whose process died must never stay <c>running</c>. The drafting process records its host and pid and
/// refreshes a heartbeat; readers mark a run failed (interrupted) when its process is gone (same host) or its
/// heartbeat is older than <see cref="StaleAfter"/> (another host).
/// </summary>
public static class RunLiveness
{
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    /// <summary>This process's start (UTC), as <see cref="IsAlive"/> will read it back through the pid.</summary>
    public static DateTime ProcessStartUtc()
    {
        using var self = Process.GetCurrentProcess();
        return self.StartTime.ToUniversalTime();
    }

    public static async Task<int> SweepAsync(HistoryStore store, CancellationToken ct = default)
    {
        var running = await store.ReadAsync(r => r.RunningAsync(ct), ct);
        var marked = 0;
        foreach (var run in running)
        {
            var meta = RunMetadata.Read(run.MetadataJson);
            if (IsAlive(run, meta)) continue;
            run.State = RunStates.Failed;
            run.FinishedAt ??= DateTime.UtcNow;
            meta.Interrupted = true;
            // In a shared store a silent run may also be one whose process lost the store and went on in its local file.
            meta.Error = store.IsShared
                ? $"interrupted: the drafting process stopped reporting. If {run.Who} on {run.Host} lost the shared store, the drafts " +
                  $"went on in that machine's local history file and 'amx history-store migrate' there pushes them; otherwise resume with amx run --resume {run.RunId}"
                : "interrupted: the drafting process ended before the run finished; resume with amx run --resume " + run.RunId;
            meta.Pid = null;
            meta.PidStartedAt = null;
            run.MetadataJson = meta.ToJson();
            // Only while it is still running: a run that finished meanwhile keeps its own state.
            if (await store.MarkInterruptedAsync(run, ct)) marked++;
        }
        return marked;
    }

    static bool IsAlive(HistoryRun run, RunMetadata meta)
    {
        var host = meta.PidHost;
        var pid = meta.Pid;
        if (host == Environment.MachineName && pid is > 0)
        {
            try
            {
                using var p = Process.GetProcessById((int)pid);
                if (p.HasExited) return false;
                // A recycled pid belongs to another process, which started at another time. A resumed run's process
                // starts long after the run did, so it is compared with the start time it recorded; rows without
                // that marker fall back to the drafting process's own heartbeat, then to the run's start.
                var started = p.StartTime.ToUniversalTime();
                if (meta.PidStartedAt is { } recorded)
                    return (started - recorded).Duration() < TimeSpan.FromSeconds(2);
                var marker = meta.HeartbeatAt ?? run.StartedAt;
                return started <= marker.AddSeconds(5);
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
        var beat = meta.HeartbeatAt ?? run.StartedAt;
        return DateTime.UtcNow - beat < StaleAfter;
    }
}
