namespace Amx.Tool.Tests.Foundation;

/// <summary>Profiles through amx's command line (in-process, own home and variables): config shape, secrets, and bad input leaving the file unchanged.</summary>
[Category("Quick")]
public class ProfileCommandTests
{
    static AmxCli.Result AddPg(AmxCli amx, string name = "prod-pg", params string[] extra) =>
        amx.Run(["add-db-profile", name, "--backend", "postgresql", "--host", "db.example.com", "--port", "5432",
                 "--database", "analytics", "--user", "amx_member", "--password-env", "PROD_PG_PASSWORD", .. extra]);

    [Test]
    public void Config_is_0600_and_never_holds_an_env_password()
    {
        using var amx = new AmxCli { InProcess = true };
        amx.Env["PROD_PG_PASSWORD"] = "s3cret-value-xyz";
        var r = AddPg(amx);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var text = File.ReadAllText(amx.ConfigPath);
        Assert.That(text, Does.Not.Contain("s3cret-value-xyz"));
        Assert.That(text, Does.Contain("password_env: PROD_PG_PASSWORD"));
        Assert.That(text, Does.Contain("backend: postgresql"));
        Assert.That(File.GetUnixFileMode(amx.ConfigPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        var show = amx.Run("config", "show", "--output", "json");
        Assert.That(show.ExitCode, Is.EqualTo(0), show.ToString());
        Assert.That(show.Stdout + show.Stderr, Does.Not.Contain("s3cret-value-xyz"));
        Assert.That(show.Stdout, Does.Contain("$PROD_PG_PASSWORD (set)"));
    }

    [Test]
    public void Rewrites_keep_unknown_keys_and_five_backups()
    {
        using var amx = new AmxCli { InProcess = true };
        File.WriteAllText(amx.ConfigPath, "schema_version: 1\nteam_note: keep me\ndb_profiles:\n  old:\n    backend: sqlite\n    path: /tmp/x.db\n    custom_key: 42\n");
        for (var i = 0; i < 7; i++)
            Assert.That(amx.Run("add-llm-profile", $"p{i}", "--provider", "offline").ExitCode, Is.EqualTo(0));
        var text = File.ReadAllText(amx.ConfigPath);
        Assert.That(text, Does.Contain("team_note: keep me"));
        Assert.That(text, Does.Contain("custom_key: 42"));
        for (var i = 1; i <= 5; i++) Assert.That(File.Exists($"{amx.ConfigPath}.bak.{i}"), $"bak.{i}");
        Assert.That(File.Exists($"{amx.ConfigPath}.bak.6"), Is.False);
        Assert.That(File.ReadAllText($"{amx.ConfigPath}.bak.1"), Does.Contain("p5:").And.Not.Contain("p6:"));
    }

    [Test]
    public void Profiles_list_as_table_and_json_and_can_be_removed()
    {
        using var amx = new AmxCli { InProcess = true };
        Assert.That(AddPg(amx).ExitCode, Is.EqualTo(0));
        Assert.That(amx.Run("add-db-profile", "local", "--backend", "sqlite", "--path", Path.Combine(amx.Home, "w.db")).ExitCode, Is.EqualTo(0));
        var table = amx.Run("db-profiles");
        Assert.That(table.Stdout, Does.Contain("prod-pg").And.Contain("db.example.com:5432/analytics").And.Contain("local"));
        var json = amx.Run("db-profiles", "--output", "json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
        Assert.That(doc.RootElement.GetArrayLength(), Is.EqualTo(2));
        Assert.That(doc.RootElement[0].GetProperty("backend").GetString(), Is.EqualTo("postgresql"));
        Assert.That(amx.Run("db-profiles", "remove", "local").ExitCode, Is.EqualTo(0));
        Assert.That(amx.Run("db-profiles").Stdout, Does.Not.Contain("local"));
    }

    [Test]
    public void Llm_profiles_round_trip()
    {
        using var amx = new AmxCli { InProcess = true };
        var r = amx.Run("add-llm-profile", "default", "--provider", "openai", "--model", "gpt-4o-mini", "--api-key-env", "OPENAI_API_KEY");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var list = amx.Run("llm-profiles", "--output", "json");
        Assert.That(list.Stdout, Does.Contain("\"provider\": \"openai\"").And.Contain("gpt-4o-mini"));
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Contain("api_key_env: OPENAI_API_KEY"));
    }

    // ---- bad input: exit 2, one-line error + hint, config unchanged ----

    static void AssertRefusedUnchanged(AmxCli amx, AmxCli.Result r, string mention)
    {
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        CliBasicsTests.AssertOneLineError(r, mention);
    }

    static (AmxCli amx, string before) WithBaseline()
    {
        var amx = new AmxCli { InProcess = true };
        Assert.That(AddPg(amx).ExitCode, Is.EqualTo(0));
        return (amx, File.ReadAllText(amx.ConfigPath));
    }

    [Test]
    public void Malformed_yaml_names_file_line_and_column()
    {
        using var amx = new AmxCli { InProcess = true };
        const string bad = "schema_version: 1\ndb_profiles:\n  x: [unclosed\n";
        File.WriteAllText(amx.ConfigPath, bad);
        var r = amx.Run("db-profiles");
        AssertRefusedUnchanged(amx, r, "config.yml:");
        Assert.That(r.Stderr, Does.Match(@"config\.yml:\d+:\d+: malformed YAML"));
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(bad));
    }

    [Test]
    public void Unknown_backend_is_refused()
    {
        var (amx, before) = WithBaseline();
        using var _ = amx;
        AssertRefusedUnchanged(amx, amx.Run("add-db-profile", "d", "--backend", "nosuchdb", "--host", "h"), "nosuchdb");
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(before));
    }

    [Test]
    public void Missing_required_flag_is_refused()
    {
        var (amx, before) = WithBaseline();
        using var _ = amx;
        AssertRefusedUnchanged(amx, amx.Run("add-db-profile", "d", "--host", "h"), "--backend");
        AssertRefusedUnchanged(amx, amx.Run("add-db-profile", "d", "--backend", "postgresql", "--database", "x", "--user", "u"), "--host");
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(before));
    }

    [Test]
    public void Unknown_profile_lists_the_known_ones()
    {
        var (amx, before) = WithBaseline();
        using var _ = amx;
        var r = amx.Run("db-profiles", "remove", "nope");
        AssertRefusedUnchanged(amx, r, "nope");
        Assert.That(r.Stderr, Does.Contain("prod-pg"));
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(before));
    }

    [Test]
    public void Duplicate_profile_name_is_refused_unless_replace()
    {
        var (amx, before) = WithBaseline();
        using var _ = amx;
        AssertRefusedUnchanged(amx, AddPg(amx), "already exists");
        Assert.That(File.ReadAllText(amx.ConfigPath), Is.EqualTo(before));
        Assert.That(amx.Run("add-db-profile", "prod-pg", "--backend", "mariadb", "--host", "h2", "--user", "u", "--replace").ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Contain("backend: mariadb"));
    }

    [Test]
    public void Unwritable_amx_home_is_refused()
    {
        // AMX_HOME pointing at a regular file cannot be written, even by root (CI runs as root).
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "not a directory");
        using var amx = new AmxCli { InProcess = true };
        amx.Env["AMX_HOME"] = file;
        var r = AddPg(amx);
        AssertRefusedUnchanged(amx, r, "cannot be used: it is a file, not a directory");
        Assert.That(File.ReadAllText(file), Is.EqualTo("not a directory"));
        File.Delete(file);
    }
}
