using System.Text.Json;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Tests.Drafting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Tests.Quality;

/// <summary>
/// Views over tables (renamed pass-through, expression, join, aggregate, view over a view) on PostgreSQL, MariaDB and
/// SQLite: lineage from the catalog's definitions, inheritance by the real tool, eval with hidden comments.
/// </summary>
[TestFixture]
public sealed class ViewLineageTests
{
    internal const string Tables = """
        CREATE TABLE {0}country (country_id int PRIMARY KEY, country varchar(50) NOT NULL);
        CREATE TABLE {0}city (city_id int PRIMARY KEY, city varchar(50) NOT NULL, country_id int REFERENCES {0}country(country_id));
        CREATE TABLE {0}film (film_id int PRIMARY KEY, title varchar(100) NOT NULL, rental_rate numeric(4,2), length int);
        """;

    internal const string Views = """
        CREATE VIEW {0}city_list AS SELECT ci.city_id AS id, ci.city, co.country AS country_name FROM {0}city ci JOIN {0}country co ON co.country_id = ci.country_id;
        CREATE VIEW {0}film_list AS SELECT f.film_id AS fid, f.title, f.rental_rate * f.length AS rate_per_minute FROM {0}film f;
        CREATE VIEW {0}country_stats AS SELECT co.country, count(ci.city_id) AS cities FROM {0}country co JOIN {0}city ci ON ci.country_id = co.country_id GROUP BY co.country;
        CREATE VIEW {0}city_names AS SELECT l.city AS town, l.country_name FROM {0}city_list l;
        """;

    internal static void AssertLineage(Catalog catalog, string schema)
    {
        ColumnLineage? L(string table, string column) =>
            catalog.Tables.Single(t => t.Name.Table == table).Columns.Single(c => c.Name == column).Lineage;
        string Q(string table, string column) => new QualifiedName(schema, table, column).ToString();
        Assert.Multiple(() =>
        {
            Assert.That(L("city_list", "id")?.Kind, Is.EqualTo(LineageKind.PassThrough), "renamed pass-through");
            Assert.That(L("city_list", "id")?.Source?.ToString(), Is.EqualTo(Q("city", "city_id")));
            Assert.That(L("city_list", "city")?.Source?.ToString(), Is.EqualTo(Q("city", "city")), "join, plain");
            Assert.That(L("city_list", "country_name")?.Source?.ToString(), Is.EqualTo(Q("country", "country")), "join, renamed");
            Assert.That(L("film_list", "fid")?.Source?.ToString(), Is.EqualTo(Q("film", "film_id")));
            Assert.That(L("film_list", "rate_per_minute")?.Kind, Is.EqualTo(LineageKind.Derived), "expression");
            Assert.That(L("film_list", "rate_per_minute")!.Sources.Select(s => s.ToString()), Is.EquivalentTo(new[] { Q("film", "rental_rate"), Q("film", "length") }));
            Assert.That(L("country_stats", "country")?.Source?.ToString(), Is.EqualTo(Q("country", "country")));
            Assert.That(L("country_stats", "cities")?.Kind, Is.EqualTo(LineageKind.Derived), "aggregate");
            Assert.That(L("country_stats", "cities")!.Sources.Select(s => s.ToString()), Is.EqualTo(new[] { Q("city", "city_id") }));
            Assert.That(L("city_names", "town")?.Source?.ToString(), Is.EqualTo(Q("city_list", "city")), "view over a view");
            Assert.That(L("city_names", "country_name")?.Source?.ToString(), Is.EqualTo(Q("city_list", "country_name")));
            Assert.That(catalog.Tables.Where(t => t.Kind == TargetKinds.Table).SelectMany(t => t.Columns).All(c => c.Lineage is null));
        });
    }

