using System.Text.Json;
using Amx.Tool.Tests.Apply;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Checks;

/// <summary>
/// A warehouse schema on a real server (PostgreSQL or MariaDB) with a shared history store beside it, CLIs with the
/// offline LLM ("off") and a fake OpenAI-compatible server ("fake") for slow or failing drafts.
/// </summary>
sealed class ChecksWorld : IAsyncDisposable
{
    public const string KeyVar = "AMX_TEST_CHECKS_KEY";
    readonly List<AmxCli> _clis = [];

    public required ApplyWarehouse Wh { get; init; }
    public required FakeLlmServer Llm { get; init; }
    public string Schema => Wh.Schema;

    public static async Task<ChecksWorld> CreateAsync(string backend) =>
        new() { Wh = await ApplyWarehouse.CreateAsync(backend), Llm = new FakeLlmServer(FakeProtocol.OpenAi) };

    /// <summary>A CLI on the shared store; <paramref name="localStore"/> keeps the history in its own SQLite file instead.</summary>
    public AmxCli Cli(string user = "alice", bool localStore = false)
    {
        var amx = Wh.NewCli(user);
        _clis.Add(amx);
        amx.Env[KeyVar] = "sk-test-checks";
        ApplyWarehouse.Ok(amx.Run("add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model",
            "--base-url", Llm.BaseUrl, "--api-key-env", KeyVar));
        if (localStore) ApplyWarehouse.Ok(amx.Run("history-store", "disable"));
        return amx;
    }

    /// <summary>Another person with the same config and store.</summary>
    public AmxCli Teammate(AmxCli home, string user)
    {
        var amx = Wh.Teammate(home, user);
        return amx;
    }

    public Task SetTableCommentAsync(string table, string? comment) => Wh.BackendName == "postgresql"
        ? Wh.ExecAsync($"COMMENT ON TABLE {Schema}.{table} IS {ApplyWarehouse.Lit(comment)}")
        : Wh.ExecAsync($"ALTER TABLE {Schema}.{table} COMMENT = {ApplyWarehouse.Lit(comment ?? "")}");

    public async Task<long> CountAsync(string sql) => Convert.ToInt64((await Wh.QueryAsync(sql))[0][0]);

    public static JsonElement Json(AmxCli.Result r)
    {
        try { return JsonDocument.Parse(r.Stdout).RootElement.Clone(); }
        catch (JsonException e) { throw new AssertionException($"not json ({e.Message}):\n{r}"); }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clis) c.Dispose();
        await Llm.DisposeAsync();
    }
}
