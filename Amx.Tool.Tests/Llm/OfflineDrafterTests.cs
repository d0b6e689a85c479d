using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Llm.Chat;
using Amx.Data.Llm.Offline;

namespace Amx.Tool.Tests.Llm;

[Category("Quick")]
public class OfflineDrafterTests
{
    static Dictionary<string, DraftOutcome> Draft(Amx.Data.Warehouse.Model.TableMeta table, int maxAlternatives = 2)
    {
        using var drafter = DrafterFactory.Create(new Amx.Data.Config.LlmProfile { Name = "off", Provider = "offline" });
        var result = drafter.DraftAsync(SampleTables.All(table, maxAlternatives), CancellationToken.None).GetAwaiter().GetResult();
        Assert.That(result.Outcomes.All(o => o.Succeeded), Is.True);
        return result.Outcomes.ToDictionary(o => o.Target.Name.Column ?? "(table)");
    }

    [Test]
    public void Column_names_become_sentences_with_the_table_as_subject()
    {
        var d = Draft(SampleTables.Customer());
        Assert.Multiple(() =>
        {
            Assert.That(d["c_first_name"].Description, Is.EqualTo("First name of the customer."));
            Assert.That(d["c_last_name"].Description, Is.EqualTo("Last name of the customer."));
            // Only the names restated: low, so --accept high never writes it unattended (docs/drafting-quality.md).
            Assert.That(d["c_first_name"].Confidence, Is.EqualTo(Confidences.Low));
            Assert.That(d["created_at"].Confidence, Is.EqualTo(Confidences.High), "the type is evidence");
        });
    }

    [Test]
    public void Keys_are_named_with_what_they_reference()
    {
        var d = Draft(SampleTables.Customer());
        Assert.Multiple(() =>
        {
            Assert.That(d["c_customer_sk"].Description, Is.EqualTo("Surrogate key of the customer (primary key)."));
            Assert.That(d["c_current_addr_sk"].Description,
                Is.EqualTo("Current address of the customer. Foreign key to tpcds.customer_address (ca_address_sk); optional."));
            Assert.That(d["c_customer_id"].Description, Is.EqualTo("Identifier of the customer. Unique for each customer."));
        });
    }

    [Test]
    public void Types_shape_the_sentence()
    {
        var d = Draft(SampleTables.Customer());
        var o = Draft(SampleTables.Orders());
        Assert.Multiple(() =>
        {
            Assert.That(d["created_at"].Description, Is.EqualTo("Date and time when the customer was created."));
            Assert.That(d["is_active"].Description, Is.EqualTo("Whether the customer is active."));
            Assert.That(o["last_updated_at"].Description, Is.EqualTo("Date and time when the order was last updated."));
            Assert.That(o["ship_dt"].Description, Is.EqualTo("Date when the order was shipped."));
            Assert.That(o["orderQty"].Description, Is.EqualTo("Quantity of the order."));
            Assert.That(o["num_items"].Description, Is.EqualTo("Number of items of the order."));
            Assert.That(o["customer_id"].Description, Is.EqualTo("Customer of the order. Foreign key to sales.customer (id)."));
            Assert.That(o["order_id"].Description, Is.EqualTo("Unique identifier of the order (primary key)."));
        });
    }

    [Test]
    public void Profile_statistics_add_enumerations_ranges_and_emptiness()
    {
        var d = Draft(SampleTables.Customer());
        Assert.Multiple(() =>
        {
            Assert.That(d["c_preferred_cust_flag"].Description, Is.EqualTo("Whether the customer is preferred customer. One of: Y, N."));
            Assert.That(d["c_email_address"].Description, Is.EqualTo("Email address of the customer. Often empty (60% of profiled rows)."));
            Assert.That(d["c_birth_year"].Description, Is.EqualTo("Birth year of the customer. Observed range: 1924 to 1992."));
        });
    }

    [Test]
    public void Cryptic_names_get_low_confidence()
    {
        var d = Draft(SampleTables.Customer());
        Assert.That(d["xq_zz"].Confidence, Is.EqualTo(Confidences.Low));
        Assert.That(d["xq_zz"].Description, Does.EndWith("of the customer."));
    }

    [Test]
    public void Tables_are_described_by_grain_links_and_attributes()
    {
        var c = Draft(SampleTables.Customer());
        var s = Draft(SampleTables.StoreSales());
        Assert.Multiple(() =>
        {
            Assert.That(c["(table)"].Description, Does.StartWith("Table of customers, one row per customer. Links to tpcds.customer_address. Attributes include customer ID, first name, last name, preferred customer flag, email address and 4 more."));
            Assert.That(s["(table)"].Description, Does.StartWith("Table of store sales, one row per item and ticket number. Links to tpcds.date_dim and tpcds.item."));
            Assert.That(s["ss_sold_date_sk"].Description, Is.EqualTo("Sold date of the store sales. Foreign key to tpcds.date_dim (d_date_sk)."));
            Assert.That(s["ss_ext_discount_amt"].Description, Is.EqualTo("Extended discount amount of the store sales."));
            Assert.That(c["(table)"].Target.Kind, Is.EqualTo(TargetKinds.Table));
        });
    }

    [Test]
    public void Alternatives_respect_the_maximum_and_differ_from_the_description()
    {
        var none = Draft(SampleTables.Customer(), maxAlternatives: 0);
        var two = Draft(SampleTables.Customer(), maxAlternatives: 2);
        Assert.That(none.Values.All(o => o.Alternatives.Count == 0), Is.True);
        Assert.That(two.Values.All(o => o.Alternatives.Count is > 0 and <= 2), Is.True);
        Assert.That(two.Values.All(o => !o.Alternatives.Contains(o.Description!)), Is.True);
    }

