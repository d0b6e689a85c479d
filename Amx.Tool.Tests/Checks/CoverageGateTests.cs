using System.Text.Json;

namespace Amx.Tool.Tests.Checks;

/// <summary>
/// <c>amx coverage … --min-coverage PCT</c> through the real CLI: tables and columns measured separately, exit 5 with
/// the undescribed objects below the bar, exit 0 once they are described; amx's own tables never counted.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class CoverageGateTests(string backend)
{
    WarehouseWorld _w = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _w = await WarehouseWorld.CreateAsync(backend);

    [OneTimeTearDown]
    public async Task TearDown() => await _w.DisposeAsync();

    [Test]
    public async Task Below_the_bar_exits_5_listing_the_undescribed_tables_and_columns_and_passes_once_described()
    {
        var amx = _w.Cli();
        await _w.CreateTableAsync("cov_customer", ["name", "email"]);
        await _w.CreateTableAsync("cov_orders", ["total"]);
        await _w.SetTableCommentAsync("cov_customer", "One row per customer.");
        await _w.SetColumnCommentAsync("cov_customer", "name", "Full name.");
        var scope = $"{_w.Schema}.cov_customer";

        // Tables 1/2 = 50 %, columns 1/5 = 20 %.
        var gate = amx.Run("coverage", _w.Schema, "--min-coverage", "80", "--output", "json");
        Assert.That(gate.ExitCode, Is.EqualTo(5), gate.ToString());
        Assert.That(gate.Stderr, Does.StartWith($"error: documentation coverage of '{_w.Schema}' is below the bar: tables 50% < 80%, columns 20% < 80%"));
        Assert.That(gate.Stderr, Does.Contain("hint: "));
        var json = WarehouseWorld.Json(gate);
        Assert.That(json.GetProperty("pass").GetBoolean(), Is.False);
        Assert.That(Counts(json.GetProperty("tables")), Is.EqualTo((1, 2, 50.0, false)));
        Assert.That(Counts(json.GetProperty("columns")), Is.EqualTo((1, 5, 20.0, false)));
        var undescribed = json.GetProperty("undescribed").EnumerateArray()
            .Select(u => $"{u.GetProperty("kind").GetString()} {u.GetProperty("target").GetString()}").ToList();
        Assert.That(undescribed, Is.EquivalentTo(new[]
        {
            $"TABLE {_w.Schema}.cov_orders", $"COLUMN {_w.Schema}.cov_orders.id", $"COLUMN {_w.Schema}.cov_orders.total",
            $"COLUMN {_w.Schema}.cov_customer.id", $"COLUMN {_w.Schema}.cov_customer.email",
        }));

        // Separate bars: tables meet 50, columns meet 20 exactly; one more percent on columns fails only columns.
        WarehouseWorld.Ok(amx.Run("coverage", _w.Schema, "--min-table-coverage", "50", "--min-column-coverage", "20"));
        var columnsOnly = amx.Run("coverage", _w.Schema, "--min-table-coverage", "50", "--min-column-coverage", "21");
        Assert.That(columnsOnly.ExitCode, Is.EqualTo(5), columnsOnly.ToString());
        Assert.That(columnsOnly.Stderr, Does.Contain("columns 20% < 21%").And.Not.Contain("tables 50%"));
        Assert.That(columnsOnly.Stdout, Does.Contain($"column {_w.Schema}.cov_orders.total"), "the table view lists what is missing");
        Assert.That(columnsOnly.Stdout, Does.Not.Contain("\u001b["), "no escape codes when not a terminal");

        // csv: one row per undescribed object.
        var csv = amx.Run("coverage", scope, "--min-coverage", "100", "--output", "csv");
        Assert.That(csv.ExitCode, Is.EqualTo(5), csv.ToString());
        Assert.That(csv.Stdout.Trim().Split('\n').Select(l => l.Trim()), Is.EqualTo(new[]
        {
            "target,kind", $"{_w.Schema}.cov_customer.email,COLUMN", $"{_w.Schema}.cov_customer.id,COLUMN",
        }));

        // Describe the rest by hand: the same gate passes.
        await _w.SetTableCommentAsync("cov_orders", "Orders.");
        foreach (var (t, c) in new[] { ("cov_orders", "id"), ("cov_orders", "total"), ("cov_customer", "id"), ("cov_customer", "email") })
            await SetAnyColumnCommentAsync(t, c, $"Described {c}.");
        var pass = WarehouseWorld.Ok(amx.Run("coverage", _w.Schema, "--min-coverage", "100", "--output", "json"));
        var passed = WarehouseWorld.Json(pass);
        Assert.That(passed.GetProperty("pass").GetBoolean(), Is.True);
        Assert.That(Counts(passed.GetProperty("columns")), Is.EqualTo((5, 5, 100.0, true)));
        Assert.That(passed.GetProperty("undescribed").GetArrayLength(), Is.Zero);
        Assert.That(pass.Stderr, Does.Not.Contain("error:"));
    }

    [Test]
    public async Task Amx_history_tables_and_partitions_are_not_counted_and_bad_bars_are_bad_input()
    {
        var amx = _w.Cli();
        // The store's amx_history_* tables exist (the CLI enabled the store): they are amx's, not the warehouse's.
        var json = WarehouseWorld.Json(WarehouseWorld.Ok(amx.Run("coverage", _w.HistorySchema, "--min-coverage", "100", "--output", "json")));
        Assert.That(json.GetProperty("tables").GetProperty("total").GetInt32(), Is.Zero);
        Assert.That(json.GetProperty("columns").GetProperty("total").GetInt32(), Is.Zero);

        // A partitioned table counts once: its partitions are described by the parent.
        await _w.ExecAsync(backend == "postgresql"
            ? $"""
               CREATE TABLE {_w.Schema}.cov_events (id int, at date) PARTITION BY RANGE (at);
               CREATE TABLE {_w.Schema}.cov_events_2025 PARTITION OF {_w.Schema}.cov_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
               CREATE TABLE {_w.Schema}.cov_events_2026 PARTITION OF {_w.Schema}.cov_events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
               """
            : $"CREATE TABLE {_w.Schema}.cov_events (id int, at date) PARTITION BY RANGE (YEAR(at)) (PARTITION p2025 VALUES LESS THAN (2026), PARTITION p2026 VALUES LESS THAN (2027))");
        var events = WarehouseWorld.Json(amx.Run("coverage", _w.Schema, "--min-coverage", "100", "--output", "json"));
        var targets = events.GetProperty("undescribed").EnumerateArray().Select(u => u.GetProperty("target").GetString()!).ToList();
        Assert.That(targets, Does.Contain($"{_w.Schema}.cov_events"));
        Assert.That(targets, Does.Contain($"{_w.Schema}.cov_events.at"));
        Assert.That(targets.Where(t => t.StartsWith($"{_w.Schema}.cov_events_")), Is.Empty, "partitions are not counted");
        Assert.That(targets.Where(t => t.Contains("amx_history")), Is.Empty);
        await _w.ExecAsync($"DROP TABLE {_w.Schema}.cov_events"); // the other test counts this schema

        var bad = amx.Run("coverage", _w.Schema, "--min-coverage", "120");
        Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
        Assert.That(bad.Stderr, Does.StartWith("error: --min-coverage must be a percentage between 0 and 100"));
        Assert.That(bad.Stdout, Is.Empty);
    }

    static (int, int, double, bool) Counts(JsonElement e) =>
        (e.GetProperty("described").GetInt32(), e.GetProperty("total").GetInt32(), e.GetProperty("percent").GetDouble(), e.GetProperty("pass").GetBoolean());

    Task SetAnyColumnCommentAsync(string table, string column, string comment) => backend == "postgresql" || column != "id"
        ? _w.SetColumnCommentAsync(table, column, comment)
        : _w.ExecAsync($"ALTER TABLE {_w.Schema}.{table} MODIFY id int NOT NULL COMMENT {WarehouseWorld.Lit(comment)}");
}
