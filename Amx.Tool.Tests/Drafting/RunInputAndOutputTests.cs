using System.Text.RegularExpressions;
using Amx.Data.History.Model;

namespace Amx.Tool.Tests.Drafting;

/// <summary>Bad input (exit 2, a hint, no run row), progress lines and json on the streams, other warehouse backends, demo.</summary>
[TestFixture]
public sealed class RunInputAndOutputTests
{
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync();

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    static IEnumerable<TestCaseData> BadInputs()
    {
        yield return new TestCaseData((object)new[] { "run", "nosuch" }, "nothing to draft in scope 'nosuch'", "amx db inspect").SetName("unknown scope");
        yield return new TestCaseData((object)new[] { "run", "sales.nosuch" }, "nothing to draft in scope 'sales.nosuch'", "amx db inspect").SetName("unknown table");
        yield return new TestCaseData((object)new[] { "run", "empty" }, "nothing to draft in scope 'empty'", "amx db inspect").SetName("empty schema");
        yield return new TestCaseData((object)new[] { "run", "sales", "--batch-size", "0" }, "--batch-size must be at least 1", null).SetName("batch size 0");
        yield return new TestCaseData((object)new[] { "run", "sales", "--concurrency", "0" }, "--concurrency must be at least 1", null).SetName("concurrency 0");
        yield return new TestCaseData((object)new[] { "run", "sales", "--llm-profile", "nope" }, "unknown llm profile 'nope'", "known llm profiles: fake").SetName("unknown llm profile");
        yield return new TestCaseData((object)new[] { "run", "sales", "--db-profile", "nope" }, "unknown db profile 'nope'", "known db profiles: wh").SetName("unknown db profile");
        yield return new TestCaseData((object)new[] { "run" }, "a scope is required", "amx run sales").SetName("no scope");
        yield return new TestCaseData((object)new[] { "run", "sales", "--profiling-mode", "deep" }, "unknown profiling mode 'deep'", "metadata, sampled or full").SetName("unknown profiling mode");
    }

    [TestCaseSource(nameof(BadInputs))]
    public async Task Bad_input_is_exit_2_with_a_hint_and_no_run_row(string[] args, string error, string? hint)
    {
        var amx = world.Cli();
        var r = amx.Run(args);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("error: " + error));
        if (hint is not null) Assert.That(r.Stderr, Does.Contain("hint: ").And.Contain(hint));
        Assert.That(await DraftingWorld.Runs(await amx.OpenHistoryAsync()), Is.Empty, "no run row");
        Assert.That(world.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task Missing_api_key_variable_is_bad_input_before_any_run_row()
    {
        var amx = world.Cli();
        amx.Env[DraftingWorld.KeyVar] = null;
        var r = amx.Run("run", "sales");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain(DraftingWorld.KeyVar));
        Assert.That(await DraftingWorld.Runs(await amx.OpenHistoryAsync()), Is.Empty, "no run row left behind");
    }

