using System.Diagnostics;
using System.Text.Json;
using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;

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
        // Finding candidates is a plain read; EF (and its cold start) only comes in when a run must be corrected.
        var running = await store.ReadAsync(r => r.RunningAsync(ct), ct);
        if (running.Count == 0) return 0;
        await using var db = store.CreateContext();
        var marked = 0;
        foreach (var run in running)
        {
            var meta = Metadata.Read(run.MetadataJson);
            if (IsAlive(run, meta)) continue;
            run.State = RunStates.Failed;
            run.FinishedAt ??= DateTime.UtcNow;
            meta["interrupted"] = true;
            meta["error"] = "interrupted: the drafting process ended before the run finished; resume with amx run --resume " + run.RunId;
            meta.Remove("pid");
            meta.Remove("pid_started_at");
            run.MetadataJson = JsonSerializer.Serialize(meta);
            db.Runs.Attach(run);
            db.Entry(run).Property(r => r.State).IsModified = true;
            db.Entry(run).Property(r => r.FinishedAt).IsModified = true;
            db.Entry(run).Property(r => r.MetadataJson).IsModified = true;
            marked++;
        }
        if (marked > 0) await db.SaveChangesAsync(ct);
        return marked;
    }

    static bool IsAlive(HistoryRun run, Dictionary<string, object?> meta)
    {
        var host = Metadata.String(meta, "pid_host");
        var pid = Metadata.Long(meta, "pid");
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
                if (Metadata.Time(meta, "pid_started_at") is { } recorded)
                    return (started - recorded).Duration() < TimeSpan.FromSeconds(2);
                var marker = Metadata.Time(meta, "heartbeat_at") ?? run.StartedAt;
                return started <= marker.AddSeconds(5);
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
        var beat = Metadata.Time(meta, "heartbeat_at") ?? run.StartedAt;
        return DateTime.UtcNow - beat < StaleAfter;
    }
}

/// <summary>Reads and writes the loose <c>metadata_json</c> of a run.</summary>
public static class Metadata
{
    public static Dictionary<string, object?> Read(string? json)
    {
        if (string.IsNullOrEmpty(json)) return new();
        try
        {
            var doc = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? new();
            return doc.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        }
        catch (JsonException) { return new() { ["unreadable_metadata"] = json }; }
    }

    public static string? String(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        string s => s,
        _ => null,
    };

    public static long? Long(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var l) => l,
        long l => l,
        int i => i,
        _ => null,
    };

    public static double? Double(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        double d => d,
        _ => null,
    };

    public static DateTime? Time(Dictionary<string, object?> meta, string key) =>
        String(meta, key) is { } s && DateTime.TryParse(s, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
