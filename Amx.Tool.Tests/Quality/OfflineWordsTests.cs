using Amx.Data.Eval;
using Amx.Data.Llm;
using Amx.Data.Llm.Offline;
using Amx.Data.Warehouse;

namespace Amx.Tool.Tests.Quality;

/// <summary>Identifier splitting, abbreviation expansion, the lexical scores and the confidence rules (no database).</summary>
[TestFixture, Parallelizable(ParallelScope.All)]
public sealed class OfflineWordsTests
{
    // Folded lower-case names as PostgreSQL returns unquoted AdventureWorks/Pagila-style identifiers.
    static readonly (string Name, string Words)[] Folded =
    [
        ("stateprovinceid", "state province id"), ("addressline1", "address line 1"), ("addressline2", "address line 2"),
        ("modifieddate", "modified date"), ("businessentityid", "business entity id"), ("emailaddress", "email address"),
        ("phonenumber", "phone number"), ("postalcode", "postal code"), ("countryregioncode", "country region code"),
        ("customerid", "customer id"), ("orderdate", "order date"), ("duedate", "due date"), ("shipdate", "ship date"),
        ("salesorderid", "sales order id"), ("productid", "product id"), ("unitprice", "unit price"), ("lastupdate", "last update"),
        ("firstname", "first name"), ("lastname", "last name"), ("middlename", "middle name"), ("jobtitle", "job title"),
        ("birthdate", "birth date"), ("maritalstatus", "marital status"), ("hiredate", "hire date"), ("vacationhours", "vacationhours"),
        ("creditcardid", "credit card id"), ("currencycode", "currency code"), ("territoryid", "territory id"),
        ("salespersonid", "salesperson id"), ("standardcost", "standard cost"), ("listprice", "list price"),
        ("productnumber", "product number"), ("safetystocklevel", "safety stock level"), ("weightunitmeasurecode", "weight unit measure code"),
        ("rentalrate", "rental rate"), ("replacementcost", "replacement cost"), ("releaseyear", "release year"), ("languageid", "language id"),
        ("paymentdate", "payment date"), ("returndate", "return date"), ("inventoryid", "inventory id"), ("storeid", "store id"),
        ("staffid", "staff id"), ("addressid", "address id"), ("cityid", "city id"), ("countryid", "country id"), ("filmid", "film id"),
        ("categoryid", "category id"), ("customerkey", "customer key"), ("datekey", "date key"), ("orderqty", "order qty"),
        ("taxamt", "tax amt"), ("totaldue", "total due"), ("subtotal", "subtotal"), ("accountnumber", "account number"),
        ("rowguid", "rowguid"), ("name", "name"), ("rental", "rental"), ("address", "address"), ("film", "film"), ("fid", "fid"),
    ];

    static IEnumerable<TestCaseData> FoldedCases() => Folded.Select(f => new TestCaseData(f.Name, f.Words).SetName($"Splits_{f.Name}"));

    [TestCaseSource(nameof(FoldedCases))]
    public void Splits_folded_lower_case_names(string name, string words) =>
        Assert.That(string.Join(' ', NameWords.Split(name)), Is.EqualTo(words));

    // Every pair of these common heads and tails, concatenated without separator, must split back: 18 × 16 = 288 names.
    static readonly string[] Heads = ["customer", "order", "product", "invoice", "payment", "shipping", "account", "employee", "vendor",
        "store", "supplier", "warehouse", "billing", "contact", "promotion", "discount", "inventory", "transaction"];
    static readonly string[] Tails = ["id", "name", "date", "code", "status", "type", "amount", "number", "total", "description",
        "count", "key", "price", "address", "email", "phone"];

    [Test]
    public void Splits_every_head_tail_concatenation_back()
    {
        var wrong = new List<string>();
        foreach (var h in Heads)
            foreach (var t in Tails)
            {
                var got = string.Join(' ', NameWords.Split(h + t));
                if (got != $"{h} {t}") wrong.Add($"{h}{t} → {got}");
            }
        Assert.That(wrong, Is.Empty, $"{Heads.Length * Tails.Length} names");
    }

    [TestCase("order_qty", "order quantity")]
    [TestCase("net_amt", "net amount")]
    [TestCase("ship_dt", "ship date")]
    [TestCase("prod_desc", "product description")]
    [TestCase("cust_num", "customer number")]
    [TestCase("disc_pct", "discount percentage")]
    [TestCase("line_cnt", "line count")]
    [TestCase("bill_addr", "bill address")]
    [TestCase("updated_ts", "updated timestamp")]
    [TestCase("sales_ytd", "sales year to date")]
    [TestCase("emp_dept_cd", "employee department code")]
    [TestCase("lastupdate", "last update")]
    public void Expands_common_abbreviations(string name, string phrase) =>
        Assert.That(ColumnDescriber.Phrase(NameWords.Split(name)), Is.EqualTo(phrase));

    [Test]
    public void Token_f1_and_rouge_l_match_hand_computed_values()
    {
        // draft: [city, of, the, address] · human: [the, city, where, the, address, is] → overlap city, the, address = 3
        // P = 3/4, R = 3/6 → F1 = 0.6; LCS = city, the(2nd)… longest: city, address? "city the address" → 3 → same 0.6.
        Assert.That(TextScores.TokenF1("City of the address.", "The city where the address is."), Is.EqualTo(0.6).Within(1e-9));
        Assert.That(TextScores.RougeL("City of the address.", "The city where the address is."), Is.EqualTo(0.6).Within(1e-9));
        // Order matters for ROUGE-L, not for F1: [a b c] vs [c b a]: F1 1, LCS 1 → 1/3.
        Assert.That(TextScores.TokenF1("a b c", "c b a"), Is.EqualTo(1.0));
        Assert.That(TextScores.RougeL("a b c", "c b a"), Is.EqualTo(1.0 / 3).Within(1e-9));
        Assert.That(TextScores.TokenF1("", "x"), Is.EqualTo(0));
        Assert.That(TextScores.Tokenize("Last-modified: 2024, ÄRGER!"), Is.EqualTo(new[] { "last", "modified", "2024", "ärger" }));
    }

    [TestCase("Address of the address.", "public", "address", "address", true)]
    [TestCase("Notes of the customer list.", "public", "customer_list", "notes", true)]
    [TestCase("City of the customer list.", "public", "customer_list", "city", true)]
    [TestCase("Customer lists.", "public", "customer_list", null, true)]
    [TestCase("City name in the postal address, as printed on letters.", "public", "address", "city", false)]
    [TestCase("Notes of the customer list. Often empty (60% of profiled rows).", "public", "customer_list", "notes", false)]
    public void Restatements_of_names_are_recognised(string text, string schema, string table, string? column, bool restatement) =>
        Assert.That(ConfidenceRules.IsRestatement(text, new QualifiedName(schema, table, column)), Is.EqualTo(restatement));

    [Test]
    public void Restatement_is_low_and_an_unexpanded_abbreviation_is_never_high()
    {
        Assert.That(ConfidenceRules.Adjust("high", "Address of the address.", new QualifiedName("public", "address", "address")), Is.EqualTo("low"));
        Assert.That(ConfidenceRules.Adjust("high", "Film identifier used by the shop front.", new QualifiedName("public", "film_list", "fid")), Is.EqualTo("medium"));
        Assert.That(ConfidenceRules.Adjust("high", "Date and time when the payment was taken.", new QualifiedName("public", "payment", "payment_date")), Is.EqualTo("high"));
    }
}
