using System.Text.RegularExpressions;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Redshift;
using Npgsql;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// The SQL only Redshift runs, checked without Redshift or any server: exact statement text and the absence of what
/// Redshift lacks. (That the catalog queries parse and name only documented columns is proven by PREPARE on the real
/// server in <see cref="RedshiftWarehouseTests"/>.)
/// </summary>
[TestFixture, Category("Quick"), Parallelizable(ParallelScope.Self)]
public sealed class RedshiftGeneratedSqlTests
{
    internal static readonly string[] CatalogQueries =
        [RedshiftCatalogSql.Relations, RedshiftCatalogSql.RowEstimates, RedshiftCatalogSql.Columns, RedshiftCatalogSql.Keys];

    [Test]
    public void Connection_string_defaults_to_port_5439_and_TLS_and_the_profile_may_override()
    {
        var p = new DbProfile { Name = "rs", Backend = Backend.Redshift, Host = "c1.abc.eu-west-1.redshift.amazonaws.com", Database = "dev", User = "amx" };
        var b = new NpgsqlConnectionStringBuilder(ConnectionStringFactory.For(p));
        Assert.Multiple(() =>
        {
            Assert.That(b.Port, Is.EqualTo(5439));
            Assert.That(b.SslMode, Is.EqualTo(SslMode.Require));
            Assert.That(b.NoResetOnClose, Is.True, "Redshift has no DISCARD ALL");
            Assert.That(b.ApplicationName, Is.EqualTo("amx"));
        });
        p.Port = 5440;
        p.Options["SslMode"] = "VerifyFull";
        b = new NpgsqlConnectionStringBuilder(ConnectionStringFactory.For(p));
        Assert.That((b.Port, b.SslMode), Is.EqualTo((5440, SslMode.VerifyFull)));
    }

    [Test]
    public void Literals_double_quotes_and_backslashes_and_refuse_NUL()
    {
        Assert.That(RedshiftDialect.Literal(@"it's a \ and \\n"), Is.EqualTo(@"'it''s a \\ and \\\\n'"));
        Assert.That(RedshiftDialect.Literal(null), Is.EqualTo("NULL"));
        Assert.That(RedshiftDialect.Literal("$$ -- ;"), Is.EqualTo("'$$ -- ;'"));
        Assert.Throws<ArgumentException>(() => RedshiftDialect.Literal("a\0b"));
    }

    [Test]
    public void Comment_statements_use_the_forms_Redshift_documents()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RedshiftCommentWriter.RenderStatement(new QualifiedName("sales", "Order \"x\""), TargetKinds.Table, "T"),
                Is.EqualTo("COMMENT ON TABLE \"sales\".\"Order \"\"x\"\"\" IS 'T'"));
            Assert.That(RedshiftCommentWriter.RenderStatement(new QualifiedName("sales", "v"), TargetKinds.View, null),
                Is.EqualTo("COMMENT ON VIEW \"sales\".\"v\" IS NULL"));
            Assert.That(RedshiftCommentWriter.RenderStatement(new QualifiedName("sales", "mv"), TargetKinds.MaterializedView, "m"),
                Is.EqualTo("COMMENT ON VIEW \"sales\".\"mv\" IS 'm'"), "Redshift's COMMENT has no MATERIALIZED VIEW form");
            Assert.That(RedshiftCommentWriter.RenderStatement(new QualifiedName("sales", "t", "c"), TargetKinds.Column, "a\\b"),
                Is.EqualTo("COMMENT ON COLUMN \"sales\".\"t\".\"c\" IS 'a\\\\b'"));
        });
    }

    [Test]
    public void Catalog_queries_read_the_documented_svv_views_and_use_nothing_Redshift_lacks()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RedshiftCatalogSql.RowEstimates, Does.Contain("FROM svv_table_info"));
            Assert.That(RedshiftCatalogSql.Columns, Does.Contain("FROM svv_columns").And.Contain("remarks"));
            foreach (var sql in CatalogQueries)
            {
                // PostgreSQL 9+ constructs Redshift's leader node does not run.
                foreach (var absent in new[] { "unnest", "ANY(", "WITH ORDINALITY", "FILTER (", "TABLESAMPLE", "array_agg", "E'", "format_type", "::regclass[]", "LATERAL" })
                    Assert.That(sql, Does.Not.Contain(absent).IgnoreCase, $"{absent} in:\n{sql}");
                // Redshift refuses a query that mixes leader-node catalog tables with compute-node system views.
                var leader = Regex.IsMatch(sql, @"\bpg_(class|namespace|attribute|description|constraint)\b");
                var compute = Regex.IsMatch(sql, @"\b(svv|stv|stl|svl)_\w+");
                Assert.That(leader && compute, Is.False, $"mixes pg_* and svv_* in:\n{sql}");
            }
        });
    }
}
