using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amx.Tool.Tests.Checks;

/// <summary>
/// The scripts of docs/ci-and-cron.md, taken from the page itself and run with bash against real servers, with an
/// <c>amx</c> on PATH that starts the built amx.dll: the CI checks script's exits 5 / 0 / "amx could not check", and
/// the quarterly script's log and json summary.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed partial class RecipeTests(string backend)
{
    WarehouseWorld _w = null!;
    string _bin = "";

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _w = await WarehouseWorld.CreateAsync(backend);
        _bin = Directory.CreateTempSubdirectory("amx-recipe-bin-").FullName;
        var wrapper = Path.Combine(_bin, "amx");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{AmxCli.AmxDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _w.DisposeAsync();
        Directory.Delete(_bin, recursive: true);
    }

    [Test]
    public async Task The_ci_checks_script_exits_5_on_low_coverage_or_drift_0_when_clean_and_otherwise_says_amx_failed()
    {
        var amx = _w.Cli("alice");
        await _w.CreateTableAsync("rc_orders", ["total", "placed_at"]);
        var script = Recipe("ci/amx-checks.sh");
        var work = Directory.CreateTempSubdirectory("amx-recipe-ci-").FullName;
        var env = new Dictionary<string, string?> { ["AMX_SCOPE"] = _w.Schema, ["AMX_MIN_COVERAGE"] = "80" };

        var low = Bash(amx, script, work, env);
        Assert.That(low.ExitCode, Is.EqualTo(5), low.ToString());
        Assert.That(low.Stderr, Does.Contain("error: documentation coverage of"));
        Assert.That(File.Exists(Path.Combine(work, "amx-drift.md")), Is.True, "the drift report is kept as an artifact");

        // Fill the gaps (with the offline drafter), drop the bar: clean.
        WarehouseWorld.Ok(amx.Run("run-apply", $"{_w.Schema}.rc_orders", "--llm-profile", "off", "--accept", "all", "--yes"));
        env["AMX_MIN_COVERAGE"] = "0";
        var clean = Bash(amx, script, work, env);
        Assert.That(clean.ExitCode, Is.Zero, clean.ToString());
        Assert.That(clean.Stdout, Does.Contain("0 changed outside amx, 0 removed"));

        // A hand edit is drift: the same script fails with 5 and the drift table in the log.
        await _w.SetColumnCommentAsync("rc_orders", "total", "hand-edited total");
        var drift = Bash(amx, script, work, env);
        Assert.That(drift.ExitCode, Is.EqualTo(5), drift.ToString());
        Assert.That(drift.Stdout, Does.Contain("hand-edited total").And.Contain("changed outside amx"));
        Assert.That(drift.Stderr, Does.Contain("error: drift found"));

        // amx cannot check (the secret is missing): not 5, and the script says so.
        env[WarehouseWorld.PasswordVar] = null;
        var broken = Bash(amx, script, work, env);
        Assert.That(broken.ExitCode, Is.Not.Zero.And.Not.EqualTo(5), broken.ToString());
        Assert.That(broken.Stderr, Does.Contain("amx could not run the checks (exit "));
        Directory.Delete(work, recursive: true);
    }

    [Test]
    public async Task The_quarterly_script_appends_a_json_summary_and_a_plain_log()
    {
        var amx = _w.Cli("cron");
        await _w.CreateTableAsync("rc_quarter", ["region"]);
        var script = Recipe("/usr/local/bin/amx-quarterly");
        var home = Directory.CreateTempSubdirectory("amx-recipe-home-").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".config", "amx"));
        // The secrets file the script sources; the test's own environment does not carry the password.
        File.WriteAllText(Path.Combine(home, ".config", "amx", "env"),
            $"export {WarehouseWorld.PasswordVar}='{amx.Env[WarehouseWorld.PasswordVar]}'\n");
        var env = new Dictionary<string, string?> { ["HOME"] = home, [WarehouseWorld.PasswordVar] = null };
        // PostgreSQL: the whole warehouse (this test's own database). MariaDB reads every database of the server,
        // which other tests share, so there the script gets the schema as its extra argument.
        string[] args = backend == "postgresql" ? ["--llm-profile", "off"] : ["--llm-profile", "off", _w.Schema];

        var run = Bash(amx, script, home, env, args);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var summary = File.ReadAllText(Path.Combine(home, "amx-logs", "run-apply.json"));
        using (var json = JsonDocument.Parse(summary))
        {
            Assert.That(json.RootElement.GetProperty("exit_code").GetInt32(), Is.Zero);
            Assert.That(json.RootElement.GetProperty("drafted").GetInt32(), Is.GreaterThanOrEqualTo(3));
            Assert.That(json.RootElement.GetProperty("schemas").EnumerateArray().Select(s => s.GetProperty("schema").GetString()),
                Does.Contain(_w.Schema));
        }
        var log = File.ReadAllText(Path.Combine(home, "amx-logs", "run-apply.log"));
        Assert.That(log, Does.Contain("drafting: ").And.Contain("applying: "));
        Assert.That(log, Does.Not.Contain("\u001b"));

        // The next firing appends a second document.
        Assert.That(Bash(amx, script, home, env, args).ExitCode, Is.Zero);
        var documents = 0;
        var reader = new Utf8JsonReader(File.ReadAllBytes(Path.Combine(home, "amx-logs", "run-apply.json")), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read()) if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 0) documents++;
        Assert.That(documents, Is.EqualTo(2));
        Directory.Delete(home, recursive: true);
    }

    /// <summary>The fenced block right after the page's <c>&lt;!-- recipe: NAME …--&gt;</c> marker.</summary>
    static string Recipe(string name)
    {
        var page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "ci-and-cron.md"));
        var m = Regex.Match(page, $@"<!-- recipe: {Regex.Escape(name)} [^\n]*-->\n```sh\n(?<body>.*?)\n```", RegexOptions.Singleline);
        Assert.That(m.Success, Is.True, $"docs/ci-and-cron.md has no recipe block '{name}'");
        return m.Groups["body"].Value;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "amx-tool.sln"))) return dir.FullName;
        throw new AssertionException("amx-tool.sln not found above " + AppContext.BaseDirectory);
    }

    AmxCli.Result Bash(AmxCli amx, string script, string workDir, Dictionary<string, string?> env, params string[] args)
    {
        var file = Path.Combine(workDir, "recipe.sh");
        File.WriteAllText(file, script + "\n");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir };
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["AMX_HOME"] = amx.Home;
        psi.Environment["AMX_USER"] = amx.User;
        psi.Environment["CI"] = "true";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in amx.Env) if (v is not null) psi.Environment[k] = v;
        foreach (var (k, v) in env)
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("recipe script did not finish in 5 minutes");
        }
        p.WaitForExit();
        File.Delete(file);
        return new AmxCli.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
