using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Microsoft.Data.Sqlite;
using static Amx.Tool.Tests.HistoryRead.HistoryListTests;

namespace Amx.Tool.Tests.HistoryRead;

/// <summary>
/// <c>history compare</c> as a merge join of two byte-ordered cursors (issue 19): on PostgreSQL and on the local SQLite
/// file, with names whose UTF-8 order is not UTF-16's, one-sided targets and prefixes holding LIKE's own characters,
/// the rows must be those of the in-memory comparison (<see cref="RunComparison.Compare(HistoryRun, IEnumerable{ValueTuple{string, string}}, HistoryRun, IEnumerable{ValueTuple{string, string}}, string?)"/>).
/// </summary>
public class HistoryCompareMergeTests
{
    static readonly HistoryRun Left = new() { RunId = "run_left", Who = "alice@acme.com" };
    static readonly HistoryRun Right = new() { RunId = "run_right", Who = "bob@acme.com" };

    /// <summary>Left: names that sort differently in UTF-16 and UTF-8, quotes, LIKE wildcards, a NULL.</summary>
    static readonly (string Target, string? Description)[] LeftRows =
    [
        ("sales.customer", "Customers\tone row each"),
        ("sales.customer.Zeta", "upper Z"),
        ("sales.customer.alpha", "Ünïcødé — 顧客 😀"),
        ("sales.customer.éclair", null),
        ("sales.customer._under", "under"),
        ("sales.customer.a", "a"),
        ("sales.customer.\uFF21", "fullwidth A"),
        ("sales.customer.\U0001F600", "emoji name"),
        ("\"sales x\".\"t.1\".\"a \"\"q\"\"\"", "quoted names"),
        ("sales.100%_off", "percent"),
        ("sales.100x_off", "no percent"),
        ("sales.orders.o_id", "Order number"),
    ];

    /// <summary>Right: some the same, some different, some missing, some its own (lower-case twins of left's names for SQLite's LIKE).</summary>
    static readonly (string Target, string? Description)[] RightRows =
    [
        ("sales.customer", "Customers\tone row each"),
        ("sales.customer.zeta", "lower z, only here"),
        ("sales.customer.alpha", "Ünïcødé — 顧客 😀 (edited)"),
        ("sales.customer.éclair", null),
        ("sales.customer.xunder", "only here"),
        ("sales.customer.\uFF21", "fullwidth A"),
        ("sales.customer.\U0001F600", "another emoji text"),
        ("sales.customer.\U0001F601", "grin, only here"),
        ("sales.100%_off", "percent changed"),
        ("sales.orders.o_id", "Order number"),
        ("zz.only_right", "last"),
    ];

    static readonly string?[] Filters = [null, "sales.customer.", "sales.customer._", "sales.100%", "sales.customer.Z", "sales.customer.\U0001F600", "nothing."];

    [Test]
    public async Task Merge_join_on_PostgreSQL_gives_the_in_memory_rows_for_awkward_names_one_sided_targets_and_wildcard_prefixes()
    {
        using var s = await SeededStore.CreateAsync();
        await s.InsertRunAsync(Left.RunId, Left.Who, DateTime.UtcNow.AddHours(-2), "sales");
        await s.InsertRunAsync(Right.RunId, Right.Who, DateTime.UtcNow.AddHours(-1), "sales");
        foreach (var (t, d) in LeftRows) await s.InsertResultAsync(Left.RunId, t, d);
        foreach (var (t, d) in RightRows) await s.InsertResultAsync(Right.RunId, t, d);
        AssertCliMatchesInMemory(s.Amx);
    }

