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

    static int started, inProcess;
    /// <summary>How many amx processes this test run started (printed at the end of the run).</summary>
    public static int ProcessesStarted => Volatile.Read(ref started);
    /// <summary>How many amx commands this test run ran in-process (printed at the end of the run).</summary>
    public static int InProcessRuns => Volatile.Read(ref inProcess);

    public string Home { get; }
    public string User { get; }
    public Dictionary<string, string?> Env { get; } = new();

    /// <summary>
    /// Run commands inside the test process (<see cref="RunInProcessAsync"/>) instead of starting amx: for fixtures that
    /// check what amx prints and writes, not how its process behaves. Commands given stdin still start a process
    /// (amx reads the console's stdin).
    /// </summary>
    public bool InProcess { get; init; }

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
        // No synchronisation context in NUnit tests: blocking on the in-process run cannot deadlock.
        if (InProcess && stdin is null) return RunInProcessAsync(args).GetAwaiter().GetResult();
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

    /// <summary>
    /// The environment a process started by <see cref="Start"/> sees — this home and user, <see cref="Env"/> over the test
    /// process's variables — for in-process calls: the store, the config, or amx itself (<see cref="RunInProcessAsync"/>).
    /// Nothing process-wide is changed, so fixtures doing this run in parallel.
    /// </summary>
    public Amx.Data.Config.AmxEnvironment AmxEnv => Amx.Data.Config.AmxEnvironment.FromVariables(Variable);

    string? Variable(string name) =>
        Env.TryGetValue(name, out var v) ? v
        : name switch
        {
            "AMX_HOME" => Home,
            "AMX_USER" => User,
            "CI" => "true",
            "NO_COLOR" => "1",
            _ => System.Environment.GetEnvironmentVariable(name),
        };

    /// <summary>This home's config store, reading secrets from <see cref="AmxEnv"/>.</summary>
    public Amx.Data.Config.ConfigStore ConfigStore() => AmxEnv.ConfigStore();

    /// <summary>The store this home's amx writes to (shared when enabled, else its history.db), opened in-process.</summary>
    public Task<Amx.Data.History.HistoryStore> OpenHistoryAsync() =>
        Amx.Data.History.HistoryStore.OpenAsync(ConfigStore().Load(), AmxEnv);

    /// <summary>This home's own history.db, whatever the config says.</summary>
    public Task<Amx.Data.History.HistoryStore> OpenLocalHistoryAsync() => Amx.Data.History.HistoryStore.OpenLocalAsync(AmxEnv);

    /// <summary>
    /// Runs amx inside the test process (AmxApp.RunAsync) with this home, user and variables: for checks of what amx
    /// prints and writes that do not need a process of their own (no exit-time behaviour, signals or stdin).
    /// </summary>
    public async Task<Result> RunInProcessAsync(params string[] args)
    {
        Interlocked.Increment(ref inProcess);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Amx.Tool.AmxApp.RunAsync(args, stdout, stderr, AmxEnv);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

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
