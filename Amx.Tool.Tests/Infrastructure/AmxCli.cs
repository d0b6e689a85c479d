using System.Collections.Concurrent;
using System.Diagnostics;

namespace Amx.Tool.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>amx</c> (the built amx.dll, as the installed tool would run) in its own process with
/// its own AMX_HOME and AMX_USER, so tests see exactly what a user or a script sees.
/// </summary>
public sealed class AmxCli : IDisposable
{
    // The ReadyToRun build the linux-x64 package ships (published by the test project's build), else the plain one.
    public static readonly string AmxDll = File.Exists(Path.Combine(AppContext.BaseDirectory, "amx-r2r", "amx.dll"))
        ? Path.Combine(AppContext.BaseDirectory, "amx-r2r", "amx.dll")
        : Path.Combine(AppContext.BaseDirectory, "amx.dll");
    // Homes this class made; removed at the end of the run even when a test forgot to dispose its AmxCli.
    static readonly ConcurrentDictionary<string, byte> Made = new();
    // All homes of this test run live under one folder that a watchdog removes if the run is killed (docs/testing.md).
    static readonly Lazy<string> HomesRoot = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"{ServerReaper.FolderPrefix}home-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        ServerReaper.Watch(root);
        return root;
    });

    static int started;
    /// <summary>How many amx processes this test run started (printed at the end of the run).</summary>
    public static int ProcessesStarted => Volatile.Read(ref started);

    public string Home { get; }
    public string User { get; }
    public Dictionary<string, string?> Env { get; } = new();

    public AmxCli(string user = "tester", string? home = null)
    {
        User = user;
        Home = home ?? Path.Combine(HomesRoot.Value, Guid.NewGuid().ToString("N")[..12]);
        if (home is null) Made[Home] = 0;
        Directory.CreateDirectory(Home);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public Result Run(params string[] args) => RunWithInput(null, args);

    public Result RunWithInput(string? stdin, params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"amx {string.Join(' ', args)} did not finish in 5 minutes");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts amx without waiting (for kill -9 and concurrency tests).</summary>
    public Process Start(params string[] args)
    {
        Interlocked.Increment(ref started);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(AmxDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AMX_HOME"] = Home;
        psi.Environment["AMX_USER"] = User;
        psi.Environment["CI"] = "true";
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in Env)
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    public string ConfigPath => Path.Combine(Home, "config.yml");

    public void Dispose() => Remove(Home);

    /// <summary>Removes every home this class made (the run's teardown calls it).</summary>
    public static void RemoveAllHomes()
    {
        foreach (var home in Made.Keys) Remove(home);
        if (HomesRoot.IsValueCreated) Remove(HomesRoot.Value);
    }

    static void Remove(string home)
    {
        Made.TryRemove(home, out _);
        try { if (Directory.Exists(home)) Directory.Delete(home, recursive: true); }
        catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
