using System.Text.Json;
using Amx.Tool.Tests.Drafting;
using YamlDotNet.RepresentationModel;

namespace Amx.Tool.Tests.Export;

/// <summary>
/// Issue #16: <c>amx export RUN --format dbt --project DIR</c> through the real CLI on a real PostgreSQL run (fake
/// LLM), into a dbt project written here: models with and without YAML, a source with an identifier, comments, odd
/// quoting, anchors and a merge key, flow style, a CRLF file. Every file's text after the export is asserted exactly.
/// Also <c>target/manifest.json</c> matching and <c>--missing-only</c> with the project as <c>--context</c>.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class DbtExportTests
{
    const string LastName = "Family name\nas typed: \"O'Brien\" # not a comment";
    const string OrderId = "Order number: unique per shop.\nSee \"orders\" #docs";

    const string MartsBefore = """
        version: 2

        # Marts: hand-written docs live here.
        x-common: &tested
          tests:
            - not_null

        models:
          - name: shipments
            description:   # to do
          - name: customer   # the customer dimension
            description: 'Everyone who ever bought something; it''s curated by the CRM.'
            config: {materialized: table, tags: ["pii"]}
            columns:
              - name: c_customer_id
                <<: *tested
                description: ""

              - name: c_email
                description: >-
                  Login e-mail,
                  verified.
              - {name: c_first_name, data_type: text}

        """;

    // What a person wrote stays; only description lines change and entries are added.
    const string MartsAfter = """
        version: 2

        # Marts: hand-written docs live here.
        x-common: &tested
          tests:
            - not_null

        models:
          - name: shipments
            description: Drafted description of shipments.   # to do
            columns:
              - name: ship_id
                description: Drafted description of ship_id.
          - name: customer   # the customer dimension
            description: 'Everyone who ever bought something; it''s curated by the CRM.'
            config: {materialized: table, tags: ["pii"]}
            columns:
              - name: c_customer_id
                <<: *tested
                description: "Drafted description of c_customer_id."

              - name: c_email
                description: >-
                  Login e-mail,
                  verified.
              - {name: c_first_name, description: Drafted description of c_first_name., data_type: text}
              - name: c_last_name
                description: |-
                  Family name
                  as typed: "O'Brien" # not a comment

        """;

    static readonly string SourcesBefore = """
        version: 2
        sources:
        - name: shop  # raw web shop
          schema: sales
          tables:
          - name: order_rows
            identifier: orders
            columns: [{name: order_id}, {name: cust_id, description: Customer key}]

        """.Replace("\n", "\r\n");

    static readonly string SourcesAfter = """
        version: 2
        sources:
        - name: shop  # raw web shop
          schema: sales
          tables:
          - name: order_rows
            description: Drafted description of orders.
            identifier: orders
            columns: [{name: order_id, description: "Order number: unique per shop.\nSee \"orders\" #docs"}, {name: cust_id, description: Customer key}, {name: total_amt, description: Drafted description of total_amt.}]

        """.Replace("\n", "\r\n");

    const string FinanceNew = """
        version: 2

        models:
          - name: payments
            description: Drafted description of payments.
            columns:
              - name: amount
                description: "yes"
              - name: payment_id
                description: Drafted description of payment_id.

        """;

    DraftingWorld world = null!;
    string project = null!;

    [SetUp]
    public async Task Create()
    {
        world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("""
            CREATE TABLE sales.payments (payment_id int, amount numeric);
            CREATE TABLE sales.refunds (refund_id int);
            CREATE TABLE sales.shipments (ship_id int);
            """, world.WarehouseDb);
        project = Directory.CreateTempSubdirectory("amx-dbt-").FullName;
        Write("dbt_project.yml", "name: shop\nversion: '1.0'\nmodel-paths: [\"models\"]\n");
        Write("models/marts/schema.yml", MartsBefore);
        Write("models/marts/customer.sql", "select 1 as c_customer_id\n");
        Write("models/staging/sources.yml", SourcesBefore);
        Write("models/finance/payments.sql", "select 1 as payment_id, 2.0 as amount\n");
    }

    [TearDown]
    public async Task Dispose()
    {
        await world.DisposeAsync();
        Directory.Delete(project, recursive: true);
    }

    void Write(string relative, string text)
    {
        var path = Path.Combine(project, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    string Read(string relative) => File.ReadAllText(Path.Combine(project, relative));

    /// <summary>A run of the whole sales schema, four texts edited by a reviewer, the rest accepted.</summary>
    string ReviewedRun(AmxCli amx)
    {
        var r = DraftingWorld.Check(amx, "run", "sales", "--output", "json");
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        DraftingWorld.Check(amx, "review", runId, "--set", $"sales.customer.c_last_name={LastName}", "--set", $"sales.orders.order_id={OrderId}",
            "--set", "sales.payments.amount=yes", "--set", "sales.customer=Customer dimension, drafted");
        DraftingWorld.Check(amx, "review", runId, "--accept", "all");
        return runId;
    }

    static Dictionary<string, (string Action, string? File)> Changes(AmxCli.Result r) =>
        JsonDocument.Parse(r.Stdout).RootElement.GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("target").GetString()!, c => (c.GetProperty("action").GetString()!, c.GetProperty("file").GetString()));

    [Test]
    public void Export_edits_only_description_lines_and_adds_entries_keeping_what_people_wrote()
    {
        var amx = world.Cli();
        var runId = ReviewedRun(amx);

        var dry = DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", project, "--dry-run", "--output", "json");
        Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(MartsBefore), "a dry run writes nothing");
        Assert.That(File.Exists(Path.Combine(project, "models/finance/schema.yml")), Is.False);
        Assert.That(JsonDocument.Parse(dry.Stdout).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()),
            Is.EqualTo(new[] { "models/finance/schema.yml", "models/marts/schema.yml", "models/staging/sources.yml" }));

        var r = DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", project, "--output", "json");
        Assert.That(Changes(r), Is.EqualTo(Changes(dry)), "the dry run showed exactly what was then done");
        Assert.Multiple(() =>
        {
            Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(MartsAfter));
            Assert.That(Read("models/staging/sources.yml"), Is.EqualTo(SourcesAfter), "CRLF kept, zero-indented lists and flow style kept");
            Assert.That(Read("models/finance/schema.yml"), Is.EqualTo(FinanceNew), "a model with no YAML gets an entry beside its .sql");
        });

        var changes = Changes(r);
        Assert.Multiple(() =>
        {
            Assert.That(changes["sales.customer"], Is.EqualTo(("kept", (string?)"models/marts/schema.yml")), "a person's description is kept");
            Assert.That(changes["sales.customer.c_email"].Action, Is.EqualTo("kept"));
            Assert.That(changes["sales.orders.cust_id"].Action, Is.EqualTo("kept"));
            Assert.That(changes["sales.customer.c_customer_id"].Action, Is.EqualTo("set"), "a blank description is no person's text");
            Assert.That(changes["sales.customer.c_last_name"].Action, Is.EqualTo("added"));
            Assert.That(changes["sales.orders"], Is.EqualTo(("set", (string?)"models/staging/sources.yml")), "source matched by schema and identifier");
            Assert.That(changes["sales.payments.amount"], Is.EqualTo(("added", (string?)"models/finance/schema.yml")));
            Assert.That(changes["sales.refunds"], Is.EqualTo(("unmatched", (string?)null)), "targets with no model are listed");
            Assert.That(changes["sales.refunds.refund_id"].Action, Is.EqualTo("unmatched"));
            Assert.That(changes, Has.Count.EqualTo(16), "every accepted target is reported");
        });

        // The YAML reads back as the very texts, special characters and line breaks included.
        var marts = Load("models/marts/schema.yml");
        var customer = ((YamlSequenceNode)marts["models"]).Children.Cast<YamlMappingNode>().Single(m => m["name"].ToString() == "customer");
        var lastName = ((YamlSequenceNode)customer["columns"]).Children.Cast<YamlMappingNode>().Single(m => m["name"].ToString() == "c_last_name");
        Assert.That(((YamlScalarNode)lastName["description"]).Value, Is.EqualTo(LastName));
        var table = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)Load("models/staging/sources.yml")["sources"]).Children[0])["tables"]).Children[0];
        var orderId = ((YamlSequenceNode)table["columns"]).Children.Cast<YamlMappingNode>().Single(m => m["name"].ToString() == "order_id");
        Assert.That(((YamlScalarNode)orderId["description"]).Value, Is.EqualTo(OrderId));
        var amount = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)Load("models/finance/schema.yml")["models"]).Children[0])["columns"]).Children[0];
        Assert.That(((YamlScalarNode)amount["description"]).Value, Is.EqualTo("yes"), "quoted, so no YAML reader takes it for a boolean");

        // Again: nothing left to do, not a byte moves.
        var again = Changes(DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", project, "--output", "json"));
        Assert.That(again.Values.Select(c => c.Action).Distinct().Order(), Is.EqualTo(new[] { "kept", "unchanged", "unmatched" }));
        Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(MartsAfter));
        Assert.That(Read("models/staging/sources.yml"), Is.EqualTo(SourcesAfter));

        var table2 = DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", project);
        Assert.That(table2.Stdout, Does.Contain("sales.refunds").And.Contain("unmatched").And.Contain("--overwrite-dbt-descriptions"));
    }

    [Test]
    public void Overwrite_flag_replaces_what_people_wrote_and_only_that()
    {
        var amx = world.Cli();
        var runId = ReviewedRun(amx);
        var r = DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", project, "--overwrite-dbt-descriptions", "--output", "json");
        var changes = Changes(r);
        Assert.That(new[] { "sales.customer", "sales.customer.c_email", "sales.orders.cust_id" }.Select(t => changes[t].Action), Is.All.EqualTo("overwritten"));
        var expected = MartsAfter
            .Replace("description: 'Everyone who ever bought something; it''s curated by the CRM.'", "description: 'Customer dimension, drafted'")
            .Replace("description: >-\n          Login e-mail,\n          verified.", "description: Drafted description of c_email.");
        Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(expected), "the quoting style of the replaced value is kept where it can be");
        Assert.That(Read("models/staging/sources.yml"), Is.EqualTo(SourcesAfter.Replace("description: Customer key", "description: Drafted description of cust_id.")));
    }

    [Test]
    public void Manifest_decides_the_match_when_present()
    {
        var amx = world.Cli();
        var runId = ReviewedRun(amx);
        var p = Directory.CreateTempSubdirectory("amx-dbt-manifest-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(p, "dbt_project.yml"), "name: wh\n");
            Directory.CreateDirectory(Path.Combine(p, "models"));
            Directory.CreateDirectory(Path.Combine(p, "target"));
            const string schema = "version: 2\nmodels:\n- name: dim_customer\n  columns:\n  - name: c_email\n";
            File.WriteAllText(Path.Combine(p, "models", "schema.yml"), schema);
            File.WriteAllText(Path.Combine(p, "models", "dim_customer.sql"), "select 1\n");
            File.WriteAllText(Path.Combine(p, "models", "fct_orders.sql"), "select 1\n");
            File.WriteAllText(Path.Combine(p, "models", "customer.sql"), "select 1\n"); // a legacy model of the same name, elsewhere
            File.WriteAllText(Path.Combine(p, "target", "manifest.json"), """
                {"nodes": {
                  "model.wh.dim_customer": {"resource_type": "model", "name": "dim_customer", "alias": "customer", "schema": "sales",
                                            "original_file_path": "models/dim_customer.sql", "patch_path": "wh://models/schema.yml"},
                  "model.wh.fct_orders": {"resource_type": "model", "name": "fct_orders", "alias": "orders", "schema": "sales",
                                          "original_file_path": "models/fct_orders.sql"},
                  "model.wh.customer": {"resource_type": "model", "name": "customer", "schema": "legacy", "original_file_path": "models/customer.sql"},
                  "test.wh.x": {"resource_type": "test", "name": "customer", "schema": "sales"}},
                 "sources": {}}
                """);
            var changes = Changes(DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", p, "--output", "json"));
            Assert.That(changes["sales.customer.c_email"].Action, Is.EqualTo("set"));
            Assert.That(changes["sales.orders.total_amt"], Is.EqualTo(("added", (string?)"models/schema.yml")));
            Assert.That(changes["sales.payments"].Action, Is.EqualTo("unmatched"), "with a manifest, a name alone does not match");
            Assert.That(File.ReadAllText(Path.Combine(p, "models", "schema.yml")), Is.EqualTo("""
                version: 2
                models:
                - name: dim_customer
                  description: Customer dimension, drafted
                  columns:
                  - name: c_email
                    description: Drafted description of c_email.
                  - name: c_customer_id
                    description: Drafted description of c_customer_id.
                  - name: c_first_name
                    description: Drafted description of c_first_name.
                  - name: c_last_name
                    description: |-
                      Family name
                      as typed: "O'Brien" # not a comment
                - name: fct_orders
                  description: Drafted description of orders.
                  columns:
                  - name: cust_id
                    description: Drafted description of cust_id.
                  - name: order_id
                    description: |-
                      Order number: unique per shop.
                      See "orders" #docs
                  - name: total_amt
                    description: Drafted description of total_amt.

                """));

            // Without the manifest, names decide: the legacy model 'customer' matches sales.customer, fct_orders matches nothing.
            File.Delete(Path.Combine(p, "target", "manifest.json"));
            var byName = Changes(DraftingWorld.Check(amx, "export", runId, "--format", "dbt", "--project", p, "--dry-run", "--output", "json"));
            Assert.That(byName["sales.customer"], Is.EqualTo(("added", (string?)"models/schema.yml")));
            Assert.That(byName["sales.orders"].Action, Is.EqualTo("unmatched"));
        }
        finally { Directory.Delete(p, recursive: true); }
    }

    [Test]
    public void Missing_only_skips_what_the_dbt_project_given_as_context_describes()
    {
        var amx = world.Cli();
        // The project describes customer and orders.cust_id; c_email has a live comment; c_customer_id's description is blank.
        var r = DraftingWorld.Check(amx, "run", "sales", "--context", project, "--missing-only", "--output", "json");
        Assert.That(r.Stderr, Does.Contain("--missing-only: skipping 2 targets described in the dbt project given as --context."), r.ToString());
        var asked = world.Llm.Requests.SelectMany(DraftingWorld.QnamesOf).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(asked, Does.Not.Contain("sales.customer").And.Not.Contain("sales.customer.c_email").And.Not.Contain("sales.orders.cust_id"));
            Assert.That(asked, Does.Contain("sales.customer.c_customer_id").And.Contain("sales.customer.c_last_name").And.Contain("sales.shipments"));
            Assert.That(DraftingWorld.Json(r).GetProperty("skipped_existing").GetInt32(), Is.EqualTo(3));
        });

        // The same context without --missing-only drafts everything.
        var all = DraftingWorld.Check(amx, "run", "sales", "--context", project, "--output", "json");
        Assert.That(all.Stderr, Does.Not.Contain("described in the dbt project"));
        Assert.That(DraftingWorld.Json(all).GetProperty("skipped_existing").GetInt32(), Is.Zero);

        // A YAML file that does not parse: only --missing-only needs the project's descriptions, and then refuses to guess.
        Write("models/broken/bad.yml", "models:\n  - name: x\n   description: [unclosed\n");
        var strict = amx.Run("run", "sales", "--context", project, "--missing-only");
        Assert.That(strict.ExitCode, Is.EqualTo(2), strict.ToString());
        Assert.That(strict.Stderr, Does.Contain("error: ").And.Contain("bad.yml:"), "one clear error line naming the file");
        DraftingWorld.Check(amx, "run", "sales", "--context", project, "--output", "json");
    }

    [Test]
    public void Bad_input_is_refused_and_nothing_is_written()
    {
        var amx = world.Cli();
        var runId = ReviewedRun(amx);
        Write("models/broken/bad.yml", "models:\n  - name: x\n   description: [unclosed\n");
        var broken = amx.Run("export", runId, "--format", "dbt", "--project", project);
        Assert.That(broken.ExitCode, Is.EqualTo(2), broken.ToString());
        Assert.That(broken.Stderr, Does.StartWith("error: ").And.Contain("bad.yml:"));
        Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(MartsBefore), "nothing written while a file does not parse");
        File.Delete(Path.Combine(project, "models/broken/bad.yml"));

        foreach (var args in new[]
                 {
                     new[] { "export", runId, "--format", "dbt" }, ["export", runId, "--format", "dbt", "--project", Path.Combine(project, "models")],
                     ["export", runId, "--format", "dbt", "--project", Path.Combine(project, "nope")], ["export", runId, "--format", "sql", "--dry-run"],
                     ["export", runId, "--format", "csv", "--project", project], ["export", runId, "--format", "dbt", "--project", project, "--file", "x.yml"],
                 })
        {
            var bad = amx.Run(args);
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
            Assert.That(bad.Stderr, Does.StartWith("error: "), bad.ToString());
        }
        Assert.That(Read("models/marts/schema.yml"), Is.EqualTo(MartsBefore));
    }

    YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(relative)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
