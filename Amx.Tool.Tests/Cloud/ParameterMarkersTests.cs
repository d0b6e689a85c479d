using Amx.Data.Warehouse.Http;

namespace Amx.Tool.Tests.Cloud;

/// <summary>The store's <c>@name</c> SQL in each API's marker, and the APIs' timestamp texts read back as UTC instants.</summary>
public sealed class ParameterMarkersTests
{
    static HttpSqlParameter P(string name, object? value) => new() { ParameterName = name, Value = value };

    [Test]
    public void Positional_binds_each_use_in_order_and_leaves_quoted_text_alone()
    {
        var (sql, ps) = ParameterMarkers.Rewrite(
            "MERGE INTO t USING (SELECT CAST(@r0 AS VARCHAR) AS run_id) s ON t.run_id = s.run_id WHERE x = '@r1''s' AND \"@r1\" = @r1 VALUES (@r0, @r1)",
            [P("@r0", "a"), P("@r1", "b")], ParameterMarker.Question);
        Assert.That(sql, Is.EqualTo("MERGE INTO t USING (SELECT CAST(? AS VARCHAR) AS run_id) s ON t.run_id = s.run_id WHERE x = '@r1''s' AND \"@r1\" = ? VALUES (?, ?)"));
        Assert.That(ps.Select(p => p.Value), Is.EqualTo(new object[] { "a", "b", "a", "b" }));
    }

    [Test]
    public void Named_markers_keep_one_parameter_per_name_without_the_at()
    {
        var (sql, ps) = ParameterMarkers.Rewrite("SELECT 1 FROM `a@b`.t WHERE x = @run AND y = @run OR z = @t0", [P("@run", "r"), P("@t0", 3)], ParameterMarker.ColonName);
        Assert.That(sql, Is.EqualTo("SELECT 1 FROM `a@b`.t WHERE x = :run AND y = :run OR z = :t0"));
        Assert.That(ps.Select(p => (p.ParameterName, p.Value)), Is.EqualTo(new[] { ("run", (object?)"r"), ("t0", 3) }));
    }

    [Test]
    public void Sql_already_in_the_api_marker_passes_unchanged_and_an_unbound_name_is_refused()
    {
        var warehouse = new[] { P("schema", "s") };
        Assert.That(ParameterMarkers.Rewrite("SELECT * FROM x WHERE s = :schema", warehouse, ParameterMarker.ColonName).Parameters, Is.SameAs(warehouse));
        Assert.That(ParameterMarkers.Rewrite("SELECT @a", [P("@a", 1)], ParameterMarker.AtName).Sql, Is.EqualTo("SELECT @a"), "BigQuery takes @name as written");
        Assert.Throws<InvalidOperationException>(() => ParameterMarkers.Rewrite("SELECT @a, @b", [P("@a", 1)], ParameterMarker.Question));
    }

    [TestCase("1764439512.123456789 1440", "2025-11-29T18:05:12.1234567Z")] // Snowflake TIMESTAMP_TZ: epoch, offset (+0)
    [TestCase("1764439512.123456789 1500", "2025-11-29T18:05:12.1234567Z")] // another offset: the same instant
    [TestCase("1764439512.000000000", "2025-11-29T18:05:12.0000000Z")]      // TIMESTAMP_NTZ
    [TestCase("1.764439512123456E9", "2025-11-29T18:05:12.1234560Z")]       // BigQuery's float seconds, microseconds
    [TestCase("-1.5", "1969-12-31T23:59:58.5000000Z")]
    public void Epoch_timestamps_read_as_utc(string text, string expected)
    {
        var at = HttpSqlDataReader.ParseEpoch(text);
        Assert.That(at.Kind, Is.EqualTo(DateTimeKind.Utc));
        Assert.That(at.ToString("O"), Is.EqualTo(expected));
    }
}