    [Test]
    public async Task Postgres_lineage_inheritance_and_eval_with_hidden_comments()
    {
        await using var world = await DraftingWorld.CreateAsync();
        await world.Pg.ExecuteAsync("CREATE SCHEMA pagila;" + string.Format(Tables + Views, "pagila.") + """
            COMMENT ON COLUMN pagila.country.country IS 'Country name, in English.';
            COMMENT ON TABLE pagila.film IS 'Films the stores rent out, one row per title.';
            COMMENT ON COLUMN pagila.film.title IS 'Title of the film as shown on the box.';
            COMMENT ON COLUMN pagila.film.rental_rate IS 'Price to rent the film for the rental period.';
            """, world.WarehouseDb);
        var provider = WarehouseProviders.For(Amx.Data.Config.Backend.PostgreSql);
        await using (var conn = new Npgsql.NpgsqlConnection(world.Pg.ConnectionString(world.WarehouseDb)))
        {
            await conn.OpenAsync();
            AssertLineage(await provider.Metadata.ReadAsync(conn, Scope.Parse("pagila"), MetadataOptions.Default), "pagila");
        }

        // The real tool, offline drafter: inherited texts equal their sources byte for byte, sources recorded.
        var amx = world.Cli("alice");
        DraftingWorld.Check(amx, "add-llm-profile", "off", "--provider", "offline");
        var r = amx.Run("run", "pagila", "--llm-profile", "off", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        var store = await amx.OpenHistoryAsync();
        var results = (await store.GetResultsAsync(runId)).ToDictionary(x => x.TargetQname);
        string? Text(string q) => results[q].Description;
        Assert.Multiple(() =>
        {
            // The bases are drafted in this run too: their drafts win over their live comments.
            Assert.That(Text("pagila.city_list.country_name"), Is.EqualTo(Text("pagila.country.country")), "same-run draft of the base");
            Assert.That(results["pagila.city_list.country_name"].Confidence, Is.EqualTo(results["pagila.country.country"].Confidence));
            Assert.That(Text("pagila.city_list.city"), Is.EqualTo(Text("pagila.city.city")), "same-run draft of the base");
            Assert.That(Text("pagila.city_names.town"), Is.EqualTo(Text("pagila.city.city")), "through a view over a view");
            Assert.That(Text("pagila.film_list.fid"), Is.EqualTo(Text("pagila.film.film_id")));
            Assert.That(JsonDocument.Parse(results["pagila.city_list.country_name"].MetadataJson!).RootElement.GetProperty("source").GetString(),
                Is.EqualTo("pagila.country.country"));
            Assert.That(Text("pagila.film_list.rate_per_minute"), Does.Contain("pagila.film.rental_rate").And.Contain("pagila.film.length"), "derived names its inputs");
        });
        Assert.That(results.Keys.Where(k => k.StartsWith("pagila.city_list.")).Select(k => results[k].Description), Is.All.Not.Null);

        // Only the views drafted: the bases are not targets, so their live comments are inherited, confidence high.
        var views = amx.Run("run", "pagila.film_list", "--llm-profile", "off", "--output", "json");
        Assert.That(views.ExitCode, Is.Zero, views.ToString());
        var viewResults = (await store.GetResultsAsync(DraftingWorld.Json(views).GetProperty("run_id").GetString()!)).ToDictionary(x => x.TargetQname);
        Assert.Multiple(() =>
        {
            Assert.That(viewResults["pagila.film_list.title"].Description, Is.EqualTo("Title of the film as shown on the box."));
            Assert.That(viewResults["pagila.film_list.title"].Confidence, Is.EqualTo("high"));
            Assert.That(viewResults["pagila.film_list.fid"].Confidence, Is.Not.EqualTo("high"), "fid has no comment to inherit and stays cryptic");
        });
        // The tautology rule over the whole corpus: no restating draft is high.
        var restating = results.Values.Where(x => x.Description is not null && Amx.Data.Llm.ConfidenceRules.IsRestatement(x.Description, QualifiedName.Parse(x.TargetQname))).ToList();
        Assert.That(restating.Where(x => x.Confidence != "low"), Is.Empty);
        TestContext.Out.WriteLine($"restating drafts: {restating.Count} of {results.Count}, all low");
        var show = amx.Run("history", "show", runId, "--output", "csv");
        Assert.That(show.Stdout, Does.Contain("(from pagila.country.country)"), show.ToString());
        var reviewFile = Path.Combine(amx.Home, "review.yml");
        var export = amx.Run("review", runId, "--export", reviewFile);
        Assert.That(export.ExitCode, Is.Zero, export.ToString());
        Assert.That(File.ReadAllText(reviewFile), Does.Contain("source: pagila.country.country"));
        var counts = DraftingWorld.Meta(await DraftingWorld.RunRow(store, runId))["confidence_counts"];
        Assert.That(counts.EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(results.Count), "every draft counted in one class");

        // Eval through the fake LLM: no hidden comment reaches any prompt; the eval is recorded as its own kind.
        var before = world.Llm.Requests.Count;
        var e = amx.Run("eval", "pagila", "--llm-profile", "fake", "--output", "json");
        Assert.That(e.ExitCode, Is.Zero, e.ToString());
        var prompts = world.Llm.Requests.Skip(before).Select(x => x.Body).ToList();
        Assert.That(prompts, Is.Not.Empty);
        foreach (var hidden in new[] { "Films the stores rent out", "Title of the film as shown", "Price to rent the film", "Country name, in English" })
            Assert.That(prompts.Where(p => p.Contains(hidden)).ToList(), Is.Empty, hidden);
        var evalJson = DraftingWorld.Json(e);
        var evalId = evalJson.GetProperty("run_id").GetString()!;
        Assert.That(evalJson.GetProperty("targets").GetArrayLength(), Is.EqualTo(4));
        var evalRun = await DraftingWorld.RunRow(store, evalId);
        Assert.That(evalRun.RunKind, Is.EqualTo(RunKinds.Eval));
        Assert.That(DraftingWorld.Meta(evalRun).ContainsKey("instructions_hash"));

        // Offline eval scores hand-checkable pairs: recorded per target.
        var off = amx.Run("eval", "pagila", "--llm-profile", "off", "--output", "json");
        Assert.That(off.ExitCode, Is.Zero, off.ToString());
        foreach (var t in DraftingWorld.Json(off).GetProperty("targets").EnumerateArray())
        {
            var expected = Amx.Data.Eval.TextScores.TokenF1(t.GetProperty("draft").GetString(), t.GetProperty("human").GetString());
            Assert.That(t.GetProperty("token_f1").GetDouble(), Is.EqualTo(expected).Within(1e-4));
        }
        var list = amx.Run("history", "list", "--output", "json");
        var listed = DraftingWorld.Json(list).EnumerateArray().Single(x => x.GetProperty("run_id").GetString() == evalId);
        Assert.That(listed.GetProperty("kind").GetString(), Is.EqualTo("eval"));
        Assert.That(listed.GetProperty("scores").GetProperty("token_f1").GetDouble(), Is.EqualTo(evalJson.GetProperty("groups")[0].GetProperty("token_f1").GetDouble()).Within(1e-4));
        var offId = DraftingWorld.Json(off).GetProperty("run_id").GetString()!;
        var compare = amx.Run("history", "compare", evalId, offId, "--output", "json");
        Assert.That(compare.ExitCode, Is.Zero, compare.ToString());
        var scores = DraftingWorld.Json(compare).GetProperty("scores");
        Assert.That(scores.GetArrayLength(), Is.EqualTo(2));
        Assert.That(scores[1].GetProperty("model").GetString(), Is.EqualTo("offline offline"));
        var compareText = amx.Run("history", "compare", evalId, offId);
        Assert.That(compareText.Stdout, Does.Contain($"eval {offId} (offline offline): token_f1="), compareText.ToString());
    }

    [Test]
    public async Task MariaDb_lineage_from_view_definitions()
    {
        var maria = await TestServers.MariaDb();
        var db = await maria.CreateDatabaseAsync("lin");
        await maria.ExecuteAsync(string.Format(Tables + Views, ""), db);
        var provider = WarehouseProviders.For(Amx.Data.Config.Backend.MariaDb);
        await using var conn = new MySqlConnector.MySqlConnection(maria.ConnectionString(db));
        await conn.OpenAsync();
        AssertLineage(await provider.Metadata.ReadAsync(conn, Scope.Parse(db), MetadataOptions.Default), db);
    }

    [Test]
    public async Task Sqlite_lineage_from_view_sql()
    {
        var path = Path.Combine(Path.GetTempPath(), $"amx-lin-{Guid.NewGuid():N}.db");
        try
        {
            await using (var conn = new SqliteConnection($"Data Source={path}"))
            {
                await conn.OpenAsync();
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = string.Format(Tables + Views, "");
                await cmd.ExecuteNonQueryAsync();
                var provider = WarehouseProviders.For(Amx.Data.Config.Backend.Sqlite);
                AssertLineage(await provider.Metadata.ReadAsync(conn, null, MetadataOptions.Default), "main");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }
}
