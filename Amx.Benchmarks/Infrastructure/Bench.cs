using System.Diagnostics;
using System.Globalization;

namespace Amx.Benchmarks.Infrastructure;

/// <summary>One benchmark suite; suites are found by reflection, so adding one is adding a class.</summary>
public interface IBenchSuite
{
    /// <summary>Short name used on the command line (e.g. <c>metadata</c>).</summary>
    string Name { get; }
    string Description { get; }
    Task RunAsync(BenchContext ctx);
}

/// <summary>A measured figure beside its target (null target: informational).</summary>
public sealed record Figure(string Suite, string Name, double Value, string Unit, double? Target, string? Note = null)
{
    public bool? Met => Target is { } t ? Value <= t : null;
}

/// <summary>What suites share: server connection strings, the amx under test, and the figures table.</summary>
public sealed class BenchContext(Dictionary<string, string> options) : IAsyncDisposable
{
    // Without a given server, a throwaway one (Amx.TestSupport, as the tests use), started on first use.
    readonly Lazy<PostgresServer> ownPg = new(() => PostgresServer.StartAsync().GetAwaiter().GetResult());
    readonly Lazy<MariaDbServer> ownMariaDb = new(() => MariaDbServer.StartAsync().GetAwaiter().GetResult());

    public List<Figure> Figures { get; } = [];
    public string? CurrentSuite { get; set; }

    public string Option(string name, string fallback) => options.GetValueOrDefault(name, fallback);

    /// <summary>Admin connection string of a PostgreSQL server (--pg, AMX_BENCH_PG, or a throwaway server).</summary>
    public string PostgresAdmin => options.GetValueOrDefault("pg") ?? Environment.GetEnvironmentVariable("AMX_BENCH_PG")
        ?? ownPg.Value.AdminConnectionString;

    /// <summary>Admin connection string of a MariaDB server (--mariadb, AMX_BENCH_MARIADB, or a throwaway server).</summary>
    public string MariaDbAdmin => options.GetValueOrDefault("mariadb") ?? Environment.GetEnvironmentVariable("AMX_BENCH_MARIADB")
        ?? ownMariaDb.Value.AdminConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (ownPg.IsValueCreated) await ownPg.Value.DisposeAsync();
        if (ownMariaDb.IsValueCreated) await ownMariaDb.Value.DisposeAsync();
    }

    public void Report(string name, double value, string unit, double? target = null, string? note = null)
    {
        var f = new Figure(CurrentSuite ?? "", name, value, unit, target, note);
        Figures.Add(f);
        var verdict = f.Met switch { true => "OK", false => "MISSED", null => "" };
        Console.Error.WriteLine($"  {name}: {Format(value)} {unit}{(target is { } t ? $" (target ≤ {Format(t)} {unit}) {verdict}" : "")}{(note is null ? "" : " — " + note)}");
    }

    public static string Format(double v) => v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.000", CultureInfo.InvariantCulture);

    /// <summary>Runs the real amx in its own process; returns wall time and peak resident memory.</summary>
    public AmxRun Amx(string home, string user, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        AmxWith(AmxUnderTest, home, user, env, args);

    /// <summary>
    /// The amx the whole-process figures run: <c>--amx installed</c> is the installed global tool (the ReadyToRun
    /// package users get), <c>--amx PATH</c> a given executable; by default the portable build beside the benchmark.
    /// </summary>
    public string? AmxUnderTest => options.GetValueOrDefault("amx") switch
    {
        null => null,
        "installed" => InstalledTool,
        var path => path,
    };

    public static string InstalledTool =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "amx");

    /// <summary>Runs a given amx executable (e.g. the installed tool); null runs the amx.dll built beside the benchmark.</summary>
    public AmxRun AmxWith(string? executable, string home, string user, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        AmxWith(executable, home, user, env, discardStdout: false, args);

    /// <summary>As <see cref="Amx"/>, but stdout is counted and dropped (<c>&gt; /dev/null</c>) instead of kept: for outputs of hundreds of MB.</summary>
    public AmxRun AmxDiscarding(string home, string user, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        AmxWith(AmxUnderTest, home, user, env, discardStdout: true, args);

    /// <summary>A shell pipeline (a floor such as <c>psql … | sha256sum</c>): wall time and the CPU of all its processes.</summary>
    public static AmxRun Shell(string script, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("set -o pipefail; " + script);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return Measure(psi, discardStdout: false);
    }

    AmxRun AmxWith(string? executable, string home, string user, IReadOnlyDictionary<string, string>? env, bool discardStdout, string[] args)
    {
        var psi = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (executable is null) psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "amx.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AMX_HOME"] = home;
        psi.Environment["AMX_USER"] = user;
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["CI"] = "true";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Measure(psi, discardStdout);
    }

    static AmxRun Measure(ProcessStartInfo psi, bool discardStdout)
    {
        var cpuBefore = ChildrenCpuSeconds();
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        long dropped = 0;
        var stdout = discardStdout
            ? Task.Run(async () =>
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await p.StandardOutput.BaseStream.ReadAsync(buffer)) > 0) dropped += n;
                return "";
            })
            : p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peakKb = 0;
        while (!p.WaitForExit(20))
            peakKb = Math.Max(peakKb, PeakKb(p.Id));
        p.WaitForExit();
        var elapsed = sw.Elapsed;
        var text = stdout.Result;
        return new AmxRun(p.ExitCode, text, stderr.Result, elapsed, peakKb / 1024.0, ChildrenCpuSeconds() - cpuBefore, discardStdout ? dropped : text.Length);
    }

    /// <summary>
    /// User + system CPU so far of the local database server listening on <paramref name="port"/> (found by its
    /// command line in /proc; NaN when it is not a local process): the server's share of an apply, whatever the load.
    /// </summary>
    public static double ServerCpuSeconds(string executable, uint port)
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (!cmdline[0].EndsWith(executable, StringComparison.Ordinal) || !cmdline.Contains($"--port={port}")) continue;
                // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the ")" that ends the name.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return double.NaN;
    }

    /// <summary>The 1-minute load average (Linux): wall times on a shared machine mean little without it.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>
    /// User + system CPU of this process's finished children (getrusage RUSAGE_CHILDREN; .NET reaps each child on exit):
    /// the difference around one amx run is that run's CPU time, whatever the load. NaN where unavailable.
    /// </summary>
    static double ChildrenCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        var usage = new RUsage();
        return GetRUsage(-1 /* RUSAGE_CHILDREN */, ref usage) == 0
            ? usage.UserSec + usage.UserUsec / 1e6 + usage.SysSec + usage.SysUsec / 1e6
            : double.NaN;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct RUsage
    {
        public long UserSec, UserUsec, SysSec, SysUsec;
        // The rest of struct rusage (14 longs) is not read, but must be there for the kernel to fill.
        public long R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    static extern int GetRUsage(int who, ref RUsage usage);

    /// <summary>VmHWM: the process's peak resident set so far.</summary>
    static long PeakKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}

/// <summary>One amx process: CpuSeconds is its user + system CPU time (NaN where the OS does not say); StdoutBytes what it
/// wrote to stdout (chars when kept, bytes when dropped).</summary>
public sealed record AmxRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, double PeakMb, double CpuSeconds, long StdoutBytes = 0)
{
    public AmxRun Check(string what)
    {
        if (ExitCode is not 0) throw new InvalidOperationException($"{what} exited {ExitCode}: {Stderr}");
        return this;
    }
}