    [Test]
    public async Task Merge_join_on_the_local_SQLite_store_gives_the_in_memory_rows_and_needs_no_fallback()
    {
        using var amx = new AmxCli("alice@acme.com");
        var env = new AmxEnvironment(amx.Home, "alice@acme.com");
        var store = await HistoryStore.OpenAsync(new AmxConfig(), env);
        await using (var conn = new SqliteConnection($"Data Source={Path.Combine(amx.Home, "history.db")}"))
        {
            await conn.OpenAsync();
            foreach (var (run, rows) in new[] { (Left, LeftRows), (Right, RightRows) })
            {
                Exec(conn, """
                    INSERT INTO amx_history_runs (run_id, who, host, client_version, started_at, scope, state, ok_count, fail_count)
                    VALUES ($id, $who, 'h', '0.1.0', $t, 'sales', 'drafted', 0, 0)
                    """, ("$id", run.RunId), ("$who", run.Who), ("$t", DateTime.UtcNow.AddHours(-1)));
                foreach (var (t, d) in rows)
                    Exec(conn, """
                        INSERT INTO amx_history_results (run_id, target_qname, target_kind, description, confidence, decision, applied)
                        VALUES ($run, $q, 'COLUMN', $d, 'high', 'pending', 0)
                        """, ("$run", run.RunId), ("$q", t), ("$d", (object?)d ?? DBNull.Value));
            }
        }
        // The cursors themselves: in byte order straight from SQLite (no ByteOrderException, so no in-memory fallback).
        foreach (var filter in Filters)
        {
            var merged = await store.ReadAsync(async r =>
            {
                var list = new List<ComparisonRow>();
                await foreach (var row in RunComparison.MergeAsync(Left, r.OrderedDescriptionsAsync(Left.RunId, filter), Right, r.OrderedDescriptionsAsync(Right.RunId, filter)))
                    list.Add(row);
                return list;
            });
            Assert.That(merged, Is.EqualTo(RunComparison.Compare(Left, LeftRows, Right, RightRows, filter).ToList()), $"filter {filter ?? "(none)"}");
        }
        AssertCliMatchesInMemory(amx);
    }

