using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Quality;

namespace Amx.Tool.Tests.Drafting;

/// <summary>
/// A run reads and drafts the catalog slice by slice (docs/runs.md#scale). Whatever the slice size, the run drafts
/// the same targets with the same texts, exactly once each, and views still inherit their bases' drafts made in
/// earlier slices (read back from the history store, not from memory).
/// </summary>
[TestFixture]
public sealed class RunSlicingTests
{
    [Test]
    public async Task Postgres_slices_cover_every_relation_once_with_views_last_and_their_bases_as_context()
    {
        await using var world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("CREATE SCHEMA pagila;" + string.Format(ViewLineageTests.Tables + ViewLineageTests.Views, "pagila."), world.WarehouseDb);
        // A dropped column stays in pg_attribute (and in relnatts): the outline must not count it.
        await world.Pg.ExecuteAsync("ALTER TABLE pagila.film ADD COLUMN scratch int, ADD COLUMN scratch2 text; ALTER TABLE pagila.film DROP COLUMN scratch; " +
                                    "ALTER TABLE pagila.country ADD COLUMN gone int; ALTER TABLE pagila.country DROP COLUMN gone;", world.WarehouseDb);
        var provider = WarehouseProviders.For(Amx.Data.Config.Backend.PostgreSql);
        async Task<System.Data.Common.DbConnection> Open(CancellationToken ct)
        {
            var conn = new Npgsql.NpgsqlConnection(world.Pg.ConnectionString(world.WarehouseDb));
            await conn.OpenAsync(ct);
            return conn;
        }
        Catalog whole;
        await using (var conn = await Open(default))
            whole = await provider.Metadata.ReadAsync(conn, Scope.Parse("pagila"), MetadataOptions.Default);
        var wholeTargets = whole.Targets().Select(Name).ToList();

        var sliced = await provider.Metadata.ReadSlicesAsync(Open, Scope.Parse("pagila"), MetadataOptions.Default with { ColumnsPerSlice = 2 });
        var slices = new List<Catalog>();
        await foreach (var s in sliced.Slices) slices.Add(s);

        var sliceTargets = slices.SelectMany(s => s.Targets()).Select(Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sliceTargets, Is.EquivalentTo(wholeTargets), "every target once, none twice");
            Assert.That(sliced.Targets, Is.EqualTo(wholeTargets.Count), "the outline counts the targets before any slice is read");
            Assert.That(sliced.Tables, Is.EqualTo(whole.Tables.Count));
            Assert.That(slices, Has.Count.EqualTo(4), "country, city, film one each (2 columns or more), then the views");
            Assert.That(slices.Take(3).SelectMany(s => s.Tables).Select(t => t.Kind), Is.All.EqualTo("TABLE"));
            var last = slices[^1];
            Assert.That(last.Tables.Where(t => t.IsTarget).Select(t => t.Name.Table),
                Is.EquivalentTo(new[] { "city_list", "film_list", "country_stats", "city_names" }));
            // The bases come along as context: lineage resolves against their columns, but they are not drafted again.
            Assert.That(last.Tables.Where(t => !t.IsTarget).Select(t => t.Name.Table), Is.EquivalentTo(new[] { "country", "city", "film" }));
            Assert.That(last.Tables.Where(t => !t.IsTarget).SelectMany(t => t.Columns), Has.All.Property(nameof(ColumnMeta.IsTarget)).False);
        });
        ViewLineageTests.AssertLineage(slices[^1], "pagila");
    }

    [Test]
    public async Task A_run_drafts_the_same_texts_whatever_the_slice_size_and_views_inherit_across_slices()
    {
        await using var world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("CREATE SCHEMA pagila;" + string.Format(ViewLineageTests.Tables + ViewLineageTests.Views, "pagila."), world.WarehouseDb);
        var amx = world.Cli("alice");
        DraftingWorld.Check(amx, "add-llm-profile", "off", "--provider", "offline");

        async Task<Dictionary<string, (string? Text, string? Confidence, string? Meta)>> RunAsync(string? sliceColumns)
        {
            amx.Env["AMX_SLICE_COLUMNS"] = sliceColumns;
            var r = amx.Run("run", "pagila", "--llm-profile", "off", "--output", "json");
            Assert.That(r.ExitCode, Is.Zero, r.ToString());
            var store = await amx.OpenHistoryAsync();
            var results = await store.GetResultsAsync(DraftingWorld.Json(r).GetProperty("run_id").GetString()!);
            Assert.That(results.Select(x => x.TargetQname), Is.Unique, "no target drafted twice");
            return results.ToDictionary(x => x.TargetQname, x => (x.Description, x.Confidence, x.MetadataJson));
        }

        var one = await RunAsync(null);
        var many = await RunAsync("1");
        Assert.Multiple(() =>
        {
            Assert.That(many, Has.Count.EqualTo(7 + 19), "7 relations, 19 columns");
            Assert.That(many, Is.EquivalentTo(one), "slicing changes no text, confidence or source");
            // Bases were drafted in slices of their own before the views' slice: the views still take their drafts.
            Assert.That(many["pagila.city_names.town"].Text, Is.EqualTo(many["pagila.city.city"].Text).And.Not.Null, "a view over a view");
            Assert.That(many["pagila.city_list.country_name"].Meta, Does.Contain("pagila.country.country"));
        });

        // A slice size that is not a whole number above 0 is bad input, and no run starts.
        var runsBefore = DraftingWorld.Json(amx.Run("history", "list", "--output", "json")).GetArrayLength();
        amx.Env["AMX_SLICE_COLUMNS"] = "0";
        var bad = amx.Run("run", "pagila", "--llm-profile", "off");
        Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
        Assert.That(bad.Stderr, Does.Contain("AMX_SLICE_COLUMNS must be a whole number above 0, not '0'"));
        Assert.That(DraftingWorld.Json(amx.Run("history", "list", "--output", "json")).GetArrayLength(), Is.EqualTo(runsBefore));
    }

    [Test]
    public async Task Coverage_reads_slice_by_slice_and_counts_the_same_whatever_the_slice_size()
    {
        await using var world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("CREATE SCHEMA pagila;" + string.Format(ViewLineageTests.Tables + ViewLineageTests.Views, "pagila.") +
                                    "COMMENT ON TABLE pagila.city IS 'Cities'; COMMENT ON VIEW pagila.city_list IS 'Cities with countries';" +
                                    "COMMENT ON COLUMN pagila.film.title IS 'Title'; COMMENT ON COLUMN pagila.city_names.town IS '  ';", world.WarehouseDb);
        var amx = world.Cli("alice");
        string Coverage(string? sliceColumns, string format)
        {
            amx.Env["AMX_SLICE_COLUMNS"] = sliceColumns;
            var r = amx.Run("coverage", "pagila", "--output", format);
            Assert.That(r.ExitCode, Is.Zero, r.ToString());
            return r.Stdout;
        }
        var whole = Coverage(null, "json");
        var json = DraftingWorld.Json(new AmxCli.Result(0, whole, ""));
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("tables").GetProperty("described").GetInt32(), Is.EqualTo(2));
            Assert.That(json.GetProperty("tables").GetProperty("total").GetInt32(), Is.EqualTo(7));
            Assert.That(json.GetProperty("columns").GetProperty("described").GetInt32(), Is.EqualTo(1), "a blank comment describes nothing");
            Assert.That(json.GetProperty("columns").GetProperty("total").GetInt32(), Is.EqualTo(19));
            Assert.That(json.GetProperty("undescribed").GetArrayLength(), Is.EqualTo(5 + 18));
            Assert.That(Coverage("1", "json"), Is.EqualTo(whole), "one relation per slice, views last with their bases as context: the same report");
            Assert.That(Coverage("1", "csv"), Is.EqualTo(Coverage(null, "csv")));
        });
    }

    static string Name((TableMeta Table, ColumnMeta? Column) t) =>
        (t.Column is null ? t.Table.Name : t.Table.Name with { Column = t.Column.Name }).ToString();
}
