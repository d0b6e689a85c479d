namespace Amx.Tool.Tests.Security;

/// <summary>Issue #13 item 2: listings never show a password option or a URL's user-info, in any output format.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SecretDisplayTests
{
    const string OptionSecret = "Opt1on-Secret-Value-42";
    const string UrlSecret = "Url-Secret-Pw-77";

    [Test]
    public void Password_options_and_url_user_info_are_masked_in_table_and_json()
    {
        using var amx = new AmxCli();
        var add = amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "127.0.0.1", "--database", "d",
            "--user", "u", "--option", $"Password={OptionSecret}", "--option", "Timeout=7");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        var llm = amx.Run("add-llm-profile", "gw", "--provider", "openai", "--base-url", $"http://alice:{UrlSecret}@127.0.0.1:9/v1");
        Assert.That(llm.ExitCode, Is.Zero, llm.ToString());
        Assert.That(File.ReadAllText(amx.ConfigPath), Does.Contain(OptionSecret), "the config keeps what the user gave");

        var outputs = new[]
        {
            amx.Run("config", "show"), amx.Run("config", "show", "--output", "json"),
            amx.Run("db-profiles"), amx.Run("db-profiles", "--output", "json"),
            amx.Run("llm-profiles"), amx.Run("llm-profiles", "--output", "json"),
            amx.Run("config", "validate", "--verbose"),
        };
        var all = string.Join("\n", outputs.Select(o => o.ToString()));
        Assert.That(all, Does.Not.Contain(OptionSecret).And.Not.Contain(UrlSecret));
        Assert.That(outputs[1].Stdout, Does.Contain("\"Timeout\": \"7\"").And.Contain("********"), "other options stay visible");
        Assert.That(outputs[5].Stdout, Does.Contain("http://[redacted]@127.0.0.1:9/v1"));
    }
}
