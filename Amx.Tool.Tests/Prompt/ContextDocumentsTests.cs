using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amx.Data.Config;
using Amx.Data.Context;
using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Llm.Offline;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Drafting;
using Amx.Tool.Tests.Llm.Fakes;

namespace Amx.Tool.Tests.Prompt;

/// <summary>
/// Issue #16: context documents and house style through the real CLI (PostgreSQL warehouse <c>sales.customer</c>,
/// <c>sales.orders</c>; fake OpenAI server capturing the prompts), and the glossary in the offline drafter.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ContextDocumentsTests
{
    DraftingWorld world = null!;
    string docs = null!;

    [SetUp]
    public async Task Create()
    {
        world = await DraftingWorld.CreateAsync();
        docs = Directory.CreateTempSubdirectory("amx-ctx-").FullName;
        Directory.CreateDirectory(Path.Combine(docs, "models"));
        Directory.CreateDirectory(Path.Combine(docs, "notes"));
        // Both tables' paragraphs share plenty of words ("amount", "identifier", "the"), so a word-overlap ranking alone would mix them.
        File.WriteAllText(Path.Combine(docs, "notes", "crm.md"), """
            # CRM notes

            ## customer
            The customer table is fed nightly by the CRM export. Each customer has an identifier and a login
            address in c_email; names are as typed by the sales team.

            ## orders
            The orders table holds one row per order placed in the web shop. total_amt is the gross amount
            in EUR including VAT; the identifier of the buyer is cust_id.
            """.Replace("\r\n", "\n"));
        File.WriteAllText(Path.Combine(docs, "notes", "inventory.md"), """
            # Inventory
            Stock levels per warehouse are counted weekly; the identifier of each bin and its amount are audited.
            """);
        File.WriteAllText(Path.Combine(docs, "glossary.csv"), "term,definition\ntotal_amt,\"Order total, gross, in EUR\"\nc_first_name,Given name as typed at signup\n");
        File.WriteAllText(Path.Combine(docs, "models", "schema.yml"), """
            version: 2
            models:
              - name: customer
                description: One row per customer known to the CRM.
              - name: orders
                description: Web shop orders, one row per checkout.
            """);
        File.WriteAllText(Path.Combine(docs, "models", "views.sql"), "CREATE VIEW big_orders AS\nSELECT order_id, total_amt FROM sales.orders\nWHERE total_amt > 1000;\n");
        File.WriteAllText(Path.Combine(docs, "ignored.bin"), "not a document");
    }

    [TearDown]
    public async Task Dispose()
    {
        await world.DisposeAsync();
        Directory.Delete(docs, recursive: true);
    }

    [Test]
    public async Task Each_table_gets_its_own_chunks_with_sources_and_the_run_records_the_documents_and_style()
    {
        var amx = world.Cli();
        var store = new ConfigStore(amx.ConfigPath);
        var config = store.Load();
        config.LlmProfiles["fake"].Instructions = "British English; mention units; at most 200 characters.";
        config.ActiveLlmProfile = "fake";
        config.ActiveDbProfile = "wh";
        store.Save(config);

        var r = amx.Run("run", "sales", "--context", docs, "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;

        var byTable = world.Llm.Requests.ToDictionary(q => JsonNode.Parse(q.UserTexts()[0])!["table"]!["name"]!.GetValue<string>());
        string Docs(string table) => JsonNode.Parse(byTable[table].UserTexts()[0])!["documents"]?.ToJsonString() ?? "";
        var crm = Path.Combine(docs, "notes", "crm.md");
        var schemaYml = Path.Combine(docs, "models", "schema.yml");
        Assert.Multiple(() =>
        {
            Assert.That(Docs("sales.customer"), Does.Contain("login\\naddress in c_email").Or.Contain("login address"), "the customer paragraph");
            Assert.That(Docs("sales.customer"), Does.Contain($"{crm}:3"), "with its path:line");
            Assert.That(Docs("sales.customer"), Does.Contain("Given name as typed at signup"), "the glossary row of one of its columns");
            Assert.That(Docs("sales.customer"), Does.Contain("One row per customer known to the CRM."));
            Assert.That(Docs("sales.customer"), Does.Not.Contain("gross amount").And.Not.Contain("Order total").And.Not.Contain("big_orders")
                .And.Not.Contain("Web shop orders"), "nothing about orders");
            Assert.That(Docs("sales.orders"), Does.Contain("gross amount").And.Contain($"{crm}:7"));
            Assert.That(Docs("sales.orders"), Does.Contain("Order total, gross, in EUR").And.Contain("big_orders").And.Contain("Web shop orders"));
            Assert.That(Docs("sales.orders"), Does.Not.Contain("login").And.Not.Contain("Given name"), "nothing about customer");
            Assert.That(Docs("sales.customer") + Docs("sales.orders"), Does.Not.Contain("Stock levels"), "an unrelated document reaches no prompt");
            foreach (var q in byTable.Values)
            {
                var system = q.Json!["messages"]![0]!["content"]!.ToJsonString();
                Assert.That(system, Does.Contain("British English; mention units; at most 200 characters."), "house style with every batch");
                Assert.That(q.UserTexts()[0], Does.Not.Contain("British English"), "the style is not data");
            }
        });

        var history = await amx.OpenHistoryAsync();
        var meta = DraftingWorld.Meta(await DraftingWorld.RunRow(history, runId));
        var recorded = meta["context_documents"].EnumerateArray().ToDictionary(d => d.GetProperty("path").GetString()!, d => d.GetProperty("sha256").GetString()!);
        Assert.Multiple(() =>
        {
            Assert.That(recorded.Keys, Is.EquivalentTo(new[] { crm, Path.Combine(docs, "notes", "inventory.md"), Path.Combine(docs, "glossary.csv"), schemaYml, Path.Combine(docs, "models", "views.sql") }));
            Assert.That(recorded[crm], Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(crm)))));
            Assert.That(meta["instructions_sha256"].GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData("British English; mention units; at most 200 characters."u8.ToArray()))));
        });
        var show = amx.Run("history", "show", runId);
        Assert.That(show.Stdout, Does.Contain("grounded 5 context document(s):").And.Contain($"{crm}  sha256 {recorded[crm]}"));
        Assert.That(show.Stdout, Does.Contain("house style instructions sha256 " + meta["instructions_sha256"].GetString()));

        var bad = amx.Run("run", "sales", "--context", Path.Combine(docs, "missing.md"));
        Assert.Multiple(() =>
        {
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
            Assert.That(bad.Stderr, Does.StartWith("error: context path"));
            Assert.That(bad.Stderr, Does.Contain("hint: "));
        });
    }

    [Test]
    public void The_offline_drafter_takes_a_columns_meaning_from_the_glossary()
    {
        var table = new TableMeta { Name = new QualifiedName("crm", "accounts"), Kind = TargetKinds.Table };
        table.Columns.Add(new ColumnMeta { Name = "cust_seg", Ordinal = 1, DataType = "char(1)", IsNullable = true });
        table.Columns.Add(new ColumnMeta { Name = "cust_region", Ordinal = 2, DataType = "text", IsNullable = true });
        var file = Path.Combine(docs, "glossary.csv");
        File.WriteAllText(file, "cust_seg,Customer segment (A/B/C) assigned by the CRM\n");
        var library = ContextLibrary.Load([file]);
        var request = DraftRequest.ForTable(table, 10).Single();

        var with = new OfflineDrafter(new DrafterOptions { Glossary = library.Glossary }).Draft(request).Outcomes.ToDictionary(o => o.Target.Name.ToString());
        var without = new OfflineDrafter().Draft(request).Outcomes.ToDictionary(o => o.Target.Name.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(with["crm.accounts.cust_seg"].Description, Is.EqualTo("Customer segment (A/B/C) assigned by the CRM"));
            Assert.That(with["crm.accounts.cust_seg"].Confidence, Is.EqualTo(Confidences.High));
            Assert.That(without["crm.accounts.cust_seg"].Description, Does.Not.Contain("Customer segment (A/B/C)"));
            Assert.That(with["crm.accounts.cust_region"].Description, Is.EqualTo(without["crm.accounts.cust_region"].Description), "other columns unchanged");
        });
    }
}
