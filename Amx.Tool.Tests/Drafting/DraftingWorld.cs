using System.Text.Json;
using System.Text.Json.Nodes;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Tool.Tests.Llm.Fakes;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Tests.Drafting;

/// <summary>
/// A PostgreSQL warehouse (schema <c>sales</c>: customer 4 columns, orders 3 columns = 9 targets; an empty schema
/// <c>empty</c>), a fake LLM server, and amx homes configured through the verbs: db profile <c>wh</c>, llm profile
/// <c>fake</c> pointing at the fake server (key in <see cref="KeyVar"/>), both active.
/// </summary>
sealed class DraftingWorld : IAsyncDisposable
{
    public const string PasswordVar = "AMX_TEST_DRAFT_PW";
    public const string KeyVar = "AMX_TEST_DRAFT_KEY";
    public const int SalesTargets = 9;

    public static readonly string[] SalesQnames =
    [
        "sales.customer", "sales.customer.c_customer_id", "sales.customer.c_email", "sales.customer.c_first_name",
        "sales.customer.c_last_name", "sales.orders", "sales.orders.cust_id", "sales.orders.order_id", "sales.orders.total_amt",
    ];

    public required PostgresServer Pg { get; init; }
    public required string WarehouseDb { get; init; }
    public required FakeLlmServer Llm { get; init; }
    readonly List<AmxCli> clis = [];

    public static async Task<DraftingWorld> CreateAsync(FakeProtocol protocol = FakeProtocol.OpenAi)
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("draft_wh");
        await pg.ExecuteAsync("""
            CREATE SCHEMA sales;
            CREATE SCHEMA empty;
            CREATE TABLE sales.customer (c_customer_id int PRIMARY KEY, c_first_name text, c_last_name text, c_email text);
            CREATE TABLE sales.orders (order_id int PRIMARY KEY, cust_id int REFERENCES sales.customer, total_amt numeric(12,2));
            COMMENT ON COLUMN sales.customer.c_email IS 'Email address';
            """, db);
        return new DraftingWorld { Pg = pg, WarehouseDb = db, Llm = new FakeLlmServer(protocol) };
    }

    /// <summary>Schema <paramref name="schema"/> with <paramref name="tables"/> tables t01… of <paramref name="columns"/> columns c01…;
    /// returns its target count.</summary>
    public async Task<int> AddSchemaAsync(string schema, int tables, int columns)
    {
        var sql = new System.Text.StringBuilder($"CREATE SCHEMA {schema};");
        for (var t = 1; t <= tables; t++)
            sql.Append($"CREATE TABLE {schema}.t{t:00} ({string.Join(", ", Enumerable.Range(1, columns).Select(c => $"c{c:00} int"))});");
        await Pg.ExecuteAsync(sql.ToString(), WarehouseDb);
        return tables * (columns + 1);
    }

    /// <summary>An amx home with the warehouse profile and the fake llm profile.</summary>
    public AmxCli Cli(string user = "alice")
    {
        var amx = new AmxCli(user: user);
        clis.Add(amx);
        amx.Env[PasswordVar] = Pg.AdminPassword;
        amx.Env[KeyVar] = "sk-test-draft-secret";
        Check(amx, "add-db-profile", "wh", "--backend", "postgresql", "--host", "127.0.0.1", "--port", Pg.Port.ToString(),
            "--database", WarehouseDb, "--user", Pg.AdminUser, "--password-env", PasswordVar);
        Check(amx, "add-llm-profile", "fake", "--provider", Llm.Protocol == FakeProtocol.OpenAi ? "openai" : "anthropic",
            "--model", "fake-model", "--base-url", Llm.BaseUrl, "--api-key-env", KeyVar);
        return amx;
    }

    /// <summary>Enables the shared store in a database of the same server (created on first use), as <paramref name="user"/>.</summary>
    public static void EnableSharedStore(AmxCli amx, PostgresServer pg, string storeDb, string? user = null, string? password = null, string schema = "amx")
    {
        amx.Env["AMX_TEST_STORE_PW"] = password ?? pg.AdminPassword;
        Check(amx, "add-db-profile", "store", "--backend", "postgresql", "--host", "127.0.0.1", "--port", pg.Port.ToString(),
            "--database", storeDb, "--user", user ?? pg.AdminUser, "--password-env", "AMX_TEST_STORE_PW");
        Check(amx, "history-store", "enable", "--profile", "store", "--schema", schema, "--yes");
    }

    public static AmxCli.Result Check(AmxCli amx, params string[] args)
    {
        var r = amx.Run(args);
        Assert.That(r.ExitCode, Is.Zero, $"amx {string.Join(' ', args)}\n{r}");
        return r;
    }

    public static async Task<HistoryRun> RunRow(HistoryStore store, string runId)
    {
        await using var db = store.CreateContext();
        return await db.Runs.AsNoTracking().SingleAsync(r => r.RunId == runId);
    }

    public static async Task<List<HistoryRun>> Runs(HistoryStore store)
    {
        await using var db = store.CreateContext();
        return await db.Runs.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync();
    }

    /// <summary>The run id from <c>amx run … --output json</c>.</summary>
    public static JsonElement Json(AmxCli.Result r)
    {
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    public static Dictionary<string, JsonElement> Meta(HistoryRun run) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(run.MetadataJson ?? "{}")!;

    /// <summary>The table a fake request is about (<c>sales.customer</c>), from the first user message.</summary>
    public static string TableOf(FakeRequest request)
    {
        var text = request.UserTexts()[0];
        return JsonNode.Parse(text[text.IndexOf('{')..])!["table"]!["name"]!.GetValue<string>();
    }

    /// <summary>The qnames a request asked for (first message's targets, in its table).</summary>
    public static IEnumerable<string> QnamesOf(FakeRequest request)
    {
        var table = TableOf(request);
        return request.Targets().Select(t => t.Kind == "table" ? table : table + "." + t.Name);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in clis) c.Dispose();
        await Llm.DisposeAsync();
    }
}
