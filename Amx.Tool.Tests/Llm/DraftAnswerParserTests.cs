using Amx.Data.Llm;
using Amx.Data.Llm.Chat;

namespace Amx.Tool.Tests.Llm;

[Category("Quick")]
public class DraftAnswerParserTests
{
    static readonly Amx.Data.Warehouse.Model.TableMeta Table = SampleTables.Orders();
    static readonly DraftTarget TableTarget = DraftTarget.ForTable(Table);
    static readonly DraftTarget Qty = DraftTarget.ForColumn(Table, Table.Columns.Single(c => c.Name == "orderQty"));

    static ParsedAnswer Parse(string text, int maxLength = 1024) => DraftAnswerParser.Parse(text, [TableTarget, Qty], 2, maxLength);

    [Test]
    public void Accepts_fenced_json_and_loose_name_case_and_cleans_text()
    {
        var p = Parse("""
            Here you go:
            ```json
            {"drafts":[{"kind":"TABLE","name":"orders","description":"  Customer\norders.\u0007 ","alternatives":["Customer orders.","Orders\tplaced"],"confidence":"High"},
                       {"kind":"column","name":"orderqty","description":"Units ordered.","alternatives":[],"confidence":"low"}]}
            ```
            """);
        Assert.That(p.Problems, Is.Empty);
        Assert.That(p.Drafts[TableTarget].Description, Is.EqualTo("Customer orders."));
        Assert.That(p.Drafts[TableTarget].Alternatives, Is.EqualTo(new[] { "Orders placed" }), "duplicate of the description dropped, tab became a space");
        Assert.That(p.Drafts[TableTarget].Confidence, Is.EqualTo("high"));
        Assert.That(p.Drafts[Qty].Confidence, Is.EqualTo("low"));
    }

    [Test]
    public void Flags_bad_confidence_overlong_text_and_missing_targets()
    {
        var p = Parse("""{"drafts":[{"kind":"table","name":"orders","description":"Orders.","alternatives":[],"confidence":"very sure"}]}""");
        Assert.That(p.Problems[TableTarget], Does.Contain("not high, medium or low"));
        Assert.That(p.Problems[Qty], Is.EqualTo("missing from the answer"));

        var longText = new string('x', 50);
        var q = Parse($$"""{"drafts":[{"kind":"table","name":"orders","description":"{{longText}}","alternatives":[],"confidence":"high"}]}""", maxLength: 40);
        Assert.That(q.Problems[TableTarget], Is.EqualTo("description longer than 40 characters"));
    }

    [Test]
    public void Ignores_targets_nobody_asked_for()
    {
        var p = Parse("""
            [{"kind":"column","name":"DROP TABLE orders","description":"x","alternatives":[],"confidence":"high"},
             {"kind":"column","name":"orderQty","description":"Units ordered.","alternatives":[],"confidence":"medium"}]
            """);
        Assert.That(p.Drafts.Keys, Is.EqualTo(new[] { Qty }));
        Assert.That(p.Problems.Keys, Is.EqualTo(new[] { TableTarget }));
    }
}
