using Amx.Benchmarks.Infrastructure;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// Cold start, whole process: <c>amx --help</c> (≤ 150 ms) and the first store query, <c>amx history list</c> on the
/// local SQLite store (≤ 500 ms). Measures the installed tool (ReadyToRun linux-x64 package) when present, and the
/// portable build beside the benchmark for comparison. Median of 9 runs after one warm-up (disk cache, not JIT).
/// </summary>
public sealed class StartupBench : IBenchSuite
{
    public string Name => "startup";
    public string Description => "cold start: amx --help ≤ 150 ms, first local store query ≤ 500 ms";

    public Task RunAsync(BenchContext ctx)
    {
        var home = Path.Combine(Path.GetTempPath(), "amx-bench-startup-" + Environment.ProcessId);
        Directory.CreateDirectory(home);
        try
        {
            // A local history with one run to list.
            ctx.Amx(home, "bench", null, "demo", "--profiling-mode", "metadata").Check("amx demo");
            var installed = BenchContext.InstalledTool;
            if (File.Exists(installed)) Measure(ctx, "installed tool", installed, home);
            else Console.Error.WriteLine($"  (no installed amx at {installed}: install it per README to measure the ReadyToRun package)");
            Measure(ctx, "portable build", null, home);
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
        return Task.CompletedTask;
    }

    static void Measure(BenchContext ctx, string label, string? exe, string home)
    {
        double Median(params string[] args)
        {
            ctx.AmxWith(exe, home, "bench", null, args).Check("amx " + string.Join(' ', args));
            var times = Enumerable.Range(0, 9).Select(_ => ctx.AmxWith(exe, home, "bench", null, args).Check("amx").Elapsed.TotalMilliseconds).Order().ToList();
            return times[times.Count / 2];
        }
        ctx.Report($"amx --help ({label})", Median("--help"), "ms", 150);
        ctx.Report($"amx history list, local SQLite ({label})", Median("history", "list"), "ms", 200);
        ctx.Report($"amx history-store script --backend postgresql ({label})", Median("history-store", "script", "--backend", "postgresql"), "ms");
    }
}
