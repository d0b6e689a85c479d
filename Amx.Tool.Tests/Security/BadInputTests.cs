using static Amx.Tool.Tests.Security.SecurityKit;

namespace Amx.Tool.Tests.Security;

/// <summary>Issue #13 items 4–6, 8 and 9: bad files, bad places and bad flags give one line, the right exit code, and change nothing.</summary>
[Parallelizable(ParallelScope.All), Category("Quick")] // in-process (AmxCli.InProcess): each test has its own home and variables
public sealed class BadInputTests
{
    const string RestoreHint = "hint: fix the file by hand, or restore a previous version from config.yml.bak.1";

    static AmxCli WithConfig(string text)
    {
        var amx = new AmxCli { InProcess = true };
        File.WriteAllText(amx.ConfigPath, text);
        return amx;
    }

    [Test]
    public void Malformed_config_is_exit_2_with_file_line_column_and_the_file_untouched()
    {
        using var amx = WithConfig("db_profiles:\n  wh: [unclosed\n  x: 1\n");
        var before = Fingerprint(amx.ConfigPath);
        foreach (var args in new[] { new[] { "db-profiles" }, ["config", "validate"], ["add-llm-profile", "x", "--provider", "offline"] })
        {
            var r = amx.Run(args);
            AssertOneLineError(r, 2, $"{amx.ConfigPath}:2:", "malformed YAML");
            Assert.That(r.Stderr, Does.Contain(RestoreHint));
        }
        Assert.That(Fingerprint(amx.ConfigPath), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(amx.Home), Has.Length.EqualTo(1), "no temp file, no backup, no store");
    }

    [Test]
    public void A_100k_level_nested_config_is_refused_without_overflowing_the_stack()
    {
        using var amx = WithConfig("a: " + new string('[', 100_000) + "\n");
        var before = Fingerprint(amx.ConfigPath);
        var r = amx.Run("config", "show");
        AssertOneLineError(r, 2, $"{amx.ConfigPath}:1:", "malformed YAML: nested deeper than");
        Assert.That(Fingerprint(amx.ConfigPath), Is.EqualTo(before));

        // Block nesting (no brackets) is caught as well.
        File.WriteAllText(amx.ConfigPath, string.Concat(Enumerable.Range(0, 5000).Select(i => new string(' ', i) + "k:\n")));
        AssertOneLineError(amx.Run("db-profiles"), 2, "malformed YAML: nested deeper than");
    }

    [Test]
    public void Review_files_that_are_malformed_or_deeply_nested_are_exit_2_and_change_nothing()
    {
        using var amx = new AmxCli { InProcess = true };
        var (runId, _) = DemoHome(amx);
        var db = Path.Combine(amx.Home, "history.db");
        var file = Path.Combine(amx.Home, "review.yml");
        foreach (var text in new[] { "results:\n  - target: [unclosed\n    decision: x\n", "results: " + new string('[', 100_000) + "\n" })
        {
            File.WriteAllText(file, text);
            var before = Fingerprint(db);
            var r = amx.Run("review", runId, "--from-file", file);
            AssertOneLineError(r, 2, $"{file}:", "malformed YAML");
            Assert.That(Fingerprint(db), Is.EqualTo(before), "the history is untouched");
        }
    }

    [Test]
    public void A_config_that_is_a_directory_is_refused_by_reads_validate_and_writes()
    {
        using var amx = new AmxCli { InProcess = true };
        Directory.CreateDirectory(amx.ConfigPath);
        foreach (var args in new[] { new[] { "config", "validate" }, ["db-profiles"], ["add-llm-profile", "x", "--provider", "offline"] })
            AssertOneLineError(amx.Run(args), 2, $"{amx.ConfigPath} is a directory");
        Assert.That(Directory.GetFileSystemEntries(amx.Home), Is.EqualTo(new[] { amx.ConfigPath }), "no .config.yml.NNN.tmp left behind");
    }

    [Test]
    public void A_newer_schema_version_is_refused_by_every_command_and_never_rewritten()
    {
        using var amx = WithConfig("schema_version: 99\nfuture_key: keep me\nllm_profiles:\n  o:\n    provider: offline\n");
        var before = Fingerprint(amx.ConfigPath);
        foreach (var args in new[]
                 {
                     new[] { "config", "show" }, ["config", "validate"], ["db-profiles"], ["llm-profiles"], ["history", "list"],
                     ["add-llm-profile", "x", "--provider", "offline"], ["add-db-profile", "d", "--backend", "sqlite", "--path", "/tmp/x.db"],
                     ["history-store", "enable", "--profile", "d", "--yes"], ["run", "main"],
                 })
            AssertOneLineError(amx.Run(args), 2, "schema_version 99", "newer than this amx");
        Assert.That(Fingerprint(amx.ConfigPath), Is.EqualTo(before));
        Assert.That(File.Exists(Path.Combine(amx.Home, "history.db")), Is.False);
    }

