using System.Globalization;
using System.Text.Json;
using Amx.Tool.Tests.Drafting;
using CsvHelper;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Npgsql;

namespace Amx.Tool.Tests.Export;

/// <summary>
/// Issue #16: <c>amx export RUN --format sql|csv|json|md</c> through the real CLI. The PostgreSQL script runs on the
/// real warehouse inside a transaction that is rolled back; the SQL Server script is parsed with ScriptDom.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class SqlExportTests
{
    const string Tricky = "It's the \"login\"; -- not a comment $$ \\ é\nsecond line";
    DraftingWorld world = null!;

    [SetUp]
    public async Task Create() => world = await DraftingWorld.CreateAsync();

    [TearDown]
    public async Task Dispose() => await world.DisposeAsync();

    [Test]
    public async Task Sql_export_holds_exactly_the_statements_apply_would_run_with_their_conditions()
    {
        var amx = world.Cli();
        var r = DraftingWorld.Check(amx, "run", "sales", "--llm-profile", "fake", "--db-profile", "wh", "--output", "json");
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        DraftingWorld.Check(amx, "review", runId, "--set", $"sales.customer.c_email={Tricky}", "--accept", "sales.orders.total_amt", "--reject", "sales.orders");

        var export = DraftingWorld.Check(amx, "export", runId, "--format", "sql");
        var sql = export.Stdout;
        Assert.Multiple(() =>
        {
            Assert.That(sql, Does.Contain("-- sales.customer.c_email (COLUMN), edited by alice\n-- expects live comment: 'Email address'\n"));
            Assert.That(sql, Does.Contain("-- sales.orders.total_amt (COLUMN), accepted by alice\n-- expects live comment: (none)\n"));
            Assert.That(sql, Does.Not.Contain("-- sales.orders (TABLE)"), "rejected and pending results are not exported");
            Assert.That(sql, Does.Contain("-- 2 statement(s) for 2 target(s)"));
        });
        var dry = DraftingWorld.Check(amx, "apply", runId, "--dry-run", "--output", "json");
        foreach (var statement in JsonDocument.Parse(dry.Stdout).RootElement.GetProperty("results").EnumerateArray()
                     .Where(i => i.GetProperty("statements").ValueKind == JsonValueKind.Array).SelectMany(i => i.GetProperty("statements").EnumerateArray()).Select(s => s.GetString()!))
            Assert.That(sql, Does.Contain(statement.TrimEnd().TrimEnd(';')), "the very statements of apply --dry-run");

        // Run on the real warehouse, then roll back: the comments change inside, and nothing stays.
        await using (var conn = new NpgsqlConnection(world.Pg.ConnectionString(world.WarehouseDb)))
        {
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync();
            Assert.That(await ColumnComment(conn, tx, "customer", "c_email"), Is.EqualTo(Tricky));
            Assert.That(await ColumnComment(conn, tx, "orders", "total_amt"), Is.EqualTo("Drafted description of total_amt."));
            await tx.RollbackAsync();
            Assert.That(await ColumnComment(conn, null, "customer", "c_email"), Is.EqualTo("Email address"));
        }

        var tsql = DraftingWorld.Check(amx, "export", runId, "--format", "sql", "--backend", "sqlserver").Stdout;
        var tree = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(tsql), out var errors);
        Assert.That(errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"), Is.Empty, tsql);
        var script = (TSqlScript)tree;
        Assert.That(script.Batches, Has.Count.EqualTo(2), "one GO batch per target: each DECLAREs its own variables");
        var literals = new Literals();
        tree.Accept(literals);
        Assert.That(literals.Values, Does.Contain(Tricky));
    }

    [Test]
    public void Csv_json_and_md_exports_carry_every_result_and_bad_formats_are_refused()
    {
        var amx = world.Cli();
        var r = DraftingWorld.Check(amx, "run", "sales", "--llm-profile", "fake", "--db-profile", "wh", "--output", "json");
        var runId = DraftingWorld.Json(r).GetProperty("run_id").GetString()!;
        DraftingWorld.Check(amx, "review", runId, "--set", $"sales.customer.c_email={Tricky}");

        using var csv = new CsvReader(new StringReader(DraftingWorld.Check(amx, "export", runId, "--format", "csv").Stdout), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        Assert.That(rows.Select(x => (string)x["target"]), Is.EqualTo(DraftingWorld.SalesQnames));
        Assert.That(rows.Single(x => (string)x["target"] == "sales.customer.c_email")["description"], Is.EqualTo(Tricky));

        var json = JsonDocument.Parse(DraftingWorld.Check(amx, "export", runId, "--format", "json").Stdout).RootElement;
        Assert.That(json.GetArrayLength(), Is.EqualTo(DraftingWorld.SalesTargets));
        Assert.That(json.EnumerateArray().Single(e => e.GetProperty("target").GetString() == "sales.customer.c_email").GetProperty("decision").GetString(), Is.EqualTo("edited"));

        var md = DraftingWorld.Check(amx, "export", runId, "--format", "md").Stdout;
        Assert.That(md, Does.StartWith("| target | kind | description |"));
        Assert.That(md, Does.Contain("second line").And.Contain("<br>"), "line breaks kept inside the cell");

        var file = Path.Combine(amx.Home, "out.sql");
        DraftingWorld.Check(amx, "export", runId, "--format", "sql", "--file", file);
        Assert.That(File.ReadAllText(file), Does.StartWith($"-- amx export of run {runId}"));

        foreach (var args in new[] { new[] { "export", runId, "--format", "xml" }, ["export", runId, "--format", "csv", "--backend", "mysql"],
                     ["export", runId, "--format", "sql", "--backend", "oracle"], ["export", "run_1999-01-01_00-00-001", "--format", "sql"] })
        {
            var bad = amx.Run(args);
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
            Assert.That(bad.Stderr, Does.StartWith("error: "), bad.ToString());
        }
    }

    static async Task<string?> ColumnComment(NpgsqlConnection conn, NpgsqlTransaction? tx, string table, string column)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT col_description(c.oid, a.attnum) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = 'sales' AND c.relname = @t AND a.attname = @c", conn, tx);
        cmd.Parameters.AddWithValue("t", table);
        cmd.Parameters.AddWithValue("c", column);
        return await cmd.ExecuteScalarAsync() as string;
    }

    sealed class Literals : TSqlFragmentVisitor
    {
        public List<string> Values { get; } = [];
        public override void Visit(StringLiteral node) => Values.Add(node.Value);
    }
}
