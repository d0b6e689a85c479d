namespace Amx.Tool.Tests.Foundation;

/// <summary><c>add-db-profile</c> + <c>db-profiles test</c> against the real servers; a wrong password is never echoed.</summary>
public class DbProfileConnectTests
{
    [Test]
    public async Task Postgres_profile_connects_and_reports_version_and_user()
    {
        var pg = await TestServers.Postgres();
        using var amx = new AmxCli { InProcess = true };
        amx.Env["PG_PW"] = pg.AdminPassword;
        Assert.That(amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "127.0.0.1", "--port", pg.Port.ToString(),
            "--database", "postgres", "--user", pg.AdminUser, "--password-env", "PG_PW").ExitCode, Is.EqualTo(0));
        var r = amx.Run("db-profiles", "test", "pg");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("as " + pg.AdminUser).And.Contain("15."));
        var json = amx.Run("db-profiles", "test", "pg", "--output", "json");
        Assert.That(json.Stdout, Does.Contain("\"user\": \"postgres\""));
    }

    [Test]
    public async Task MariaDb_profile_connects_and_reports_version_and_user()
    {
        var my = await TestServers.MariaDb();
        using var amx = new AmxCli { InProcess = true };
        amx.Env["MY_PW"] = my.AdminPassword;
        Assert.That(amx.Run("add-db-profile", "my", "--backend", "mariadb", "--host", "127.0.0.1", "--port", my.Port.ToString(),
            "--user", my.AdminUser, "--password-env", "MY_PW").ExitCode, Is.EqualTo(0));
        var r = amx.Run("db-profiles", "test", "my");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("MariaDB").And.Contain("root@"));
    }

    [TestCase("postgresql")]
    [TestCase("mariadb")]
    public async Task Wrong_password_fails_clearly_without_echoing_it(string backend)
    {
        const string wrong = "Wr0ng-Pa55-zz9";
        using var amx = new AmxCli { InProcess = true };
        amx.Env["BAD_PW"] = wrong;
        int port;
        string user;
        if (backend == "postgresql") { var pg = await TestServers.Postgres(); port = pg.Port; user = pg.AdminUser; }
        else { var my = await TestServers.MariaDb(); port = my.Port; user = my.AdminUser; }
        Assert.That(amx.Run("add-db-profile", "x", "--backend", backend, "--host", "127.0.0.1", "--port", port.ToString(),
            "--database", backend == "postgresql" ? "postgres" : "mysql", "--user", user, "--password-env", "BAD_PW").ExitCode, Is.EqualTo(0));
        var r = amx.Run("db-profiles", "test", "x");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.StartWith("error: cannot connect to db profile 'x'"));
        Assert.That(r.Stderr, Does.Contain("hint: "));
        Assert.That(r.Stdout + r.Stderr, Does.Not.Contain(wrong));
        Assert.That(r.Stderr, Does.Not.Contain("   at "));
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Not.Contain(wrong));
    }
}