    static void AssertCliMatchesInMemory(AmxCli amx)
    {
        foreach (var filter in Filters)
        {
            var expected = RunComparison.Compare(Left, LeftRows, Right, RightRows, filter).ToList();
            var args = new List<string> { "history", "compare", Left.RunId, Right.RunId, "--output", "json" };
            if (filter is not null) args.AddRange(["--filter", filter]);
            var json = Json(amx.Run([.. args]));
            var rows = json.GetProperty("rows").EnumerateArray()
                .Select(r => new ComparisonRow(r.GetProperty("target").GetString()!, r.GetProperty("left").GetString(), r.GetProperty("right").GetString(),
                    r.GetProperty("status").GetString()!)).ToList();
            Assert.That(rows, Is.EqualTo(expected), $"filter {filter ?? "(none)"}");
            var counts = json.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
            Assert.That(counts, Is.EquivalentTo(expected.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count())), $"filter {filter ?? "(none)"}");
        }
        // A sanity check on the expectation itself: the wildcard prefixes really are literal, the surrogate pair sorts after U+FF21.
        Assert.That(RunComparison.Compare(Left, LeftRows, Right, RightRows, "sales.customer._").Select(r => r.Target), Is.EqualTo(new[] { "sales.customer._under" }));
        Assert.That(RunComparison.Compare(Left, LeftRows, Right, RightRows, "sales.100%").Select(r => r.Target), Is.EqualTo(new[] { "sales.100%_off" }));
        var all = RunComparison.Compare(Left, LeftRows, Right, RightRows).Select(r => r.Target).ToList();
        Assert.That(all.IndexOf("sales.customer.\uFF21"), Is.LessThan(all.IndexOf("sales.customer.\U0001F600")));
    }

    /// <summary>Past 2,000 rows compare streams: json, csv, markdown and the table carry every row and the counts.</summary>
    [Test]
    public async Task A_large_compare_streams_every_format_with_the_same_rows_and_counts()
    {
        using var s = await SeededStore.CreateAsync();
        await s.InsertRunAsync(Left.RunId, Left.Who, DateTime.UtcNow.AddHours(-2), "bench");
        await s.InsertRunAsync(Right.RunId, Right.Who, DateTime.UtcNow.AddHours(-1), "bench");
        // Left: 3,000 targets; right: the first 2,700 of them (every 4th text changed, every 11th NULL) and 200 of its own.
        await s.Pg.ExecuteAsync("""
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision)
            SELECT 'run_left', 'bench.t' || lpad((g / 50)::text, 4, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN',
                   'Column ' || g || E', a "quoted" | piped\ntext — é', 'high', 'pending' FROM generate_series(0, 2999) g;
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision)
            SELECT 'run_right', 'bench.t' || lpad((g / 50)::text, 4, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN',
                   CASE WHEN g % 11 = 0 THEN NULL WHEN g % 4 = 0 THEN 'changed ' || g ELSE 'Column ' || g || E', a "quoted" | piped\ntext — é' END,
                   'high', 'pending' FROM generate_series(0, 2699) g;
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision)
            SELECT 'run_right', 'bench.u' || lpad(g::text, 4, '0'), 'TABLE', 'own ' || g, 'high', 'pending' FROM generate_series(0, 199) g;
            """, s.Database);
        string Target(int g) => $"bench.t{g / 50:D4}.c{g % 50:D2}";
        string Text(int g) => $"Column {g}, a \"quoted\" | piped\ntext — é";
        var left = Enumerable.Range(0, 3000).Select(g => (Target(g), (string?)Text(g)));
        var right = Enumerable.Range(0, 2700).Select(g => (Target(g), g % 11 == 0 ? null : g % 4 == 0 ? $"changed {g}" : (string?)Text(g)))
            .Concat(Enumerable.Range(0, 200).Select(g => ($"bench.u{g:D4}", (string?)$"own {g}")));
        var expected = RunComparison.Compare(Left, left, Right, right).ToList();
        var counts = expected.GroupBy(r => r.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}");
        var footer = string.Join(", ", counts);
        Assert.That(expected, Has.Count.EqualTo(3200));

        var json = Json(s.Amx.Run("history", "compare", Left.RunId, Right.RunId, "--output", "json"));
        var rows = json.GetProperty("rows").EnumerateArray()
            .Select(r => new ComparisonRow(r.GetProperty("target").GetString()!, r.GetProperty("left").GetString(), r.GetProperty("right").GetString(),
                r.GetProperty("status").GetString()!)).ToList();
        Assert.That(rows, Is.EqualTo(expected));
        Assert.That(string.Join(", ", json.GetProperty("counts").EnumerateObject().Select(p => $"{p.Name}: {p.Value.GetInt32()}")), Is.EqualTo(footer));
        Assert.That(json.GetProperty("left").GetProperty("run_id").GetString(), Is.EqualTo(Left.RunId));
        Assert.That(json.GetProperty("scores").GetArrayLength(), Is.EqualTo(0));

        var csv = Ok(s.Amx.Run("history", "compare", Left.RunId, Right.RunId, "--output", "csv")).Stdout;
        var csvLines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csvLines[0], Does.StartWith("target,alice@acme.com ("));
        Assert.That(csv, Does.Contain($"{Target(4)},\"{Text(4).Replace("\"", "\"\"")}\",changed 4,diff\r\n"));
        Assert.That(csv, Does.Contain("bench.u0199,,own 199,bob@acme.com added\r\n"));

        var md = Ok(s.Amx.Run("history", "compare", Left.RunId, Right.RunId, "--output", "md")).Stdout;
        var mdRows = md.Split('\n').Where(l => l.StartsWith("| bench.")).ToList();
        Assert.That(mdRows, Has.Count.EqualTo(3200));
        Assert.That(mdRows[1], Is.EqualTo($"| {Target(1)} | \"Column 1, a \"quoted\" \\| piped<br>text — é\" | \"Column 1, a \"quoted\" \\| piped<br>text — é\" | same |"));
        Assert.That(md.TrimEnd(), Does.EndWith("\n\n" + footer));

        var table = Ok(s.Amx.Run("history", "compare", Left.RunId, Right.RunId)).Stdout.TrimEnd('\n').Split('\n');
        Assert.That(table[0], Does.Match(@"^target\s+alice@acme\.com \(.*\)\s+bob@acme\.com \(.*\)\s+status$"));
        Assert.That(table.Count(l => l.StartsWith("bench.")), Is.EqualTo(3200), "one line per target");
        Assert.That(table.Single(l => l.StartsWith(Target(2750) + " ")), Does.Match(@"""Column 2750, a ""quoted"" \| piped text — é""\s+\(no description\)\s+alice@acme\.com added$"));
        Assert.That(table[^1], Is.EqualTo(footer));
    }

    static void Exec(SqliteConnection conn, string sql, params (string Name, object Value)[] ps)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        cmd.ExecuteNonQuery();
    }
}