    [Test]
    public async Task Drafting_is_deterministic()
    {
        string Render(DraftBatchResult r) => string.Join("\n", r.Outcomes.Select(o =>
            $"{o.Target.Name}|{o.Target.Kind}|{o.Confidence}|{o.Description}|{string.Join("/", o.Alternatives)}"));
        var a = await new OfflineDrafter().DraftAsync(SampleTables.All(SampleTables.Customer()), CancellationToken.None);
        var b = await new OfflineDrafter().DraftAsync(SampleTables.All(SampleTables.Customer()), CancellationToken.None);
        Assert.That(Render(a), Is.EqualTo(Render(b)));
        Assert.That(a.Outcomes, Has.Count.EqualTo(SampleTables.Customer().Columns.Count + 1));
    }

    [Test]
    public async Task Unknown_columns_fail_only_themselves()
    {
        var table = SampleTables.Orders();
        var request = new DraftRequest
        {
            Table = table,
            Targets = [DraftTarget.ForColumn(table, table.Columns[0]), new DraftTarget(table.Name with { Column = "nope" }, TargetKinds.Column)],
        };
        var r = await new OfflineDrafter().DraftAsync(request, CancellationToken.None);
        Assert.That(r.Outcomes[0].Succeeded, Is.True);
        Assert.That(r.Outcomes[1].Error, Does.Contain("no column nope"));
    }

    [Test]
    public void Names_split_on_snake_camel_and_digits()
    {
        Assert.That(NameWords.Split("c_first_name"), Is.EqualTo(new[] { "c", "first", "name" }));
        Assert.That(NameWords.Split("orderQty"), Is.EqualTo(new[] { "order", "qty" }));
        Assert.That(NameWords.Split("HTTPServerURL2"), Is.EqualTo(new[] { "http", "server", "url", "2" }));
        Assert.That(NameWords.Split("__a--b__"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(NameWords.Split("2ndLine"), Is.EqualTo(new[] { "2", "nd", "line" }));
        Assert.That(NameWords.Split("ÄpfelBaumÖl"), Is.EqualTo(new[] { "äpfel", "baum", "öl" }));
        Assert.That(NameWords.Split("modifieddate"), Is.EqualTo(new[] { "modified", "date" }));
        Assert.That(NameWords.Split("x"), Is.EqualTo(new[] { "x" }));
        Assert.That(NameWords.Split("_-_"), Is.Empty);
        Assert.That(NameWords.Split(""), Is.Empty);
    }

    [TestCase("Plain text.", "Plain text.")]
    [TestCase(" leading", "leading")]
    [TestCase("trailing ", "trailing")]
    [TestCase("two  spaces", "two spaces")]
    [TestCase("tab\there\r\nand newline", "tab here and newline")]
    [TestCase("no\u00A0break", "no break")]
    [TestCase("zero\u200Bwidth", "zerowidth")]
    [TestCase("bell\u0007 and del\u007F", "bell and del")]
    [TestCase("ünïcødé 😀 ok", "ünïcødé 😀 ok")]
    [TestCase(" \t\n ", "")]
    public void Description_text_is_cleaned_and_clean_text_is_kept_as_is(string text, string expected)
    {
        var cleaned = DescriptionText.Clean(text);
        Assert.That(cleaned, Is.EqualTo(expected));
        // Text that needs nothing comes back as the same string (no copy per draft of a million-column run).
        if (text == expected) Assert.That(ReferenceEquals(cleaned, text), Is.True);
    }

    [Test]
    public void Cap_upper_cases_the_first_letter_only()
    {
        Assert.That(ColumnDescriber.Cap("élan vital"), Is.EqualTo("Élan vital"));
        Assert.That(ColumnDescriber.Cap("x"), Is.EqualTo("X"));
        Assert.That(ColumnDescriber.Cap(""), Is.EqualTo(""));
        const string already = "Already capitalised";
        Assert.That(ReferenceEquals(ColumnDescriber.Cap(already), already), Is.True);
    }
}

[Category("Quick")]
public class DrafterFactoryTests
{
    [Test]
    public void Ollama_needs_no_key_and_defaults_to_the_local_endpoint()
    {
        using var drafter = DrafterFactory.Create(new Amx.Data.Config.LlmProfile { Name = "local", Provider = "ollama" });
        Assert.That(drafter.Provider, Is.EqualTo("ollama"));
        Assert.That(drafter.Model, Is.EqualTo(Amx.Data.Llm.Providers.OllamaProvider.DefaultModel));
        Assert.That(Amx.Data.Llm.Providers.OllamaProvider.DefaultBaseUrl, Is.EqualTo("http://localhost:11434/v1"));
    }

    [Test]
    public void Unknown_provider_and_bad_base_url_are_bad_input()
    {
        var e = Assert.Throws<Amx.Data.Errors.AmxException>(() => DrafterFactory.Create(new Amx.Data.Config.LlmProfile { Name = "x", Provider = "gemini" }));
        Assert.That(e!.Code, Is.EqualTo(Amx.Data.Errors.ExitCode.BadInput));
        var f = Assert.Throws<Amx.Data.Errors.AmxException>(() => DrafterFactory.Create(new Amx.Data.Config.LlmProfile { Name = "x", Provider = "ollama", BaseUrl = "localhost:11434" }));
        Assert.That(f!.Message, Does.Contain("base_url"));
    }
}
