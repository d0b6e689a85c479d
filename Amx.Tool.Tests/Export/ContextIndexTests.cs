using System.Text;
using Amx.Data.Ask;
using Amx.Data.Context;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Tool.Tests.Export;

/// <summary>
/// The compact context index (issue #16 benchmark work) chooses exactly the chunks, in exactly the order, that the
/// index it replaced chose (<see cref="ReferenceContextIndex"/>, the old code kept verbatim), and the span tokenizer
/// gives exactly the old tokens. In process, no server.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ContextIndexTests
{
    [Test]
    public void Span_tokenizer_gives_the_old_tokens()
    {
        var texts = new List<string>
        {
            "", "e", "E e ee", "CustomerID custID cust_id CUST_ID", "categories addresses boxes glasses status bus emails s",
            "Ünïcödé naïve café ÇA Straße ΣΊΣΥΦΟΣ ß 東京 2024-01-01T10:00Z", "camelCaseHTTPServer getURLs XMLHttpRequest",
            "amt qty addr nm dt ts desc cd no num nbr pct emp dept id flg cnt ord prod mail tel", "😀 emoji 𝔘𝔫𝔦 mixed",
            new string('x', 300) + "ies " + new string('Y', 200) + "s", "sales.orders.total_amt, o.cust_id = c.c_customer_id; -- t0001_c01_amt",
        };
        var rng = new Random(11);
        const string alphabet = "aAbBzZ09_ .,-sS\u00e9\u00c9\u0130\u03a3\u00df\u0131\t\n$";
        for (var i = 0; i < 500; i++)
            texts.Add(new string(Enumerable.Range(0, rng.Next(1, 80)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray()));
        foreach (var text in texts)
            Assert.That(Tokenizer.Tokens(text), Is.EqualTo(ReferenceTokenizer.Tokens(text)), text);
    }

    [Test]
    public void Compact_index_selects_exactly_what_the_old_index_selected()
    {
        var (library, tables) = Corpus(seed: 5, tables: 120);
        var index = new ContextIndex(library, tables);
        var reference = new ReferenceContextIndex(library, tables);
        var checkedChunks = 0;
        // Also a table the index was not built for (its names are looked up by a scan).
        var stranger = Table("stranger_table", ["customer_id", "stranger_note", "order_total"], "A table outside the run");
        foreach (var t in tables.Append(stranger))
            foreach (var budget in new[] { 0, 300, ContextIndex.DefaultBudget, 1_000_000 })
            {
                var expected = reference.Select(t, budget);
                var actual = index.Select(t, budget);
                Assert.That(actual.Select(c => c.Source + "|" + c.Text), Is.EqualTo(expected.Select(c => c.Source + "|" + c.Text)),
                    $"table {t.Name}, budget {budget}");
                checkedChunks += expected.Count;
            }
        Assert.That(checkedChunks, Is.GreaterThan(2000), "the corpus gives the tables real choices to make");
        Assert.That(index.Select(stranger, 1_000_000), Is.Not.Empty, "the stranger's column names are found by the scan");
    }

    static TableMeta Table(string name, string[] columns, string? comment)
    {
        var t = new TableMeta { Name = new QualifiedName("shop", name), Kind = TargetKinds.Table, Comment = comment };
        for (var i = 0; i < columns.Length; i++)
            t.Columns.Add(new ColumnMeta { Name = columns[i], Ordinal = i + 1, DataType = "text", IsNullable = true, Comment = i % 3 == 0 ? $"The {columns[i]} as entered" : null });
        return t;
    }

    /// <summary>Tables whose names and columns overlap (shared column names, one table's name inside another's), and
    /// documents of every kind that mention one or several of them in mixed case, under a shared vocabulary.</summary>
    static (ContextLibrary, List<TableMeta>) Corpus(int seed, int tables)
    {
        var rng = new Random(seed);
        string[] stems = ["order", "customer", "payment", "refund", "shipment", "invoice", "product", "stock", "ledger", "account"];
        string[] shared = ["customer_id", "created_at", "amount_eur", "status", "note", "updated_by"];
        string[] words = ["the", "amount", "identifier", "nightly", "gross", "net", "EUR", "reconciled", "categories", "addresses", "custID", "qty", "Amt"];
        var list = new List<TableMeta>();
        for (var i = 0; i < tables; i++)
        {
            var name = i < stems.Length ? stems[i] : $"{stems[i % stems.Length]}_{(i / stems.Length):00}";
            var cols = Enumerable.Range(0, rng.Next(2, 12)).Select(c => rng.Next(4) == 0 ? shared[rng.Next(shared.Length)] : $"{name}_c{c}").Distinct().ToArray();
            list.Add(Table(name, cols, rng.Next(2) == 0 ? $"{stems[i % stems.Length]} records" : null));
        }
        var folder = Directory.CreateTempSubdirectory("amx-ctxidx-").FullName;
        try
        {
            for (var f = 0; f < 12; f++)
            {
                var sb = new StringBuilder();
                var kind = f % 4;
                for (var k = 0; k < 120; k++)
                {
                    var t = list[rng.Next(list.Count)];
                    var other = list[rng.Next(list.Count)];
                    var col = t.Columns[rng.Next(t.Columns.Count)].Name;
                    var filler = string.Join(' ', Enumerable.Range(0, rng.Next(3, 30)).Select(_ => words[rng.Next(words.Length)]));
                    var tableName = rng.Next(3) == 0 ? t.Name.Table.ToUpperInvariant() : t.Name.Table;
                    sb.Append(kind switch
                    {
                        0 => rng.Next(4) == 0 ? $"## {tableName} and {other.Name.Table}\n{filler} {col}.\n\n" : $"## {tableName}\n{filler} Column {col} {filler}.\n\n",
                        1 => $"{col},\"{filler} of {(rng.Next(2) == 0 ? tableName : "something")}\"\n",
                        2 => $"  - name: {tableName}\n    description: \"{filler}\"\n    columns:\n      - name: {col}\n",
                        _ => $"CREATE VIEW v_{k} AS SELECT {col} FROM shop.{tableName} JOIN shop.{other.Name.Table} USING ({col});\n",
                    });
                }
                var ext = kind switch { 0 => "md", 1 => "csv", 2 => "yml", _ => "sql" };
                File.WriteAllText(Path.Combine(folder, $"doc{f:00}.{ext}"), kind == 2 ? "version: 2\nmodels:\n" + sb : sb.ToString());
            }
            return (ContextLibrary.Load([folder]), list);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
