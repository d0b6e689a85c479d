using Amx.Data.Errors;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.MySql;
using Amx.Data.Warehouse.Postgres;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Tool.Tests.Warehouse;

[TestFixture]
[Category("Quick")]
public sealed class ScopeAndMaskTests
{
    [TestCase("sales", "sales", null, null)]
    [TestCase("sales.customer", "sales", "customer", null)]
    [TestCase("sales.customer.c_id", "sales", "customer", "c_id")]
    [TestCase("\"my.schema\".\"Order \"\"Lines\"\"\".x", "my.schema", "Order \"Lines\"", "x")]
    public void Parses(string text, string schema, string? table, string? column)
    {
        Assert.That(Scope.Parse(text), Is.EqualTo(new Scope(schema, table, column)));
    }

    [TestCase("a.b.c.d")]
    [TestCase("a..b")]
    [TestCase("\"unterminated")]
    [TestCase("a.")]
    public void Malformed_is_bad_input(string text)
    {
        var ex = Assert.Throws<AmxException>(() => Scope.Parse(text));
        Assert.That(ex!.Code, Is.EqualTo(ExitCode.BadInput));
    }

    [Test]
    public void Null_or_blank_is_the_whole_warehouse() => Assert.That(Scope.Parse(null) ?? Scope.Parse("  "), Is.Null);

    [Test]
    public void Prints_back_in_scope_syntax()
    {
        Assert.That(Scope.Parse("\"my schema\"")!.ToString(), Is.EqualTo("\"my schema\""));
        Assert.That(Scope.Parse("s.t.c")!.ToString(), Is.EqualTo("s.t.c"));
    }

    [TestCase("Anna-Maria 42", "Aaaa-Aaaaa 99")]
    [TestCase("DE", "DE")]
    [TestCase("x1", "x1")]
    [TestCase("Ünïcode 7", "Aaaaaaa 9")]
    [TestCase("2024-05-01", "9999-99-99")]
    public void Masks_letters_and_digits_but_keeps_short_codes(string value, string masked) =>
        Assert.That(SampleMasker.Mask(value), Is.EqualTo(masked));

    [Test]
    public void Literals_escape_for_each_dialect()
    {
        Assert.That(PostgresDialect.Literal("a'b\\c$$"), Is.EqualTo("E'a''b\\\\c$$'"));
        Assert.That(MySqlDialect.Literal("a'b\\c\0"), Is.EqualTo("'a\\'b\\\\c\\0'"));
        Assert.That(MySqlDialect.Literal("a'b\\c", noBackslashEscapes: true), Is.EqualTo("'a''b\\c'"));
        Assert.That(MySqlDialect.MariaDb.QuoteIdentifier("a`b"), Is.EqualTo("`a``b`"));
        Assert.That(PostgresDialect.Instance.QuoteIdentifier("a\"b"), Is.EqualTo("\"a\"\"b\""));
    }
}

[TestFixture]
[Category("Quick")]
public sealed class MySqlColumnDefinitionTests
{
    [TestCase("  `c` int DEFAULT NULL /*!80023 INVISIBLE */,", "`c` int DEFAULT NULL /*!80023 INVISIBLE */ COMMENT 'x'")]
    [TestCase("  `c` int DEFAULT NULL COMMENT 'old ''one'' \\' COMMENT' /*!80023 INVISIBLE */,", "`c` int DEFAULT NULL COMMENT 'x' /*!80023 INVISIBLE */")]
    [TestCase("  `j` longtext DEFAULT NULL CHECK (json_valid(`j`)),", "`j` longtext DEFAULT NULL COMMENT 'x' CHECK (json_valid(`j`))")]
    [TestCase("  `g` int GENERATED ALWAYS AS (`a` + 1) VIRTUAL", "`g` int GENERATED ALWAYS AS (`a` + 1) VIRTUAL COMMENT 'x'")]
    public void Comment_goes_where_the_server_accepts_it(string line, string expected)
    {
        var column = line.Trim()[1..].Split('`')[0];
        var d = MySqlColumnDefinition.FromCreateTable("CREATE TABLE `t` (\n" + line + "\n) ENGINE=InnoDB", column)!;
        Assert.That(d.WithComment("'x'"), Is.EqualTo(expected));
    }

    [Test]
    public void Finds_back_quoted_names_exactly()
    {
        const string create = "CREATE TABLE `t` (\n  `a``b` int COMMENT 'x',\n  `a` text,\n  PRIMARY KEY (`a`)\n)";
        Assert.That(MySqlColumnDefinition.FromCreateTable(create, "a`b")!.DefinitionWithoutComment, Is.EqualTo("`a``b` int"));
        Assert.That(MySqlColumnDefinition.FromCreateTable(create, "a")!.DefinitionWithoutComment, Is.EqualTo("`a` text"));
        Assert.That(MySqlColumnDefinition.FromCreateTable(create, "nope"), Is.Null);
    }
}
