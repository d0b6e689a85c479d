namespace Amx.Tool.Tests.Harness;

/// <summary>The real servers the other tests rely on are up and answer SQL.</summary>
public class ServerHarnessTests
{
    [Test]
    public async Task Postgres_answers_and_creates_databases()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync();
        var version = await pg.ScalarAsync<string>("SHOW server_version", db);
        Assert.That(version, Does.StartWith("15."));
    }

    [Test]
    public async Task MariaDb_answers_and_creates_databases()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync();
        var version = await my.ScalarAsync<string>("SELECT VERSION()", db);
        Assert.That(version, Does.Contain("MariaDB"));
    }
}