    [TestCase("/proc/amx-test-home", "AMX_HOME /proc/amx-test-home cannot be used")]
    [TestCase("/etc/passwd", "AMX_HOME /etc/passwd cannot be used: it is a file, not a directory")]
    [TestCase("/sys/amx-test-home", "AMX_HOME /sys/amx-test-home cannot be used")]
    public void Unusable_amx_home_is_one_line_naming_the_path_with_exit_2(string home, string message)
    {
        using var amx = new AmxCli { InProcess = true };
        amx.Env["AMX_HOME"] = home;
        AssertOneLineError(amx.Run("history", "list"), 2, message);
        var write = amx.Run("add-llm-profile", "x", "--provider", "offline");
        AssertOneLineError(write, 2, home);
    }

    [Test]
    public void Export_to_a_missing_directory_names_the_path_and_the_cause()
    {
        using var amx = new AmxCli { InProcess = true };
        var (runId, _) = DemoHome(amx);
        var r = amx.Run("review", runId, "--export", "/nonexistent-amx-dir/r.yml");
        AssertOneLineError(r, 2, "cannot write review file /nonexistent-amx-dir/r.yml: the directory does not exist");
    }

    [Test]
    public async Task Review_text_is_applied_exactly_as_given_and_a_blank_text_is_refused()
    {
        using var amx = new AmxCli { InProcess = true };
        var (runId, column) = DemoHome(amx);
        const string text = "  Leading and trailing spaces kept.\t ";
        var r = amx.Run("review", runId, "--set", $"{column}={text}");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(await Description(amx, runId, column), Is.EqualTo(text));

        var file = Path.Combine(amx.Home, "review.yml");
        Assert.That(amx.Run("review", runId, "--export", file).ExitCode, Is.Zero);
        var yaml = File.ReadAllText(file);
        Assert.That(yaml, Does.Contain("Leading and trailing spaces kept."));
        Assert.That(amx.Run("review", runId, "--from-file", file).ExitCode, Is.Zero);
        Assert.That(await Description(amx, runId, column), Is.EqualTo(text), "the export round trip keeps the text byte for byte");

        var blank = amx.Run("review", runId, "--set", $"{column}=   ");
        AssertOneLineError(blank, 2, $"empty text for {column}");
        Assert.That(await Description(amx, runId, column), Is.EqualTo(text));
    }

    [Test]
    public void Small_things_int_messages_lower_case_help_empty_profile_and_unset_key_warning()
    {
        using var amx = new AmxCli { InProcess = true };
        var n = amx.Run("history", "list", "-n", "abc");
        Assert.That(n.ExitCode, Is.EqualTo(2));
        Assert.That(n.Stderr, Does.Contain("as a whole number").And.Not.Contain("System."));

        var help = amx.Run("run", "--help");
        Assert.That(help.Stdout, Does.Contain("<table|json|csv|md>").And.Not.Contain("Csv|Json"));
        Assert.That(help.Stdout, Does.Not.Contain("[default: Table]"));

        DemoHome(amx);
        var empty = amx.Run("run", "main", "--db-profile", "");
        AssertOneLineError(empty, 2, "the db profile name given is empty");
        Assert.That(empty.Stderr, Does.Not.Contain("no active_db_profile set"));

        amx.Env["AMX_TEST_UNSET_KEY_VAR"] = null;
        var add = amx.Run("add-llm-profile", "k", "--provider", "openai", "--api-key-env", "AMX_TEST_UNSET_KEY_VAR");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(add.Stderr, Does.Contain("warning: environment variable AMX_TEST_UNSET_KEY_VAR is not set"));
    }

    static async Task<string?> Description(AmxCli amx, string runId, string target)
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(amx.Home, "history.db")};Mode=ReadOnly;Pooling=False");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT description FROM amx_history_results WHERE run_id = $r AND target_qname = $t";
        cmd.Parameters.AddWithValue("$r", runId);
        cmd.Parameters.AddWithValue("$t", target);
        return (string?)await cmd.ExecuteScalarAsync();
    }
}
