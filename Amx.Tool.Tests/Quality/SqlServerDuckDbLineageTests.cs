using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Lineage;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.SqlServer;
using DuckDB.NET.Data;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Tool.Tests.Quality;

/// <summary>
/// View lineage where the other tests have no server: SQL Server offline (the catalog SQL parses with ScriptDom; T-SQL
/// view definitions as sys.sql_modules holds them are mapped through <see cref="SqlServerViewParser"/>), and DuckDB on
/// a real file (definitions from duckdb_views().sql).
/// </summary>
[TestFixture]
public sealed class SqlServerDuckDbLineageTests
{
    [Test]
    public void Sql_server_catalog_queries_with_view_definitions_parse()
    {
        foreach (var sql in new[] { SqlServerMetadataReader.ObjectsSql, SqlServerMetadataReader.ViewDependenciesSql })
        {
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            parser.Parse(new StringReader(sql), out var errors);
            Assert.That(errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"), Is.Empty, sql);
        }
        Assert.That(SqlServerMetadataReader.ObjectsSql, Does.Contain("sys.sql_modules"));
        Assert.That(SqlServerMetadataReader.ViewDependenciesSql, Does.Contain("sys.sql_expression_dependencies"));
    }

    static TableMeta Table(string schema, string name, string kind, params string[] columns)
    {
        var t = new TableMeta { Name = new QualifiedName(schema, name), Kind = kind };
        for (var i = 0; i < columns.Length; i++) t.Columns.Add(new ColumnMeta { Name = columns[i], Ordinal = i + 1, DataType = "int" });
        return t;
    }

    static TableMeta View(string schema, string name, string definition, params string[] columns)
    {
        var v = Table(schema, name, TargetKinds.View, columns);
        v.ViewDefinition = definition;
        return v;
    }

    [Test]
    public void Sql_server_definitions_map_renamed_expression_join_aggregate_and_view_over_view()
    {
        var catalog = new Catalog();
        catalog.Tables.Add(Table("sales", "country", TargetKinds.Table, "country_id", "country"));
        catalog.Tables.Add(Table("sales", "city", TargetKinds.Table, "city_id", "city", "country_id"));
        catalog.Tables.Add(Table("sales", "film", TargetKinds.Table, "film_id", "title", "rental_rate", "length"));
        // As sys.sql_modules keeps them: the whole CREATE VIEW, bracket-quoted names, T-SQL's "alias = expr" and TOP.
        catalog.Tables.Add(View("sales", "city_list", """
            CREATE VIEW [sales].[city_list]
            AS
            SELECT ci.[city_id] AS [id], [ci].city, co.[country] AS country_name
            FROM [sales].[city] AS ci INNER JOIN sales.country co ON co.country_id = ci.country_id
            """, "id", "city", "country_name"));
        // Unqualified "film" in a view of schema rpt: SQL Server bound it to sales.film (sys.sql_expression_dependencies).
        catalog.Tables.Add(View("rpt", "film_list", """
            /* films for the report */
            CREATE VIEW rpt.film_list AS
            SELECT TOP (100) PERCENT f.film_id fid, f.title, rate_per_minute = (f.rental_rate * f.length) FROM film AS f
            """, "fid", "title", "rate_per_minute"));
        catalog.Tables.Add(View("sales", "country_stats", """
            CREATE VIEW sales.country_stats ([country], cities) AS
            SELECT co.country, COUNT(ci.city_id) FROM sales.country co LEFT OUTER JOIN sales.city ci ON ci.country_id = co.country_id
            GROUP BY co.country
            """, "country", "cities"));
        catalog.Tables.Add(View("sales", "city_names", """
            CREATE VIEW [sales].[city_names] WITH SCHEMABINDING AS SELECT l.city AS town, l.[country_name] FROM [sales].[city_list] l
            """, "town", "country_name"));
        var deps = new Dictionary<QualifiedName, IReadOnlyList<SqlServerViewParser.Dependency>>
        {
            [new QualifiedName("rpt", "film_list")] = [new("sales", "film", null)],
        };
        ViewLineage.Apply(catalog, new SqlServerViewParser(deps).Parse);
        ViewLineageTests.AssertLineage(catalog, "sales");
        Assert.That(catalog.Tables.Single(t => t.Name.Table == "film_list").Columns.Single(c => c.Name == "rate_per_minute").Lineage!.Expression,
            Is.EqualTo("(f.rental_rate * f.length)"), "the expression as written");

        // Without the dependency row the unqualified name falls back to the view's own schema (and is then unknown).
        var unbound = new Catalog();
        unbound.Tables.Add(Table("sales", "film", TargetKinds.Table, "film_id", "title", "rental_rate", "length"));
        unbound.Tables.Add(View("rpt", "film_list", catalog.Tables.Single(t => t.Name.Table == "film_list").ViewDefinition!, "fid", "title", "rate_per_minute"));
        ViewLineage.Apply(unbound, new SqlServerViewParser().Parse);
        Assert.That(unbound.Tables[1].Columns[0].Lineage?.Source?.ToString(), Is.EqualTo("rpt.film.film_id"));
    }

    [Test]
    public void Sql_server_bare_names_in_a_join_are_placed_by_recorded_dependency_columns()
    {
        // A view-scoped read: the base tables are not in the catalog, so only the dependency rows of a schema-bound
        // view (referenced_minor_id > 0) can say which table a bare column comes from.
        var catalog = new Catalog();
        catalog.Tables.Add(View("sales", "places", """
            CREATE VIEW sales.places WITH SCHEMABINDING AS
            SELECT [city], country AS [Country Name], UPPER(city) + N', ' + country AS label
            FROM sales.city JOIN sales.country ON country.country_id = city.country_id
            """, "city", "Country Name", "label"));
        var deps = new Dictionary<QualifiedName, IReadOnlyList<SqlServerViewParser.Dependency>>
        {
            [new QualifiedName("sales", "places")] =
            [
                new("sales", "city", "city"), new("sales", "city", "country_id"),
                new("sales", "country", "country"), new("sales", "country", "country_id"),
            ],
        };
        ViewLineage.Apply(catalog, new SqlServerViewParser(deps).Parse);
        var cols = catalog.Tables[0].Columns;
        Assert.Multiple(() =>
        {
            Assert.That(cols[0].Lineage?.Source?.ToString(), Is.EqualTo("sales.city.city"));
            Assert.That(cols[1].Lineage?.Kind, Is.EqualTo(LineageKind.PassThrough));
            Assert.That(cols[1].Lineage?.Source?.ToString(), Is.EqualTo("sales.country.country"), "renamed to a bracket-quoted name with a space");
            Assert.That(cols[2].Lineage?.Kind, Is.EqualTo(LineageKind.Derived));
            Assert.That(cols[2].Lineage!.Sources.Select(s => s.ToString()), Is.EquivalentTo(new[] { "sales.city.city", "sales.country.country" }));
        });

        // Without them the bare names stay unplaced rather than guessed.
        var guess = new Catalog();
        guess.Tables.Add(View("sales", "places", catalog.Tables[0].ViewDefinition!, "city", "Country Name", "label"));
        ViewLineage.Apply(guess, new SqlServerViewParser().Parse);
        Assert.That(guess.Tables[0].Columns[0].Lineage, Is.Null);
    }

    [Test]
    public void Sql_server_definition_that_does_not_parse_gets_no_lineage()
    {
        var catalog = new Catalog();
        catalog.Tables.Add(Table("dbo", "t", TargetKinds.Table, "a"));
        catalog.Tables.Add(View("dbo", "v", "CREATE VIEW dbo.v AS SELECT a FROM dbo.t WHERE (", "a"));
        ViewLineage.Apply(catalog, new SqlServerViewParser().Parse);
        Assert.That(catalog.Tables[1].Columns[0].Lineage, Is.Null);
    }

    [Test]
    public async Task DuckDb_lineage_from_duckdb_views_sql()
    {
        var path = Path.Combine(Path.GetTempPath(), $"amx-lin-{Guid.NewGuid():N}.duckdb");
        try
        {
            await using var conn = new DuckDBConnection($"Data Source={path}");
            await conn.OpenAsync();
            await using (var cmd = conn.CreateCommand())
            {
                cmd.CommandText = "CREATE SCHEMA pagila;" + string.Format(ViewLineageTests.Tables + ViewLineageTests.Views, "pagila.");
                await cmd.ExecuteNonQueryAsync();
            }
            var provider = WarehouseProviders.For(Amx.Data.Config.Backend.DuckDb);
            var catalog = await provider.Metadata.ReadAsync(conn, Scope.Parse("pagila"), MetadataOptions.Default);
            Assert.That(catalog.Tables.Where(t => t.Kind == TargetKinds.View).Select(t => t.ViewDefinition), Is.All.StartWith("CREATE VIEW"));
            ViewLineageTests.AssertLineage(catalog, "pagila");

            // A view-scoped read still knows its definition (the base is then outside the catalog, named as written).
            var one = await provider.Metadata.ReadAsync(conn, Scope.Parse("pagila.film_list"), MetadataOptions.Default);
            Assert.That(one.Tables.Single().Columns.Single(c => c.Name == "fid").Lineage?.Source?.ToString(), Is.EqualTo("pagila.film.film_id"));
        }
        finally
        {
            foreach (var f in new[] { path, path + ".wal" }) if (File.Exists(f)) File.Delete(f);
        }
    }
}
