using System.Text.Json;
using System.Text.Json.Nodes;
using Amx.Data.Config;
using Amx.Data.Llm;
using Amx.Data.Llm.Chat;
using Amx.Data.Llm.Offline;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Drafting;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Prompt;

/// <summary>
/// Issue #22: wide tables through the real CLI and the fake OpenAI server. Every request stays within the llm
/// profile's budget, the bytes sent for the table stay within 3× one full listing, every target is asked once,
/// key columns are in every batch's context, prefix groups share a batch, and offline drafting is unchanged.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class WideTableTests
{
    const int Budget = 20_000;

    [Test]
    public async Task A_1600_column_PostgreSQL_table_is_drafted_in_bounded_requests()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("wide_pg");
        await pg.ExecuteAsync($"CREATE SCHEMA wide; CREATE TABLE wide.region (id int PRIMARY KEY); " +
                              $"CREATE TABLE wide.survey ({string.Join(", ", WideColumns(1600, "integer", "wide.region", "attr_"))}); " +
                              "COMMENT ON COLUMN wide.survey.addr_city IS 'City of the respondent''s address';", db);
        var profile = new DbProfile { Name = "wh", Backend = Backend.PostgreSql, Host = "127.0.0.1", Port = pg.Port, Database = db, User = pg.AdminUser, PasswordEnv = DraftingWorld.PasswordVar };
        profile.Variables = name => name == DraftingWorld.PasswordVar ? pg.AdminPassword : null;
        await DraftAndCheck(profile, ["add-db-profile", "wh", "--backend", "postgresql", "--host", "127.0.0.1", "--port", pg.Port.ToString(),
            "--database", db, "--user", pg.AdminUser, "--password-env", DraftingWorld.PasswordVar], pg.AdminPassword, "wide", 1600, ["id", "survey_code", "region_id"]);
    }

    [Test]
    public async Task A_2400_column_MariaDB_table_is_drafted_in_bounded_requests()
    {
        var my = await TestServers.MariaDb();
        var db = await my.CreateDatabaseAsync("wide_my");
        // InnoDB stops at 1,017 columns. MariaDB's nominal limit is 4,096, but a table definition must fit 64 KB at
        // 17 bytes per column plus its name: about 2,500 short-named columns is the widest table it accepts.
        await my.ExecuteAsync($"CREATE TABLE region (id int PRIMARY KEY); " +
                              $"CREATE TABLE survey ({string.Join(", ", WideColumns(2400, "int", "region", "a_"))}) ENGINE=Aria;" +
                              "ALTER TABLE survey MODIFY addr_city int COMMENT 'City of the respondent''s address';", db);
        var profile = new DbProfile { Name = "wh", Backend = Backend.MariaDb, Host = "127.0.0.1", Port = my.Port, Database = db, User = my.AdminUser, PasswordEnv = DraftingWorld.PasswordVar };
        profile.Variables = name => name == DraftingWorld.PasswordVar ? my.AdminPassword : null;
        await DraftAndCheck(profile, ["add-db-profile", "wh", "--backend", "mariadb", "--host", "127.0.0.1", "--port", my.Port.ToString(),
            "--database", db, "--user", my.AdminUser, "--password-env", DraftingWorld.PasswordVar], my.AdminPassword, db, 2400, ["id", "survey_code"]);
    }

    /// <summary><c>id</c> (primary key), <c>survey_code</c> (unique), <c>region_id</c> (foreign key), an <c>addr_*</c> group in the middle, <c>attr_NNNN</c> (or <c>a_NNNN</c>) for the rest.</summary>
    static IEnumerable<string> WideColumns(int count, string type, string region, string attr)
    {
        yield return "id int PRIMARY KEY";
        yield return "survey_code varchar(20) UNIQUE";
        yield return $"region_id int REFERENCES {region} (id)";
        var attrs = count - 3 - 6;
        for (var i = 1; i <= attrs; i++)
        {
            if (i == attrs / 2)
                foreach (var a in new[] { "addr_street", "addr_city", "addr_zip", "addr_country", "addr_state", "addr_line2" })
                    yield return $"{a} {type}";
            yield return $"{attr}{i:0000} {type}";
        }
    }

    /// <param name="keys">The table's key columns as the backend keeps them (Aria ignores foreign keys).</param>
    static async Task DraftAndCheck(DbProfile profile, string[] addProfile, string password, string schema, int width, string[] keys)
    {
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        using var amx = new AmxCli(user: "wide");
        amx.Env[DraftingWorld.PasswordVar] = password;
        amx.Env[DraftingWorld.KeyVar] = "sk-wide";
        DraftingWorld.Check(amx, addProfile);
        DraftingWorld.Check(amx, "add-llm-profile", "fake", "--provider", "openai", "--model", "fake-model", "--base-url", llm.BaseUrl, "--api-key-env", DraftingWorld.KeyVar);
        DraftingWorld.Check(amx, "add-llm-profile", "offline", "--provider", "offline");
        var configStore = new ConfigStore(amx.ConfigPath);
        var config = configStore.Load();
        config.LlmProfiles["fake"].MaxRequestChars = Budget;
        config.ActiveLlmProfile = "fake";
        configStore.Save(config);

        // The table as amx reads it, for the reference sizes and the offline comparison.
        var provider = WarehouseProviders.For(profile.Backend);
        Catalog catalog;
        await using (var conn = await provider.OpenAsync(profile))
            catalog = await provider.Metadata.ReadAsync(conn, Scope.Parse($"{schema}.survey"), new MetadataOptions());
        var table = catalog.Tables.Single();
        Assert.That(table.Columns, Has.Count.EqualTo(width));
        var system = DraftPrompt.SystemPrompt(2, new DrafterOptions().MaxDescriptionLength);
        var fullListing = system.Length + DraftPrompt.FullMessage(new DraftRequest { Table = table, Targets = [DraftTarget.ForTable(table)] }, 2).Length;

        var r = amx.Run("run", $"{schema}.survey", "--output", "json", "--concurrency", "8");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        Assert.That(DraftingWorld.Json(r).GetProperty("ok").GetInt32(), Is.EqualTo(width + 1));

        var requests = llm.Requests;
        var sizes = requests.Select(q => PromptChars(q)).ToList();
        var asked = requests.SelectMany(q => q.Targets()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sizes, Is.All.LessThanOrEqualTo(Budget), "every request within the llm profile's max_request_chars");
            Assert.That(sizes.Sum(), Is.LessThanOrEqualTo(3L * fullListing), $"total {sizes.Sum()} chars vs one full listing {fullListing}");
            Assert.That(asked, Has.Count.EqualTo(width + 1), "every target asked once");
            Assert.That(asked.Distinct().Count(), Is.EqualTo(width + 1));
            Assert.That(asked.Where(a => a.Kind == "column").Select(a => a.Name), Is.EquivalentTo(table.Columns.Select(c => c.Name)));
        });

        foreach (var q in requests)
        {
            var doc = JsonNode.Parse(q.UserTexts()[0])!;
            var listed = (doc["table"]!["other_columns"]?.AsArray().Select(e => e![0]!.GetValue<string>()) ?? [])
                .Concat(doc["targets"]!.AsArray().Select(t => t!["name"]!.GetValue<string>())).ToHashSet();
            Assert.That(listed, Is.SupersetOf(keys), "key columns in every batch's context");
            Assert.That(doc["table"]!["primary_key"]!.AsArray().Select(x => x!.GetValue<string>()), Is.EqualTo(new[] { "id" }));
            Assert.That(doc["table"]!["column_count"]!.GetValue<int>(), Is.EqualTo(width));
            Assert.That(doc["table"]!["columns_summary"]!["not_listed"]!.GetValue<int>(), Is.GreaterThan(width / 2), "the rest is summarised, not listed");
        }
        var addrBatches = requests.Where(q => q.Targets().Any(t => t.Name.StartsWith("addr_"))).ToList();
        Assert.That(addrBatches, Has.Count.EqualTo(1), "the addr_* group shares one batch");
        Assert.That(addrBatches[0].Targets().Count(t => t.Name.StartsWith("addr_")), Is.EqualTo(6));
        Assert.That(addrBatches[0].UserTexts()[0], Does.Contain("City of the respondent's address"), "the group's commented column is in its context");

        var store = await amx.OpenHistoryAsync();
        var meta = DraftingWorld.Meta(await DraftingWorld.RunRow(store, runId));
        Assert.Multiple(() =>
        {
            Assert.That(meta["request_count"].GetInt32(), Is.EqualTo(requests.Count));
            Assert.That(meta["request_budget_chars"].GetInt32(), Is.EqualTo(Budget));
            Assert.That(meta["request_chars_max"].GetInt32(), Is.EqualTo(sizes.Max()));
            Assert.That(meta["request_chars_total"].GetInt64(), Is.EqualTo(sizes.Sum()));
            Assert.That(meta["request_chars"].EnumerateArray().Select(e => e.GetInt32()), Is.EquivalentTo(sizes));
            Assert.That(meta["total_tokens"].GetInt64(), Is.EqualTo(140L * requests.Count), "usage as the endpoint reported it");
            Assert.That(meta["usage_reported"].GetBoolean(), Is.True);
        });
        var show = amx.Run("history", "show", runId);
        Assert.That(show.Stdout, Does.Contain($"requests {requests.Count}   largest {sizes.Max()} chars (budget {Budget})"));
        Assert.That(show.Stdout, Does.Contain($"tokens   {100 * requests.Count} in   {40 * requests.Count} out"));

        // Offline: every target drafted, exactly as the offline drafter describes the whole table in one go.
        var off = amx.Run("run", $"{schema}.survey", "--llm-profile", "offline", "--output", "json");
        Assert.That(off.ExitCode, Is.Zero, off.ToString());
        var offId = DraftingWorld.Json(off).GetProperty("run_id").GetString()!;
        var offline = new OfflineDrafter().Draft(new DraftRequest { Table = table, Targets = DraftRequest.ForTable(table, int.MaxValue).Single().Targets });
        var results = await store.GetResultsAsync(offId);
        Assert.That(results.ToDictionary(x => x.TargetQname, x => x.Description),
            Is.EquivalentTo(offline.Outcomes.ToDictionary(o => o.Target.Name.ToString(), o => o.Description)));
    }

    static int PromptChars(FakeRequest q) =>
        q.Json!["messages"]!.AsArray().Sum(m => m!["content"] is JsonValue v ? v.GetValue<string>().Length
            : m["content"]!.AsArray().Sum(p => p!["text"]?.GetValue<string>().Length ?? 0));
}
