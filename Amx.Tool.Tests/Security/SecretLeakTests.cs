using System.Text;
using Amx.Tool.Tests.Drafting;
using Amx.Tool.Tests.Llm.Fakes;
using Npgsql;

namespace Amx.Tool.Tests.Security;

/// <summary>
/// Issue #13 items 1–2: an endpoint that echoes the key it was sent (body and headers) for every provider and the
/// statuses users meet (401, 403, 429, 500). Whatever the key looks like, it must not appear in stdout, stderr, the
/// <c>--verbose</c> trace, any file under AMX_HOME, nor the local or the shared (PostgreSQL) history.
/// </summary>
[TestFixture(FakeProtocol.OpenAi, "openai")]
[TestFixture(FakeProtocol.OpenAi, "ollama")]
[TestFixture(FakeProtocol.Anthropic, "anthropic")]
[Parallelizable(ParallelScope.Self)]
public sealed class SecretLeakTests(FakeProtocol protocol, string provider)
{
    // Shapes the old pattern missed: Groq, Azure (32 hex), Google, and a key with spaces.
    static readonly Dictionary<int, string> KeyFor = new()
    {
        [401] = "gsk_AbCd9876SECRETgroq",
        [403] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        [429] = "AIzaSyA-secret_Google_key_123456789",
        [500] = "my secret key with spaces",
    };
    const string UrlUser = "alice";
    const string UrlPassword = "Url-Pa55word-xyz";

    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync(protocol);

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    /// <summary>A home whose llm profile is <paramref name="provider"/> at the fake server, with user-info in base_url.</summary>
    AmxCli Home(string key)
    {
        var amx = world.Cli();
        amx.Env[DraftingWorld.KeyVar] = key;
        var url = world.Llm.BaseUrl.Replace("http://", $"http://{UrlUser}:{UrlPassword}@");
        var r = amx.Run("add-llm-profile", "fake", "--provider", provider, "--model", "fake-model", "--base-url", url,
            "--api-key-env", DraftingWorld.KeyVar, "--replace", "--activate");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        return amx;
    }

    [TestCase(401)]
    [TestCase(403)]
    [TestCase(429)]
    [TestCase(500)]
    public async Task An_echoed_key_never_reaches_output_files_or_the_history(int status)
    {
        var key = KeyFor[status];
        var amx = Home(key);
        world.Llm.Responder = req => FakeReply.EchoCredentials(req, status);
        var outputs = new List<AmxCli.Result>
        {
            amx.Run("run", "sales"),
            amx.Run("run", "sales.orders", "--verbose"),
            amx.Run("history", "list", "--output", "json"),
            amx.Run("config", "show", "--output", "json"),
            amx.Run("config", "show"),
            amx.Run("llm-profiles", "--output", "json"),
        };
        var runIds = System.Text.Json.JsonDocument.Parse(outputs[2].Stdout).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("run_id").GetString()!).ToList();
        foreach (var id in runIds) outputs.Add(amx.Run("history", "show", id, "--output", "json", "--verbose"));

        // The fake really echoed the key: a missing echo would make this test pass for the wrong reason.
        Assert.That(world.Llm.Requests, Is.Not.Empty);
        var sent = world.Llm.Requests[0].Headers;
        Assert.That((sent.GetValueOrDefault("Authorization") ?? "") + (sent.GetValueOrDefault("x-api-key") ?? ""), Does.Contain(key.Trim()));

        var all = string.Join("\n", outputs.Select(o => o.ToString()));
        if (status is 401 or 403)
        {
            Assert.That(outputs[0].ExitCode, Is.EqualTo(1), outputs[0].ToString());
            Assert.That(outputs[0].Stderr, Does.Contain("error: LLM endpoint refused the API key").And.Contain("[redacted]"));
        }
        else
        {
            Assert.That(runIds, Is.Not.Empty, all);
            var errors = await HistoryTexts(amx);
            Assert.That(errors, Does.Contain("[redacted]"), "the echoed key was recorded, masked, in the results' errors");
        }
        AssertNoSecret(all, "stdout/stderr/--verbose", key);
        AssertNoSecret(FilesUnder(amx.Home), "files under AMX_HOME", key);
        // config.yml keeps the base_url the user gave (it needs its user-info), but never the key itself.
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Not.Contain(key));
        Assert.That(outputs[3].Stdout + outputs[4].Stdout + outputs[5].Stdout, Does.Contain("[redacted]@127.0.0.1"), "base_url shown with user-info masked");
    }

    [Test]
    public async Task Shared_history_in_postgresql_never_gets_the_key()
    {
        var key = KeyFor[401] + "-shared";
        var amx = Home(key);
        var storeDb = await world.Pg.CreateDatabaseAsync("leak_store");
        DraftingWorld.EnableSharedStore(amx, world.Pg, storeDb);
        world.Llm.Responder = req => FakeReply.EchoCredentials(req, 500);
        var r = amx.Run("run", "sales", "--verbose");
        Assert.That(r.ExitCode, Is.Not.Zero, r.ToString());

        await using var conn = new NpgsqlConnection(world.Pg.ConnectionString(storeDb));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM (SELECT r::text AS t FROM amx.amx_history_runs r " +
            "UNION ALL SELECT x::text FROM amx.amx_history_results x) s", conn);
        var shared = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.That(shared, Does.Contain("[redacted]"), "the failure reached the shared results, masked");
        AssertNoSecret(shared, "the shared history", key);
        AssertNoSecret(r.ToString(), "output", key);
    }

    void AssertNoSecret(string text, string where, string key)
    {
        var secrets = new List<string> { key, key.Trim(), UrlPassword, Uri.EscapeDataString(key) };
        if (world.Pg.AdminPassword.Length >= 8) secrets.Add(world.Pg.AdminPassword);
        foreach (var s in secrets.Distinct())
            Assert.That(text, Does.Not.Contain(s), $"a secret reached {where}");
    }

    /// <summary>Every byte of every file amx wrote under the home (history.db and its journals, locks, exports), as
    /// text; config.yml and its backups hold the base_url as the user typed it and are checked for the key only.</summary>
    static string FilesUnder(string home) =>
        string.Join("\n", Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("config.yml", StringComparison.Ordinal))
            .Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));

    /// <summary>Errors and metadata of every run in the local history, read with SQLite's own client.</summary>
    static async Task<string> HistoryTexts(AmxCli amx)
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(amx.Home, "history.db")};Mode=ReadOnly;Pooling=False");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT coalesce(group_concat(coalesce(error, ''), char(10)), '') FROM amx_history_results";
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