    [Test]
    public void Progress_lines_go_to_stderr_and_the_json_summary_alone_to_stdout()
    {
        var total = world.AddSchemaAsync("big", tables: 6, columns: 5).GetAwaiter().GetResult();
        var amx = world.Cli();
        world.Llm.Latency = TimeSpan.FromMilliseconds(400);
        var r = amx.Run("run", "big", "--concurrency", "1", "--batch-size", "2", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var lines = Regex.Matches(r.Stderr, @"^drafting: (\d+)/(\d+) \((\d+)%\), \d+s elapsed, ETA \d+s$", RegexOptions.Multiline);
        Assert.That(lines, Has.Count.GreaterThanOrEqualTo(2), "a line every few seconds plus the last\n" + r.Stderr);
        Assert.That(int.Parse(lines[0].Groups[1].Value), Is.LessThan(total), "an intermediate line");
        Assert.That(lines[^1].Value, Does.StartWith($"drafting: {total}/{total} (100%), "));
        Assert.That(r.Stderr, Does.Not.Contain("\u001b["), "no terminal control codes without a terminal");
        var json = DraftingWorld.Json(r); // stdout is exactly one JSON document
        Assert.That(json.GetProperty("ok").GetInt32(), Is.EqualTo(total));
        Assert.That(r.Stdout, Does.Not.Contain("drafting:"));
    }

    [Test]
    public async Task MariaDb_warehouse_is_drafted_with_the_database_as_schema()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("draftwh");
        await my.ExecuteAsync("CREATE TABLE item (item_id int PRIMARY KEY, item_nm varchar(50) COMMENT 'Item name') COMMENT 'Items'", db);
        var amx = world.Cli();
        amx.Env["AMX_TEST_MY_PW"] = my.AdminPassword;
        DraftingWorld.Check(amx, "add-db-profile", "my", "--backend", "mariadb", "--host", "127.0.0.1", "--port", my.Port.ToString(),
            "--database", db, "--user", my.AdminUser, "--password-env", "AMX_TEST_MY_PW");
        var r = amx.Run("run", db, "--db-profile", "my", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var store = await amx.OpenHistoryAsync();
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        var results = await store.GetResultsAsync(runId);
        Assert.That(results.Select(x => x.TargetQname), Is.EqualTo(new[] { $"{db}.item", $"{db}.item.item_id", $"{db}.item.item_nm" }));
        Assert.That(results.Single(x => x.TargetQname == $"{db}.item").PreviousComment, Is.EqualTo("Items"));
        Assert.That(results.Single(x => x.TargetQname == $"{db}.item.item_nm").PreviousComment, Is.EqualTo("Item name"));
        Assert.That((await DraftingWorld.RunRow(store, runId)).DbBackend, Is.EqualTo("mariadb"));
    }

    [Test]
    public async Task Demo_creates_the_sqlite_warehouse_profiles_and_a_drafted_run_with_useful_text_offline()
    {
        var amx = world.Cli("newcomer");
        var r = amx.Run("demo", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(File.Exists(Path.Combine(amx.Home, "demo.db")));
        var config = File.ReadAllText(amx.ConfigPath);
        Assert.That(config, Does.Contain("demo:").And.Contain("offline:").And.Contain("backend: sqlite"));
        var json = DraftingWorld.Json(r);
        var runId = json.GetProperty("run_id").GetString()!;
        Assert.That(json.GetProperty("state").GetString(), Is.EqualTo("drafted"));
        Assert.That(json.GetProperty("fail").GetInt32(), Is.Zero);
        var described = json.GetProperty("results").EnumerateArray()
            .ToDictionary(e => e.GetProperty("target").GetString()!, e => e.GetProperty("description").GetString()!);
        Assert.That(described, Has.Count.EqualTo(json.GetProperty("ok").GetInt32()).And.Count.GreaterThan(30));
        Assert.That(described["main.customer.c_first_name"], Does.Contain("irst name").IgnoreCase.And.Contain("customer").IgnoreCase);
        Assert.That(described["main.orders.cust_id"], Does.Contain("customer").IgnoreCase);
        Assert.That(described.Values, Is.All.Not.Empty);

        var store = await amx.OpenHistoryAsync();
        var run = await DraftingWorld.RunRow(store, runId);
        Assert.That((run.LlmProvider, run.Who, run.State), Is.EqualTo(("offline", "newcomer", RunStates.Drafted)));

        Assert.That(world.Llm.Requests, Is.Empty, "the demo never calls an LLM endpoint");

        // The demo profile is an ordinary one: amx run works on it (here through the fake LLM), and demo can be run again.
        var again = amx.Run("demo");
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.Stdout, Does.Contain("c_first_name"));
        var sqlite = amx.Run("run", "main.store", "--db-profile", "demo", "--llm-profile", "fake", "--output", "json");
        Assert.That(sqlite.ExitCode, Is.Zero, sqlite.ToString());
        Assert.That(DraftingWorld.Json(sqlite).GetProperty("ok").GetInt32(), Is.EqualTo(6), "store: the table and its 5 columns");
        Assert.That(world.Llm.Requests, Has.Count.EqualTo(1));
    }
}
