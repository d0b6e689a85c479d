using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Amx.Tool.Tests.History;

/// <summary>
/// Listings of a run longer than a held table (<c>TableFormatter.LargeTable</c> rows) are written as they are read:
/// every result appears once, in the descriptions hash's byte order, in every format, and a file export appears only
/// complete.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class LargeListingTests
{
    const int Tables = 46, Columns = 50; // 2,346 targets: past the 2,000 rows a table holds

    static AmxCli.Result Ok(AmxCli.Result r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return r;
    }

    static (AmxCli Amx, string RunId, List<string> Targets) World()
    {
        var amx = new AmxCli("lister");
        var path = Path.Combine(amx.Home, "wide.db");
        using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            conn.Open();
            using var tx = conn.BeginTransaction();
            for (var t = 0; t < Tables; t++)
            {
                using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = $"CREATE TABLE t{t:D2} (" + string.Join(", ", Enumerable.Range(0, Columns).Select(c => $"c{c:D2} TEXT")) + ")";
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        Ok(amx.Run("add-db-profile", "wide", "--backend", "sqlite", "--path", path));
        Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
        var run = Ok(amx.Run("run", "main", "--output", "json"));
        var runId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run_id").GetString()!;
        var shown = JsonDocument.Parse(Ok(amx.Run("history", "show", runId, "--output", "json")).Stdout).RootElement.GetProperty("results");
        var targets = shown.EnumerateArray().Select(r => r.GetProperty("target").GetString()!).ToList();
        Assert.That(targets, Has.Count.EqualTo(Tables * (Columns + 1)));
        Assert.That(targets, Is.EqualTo(targets.Order(StringComparer.Ordinal).ToList()), "byte order");
        return (amx, runId, targets);
    }

    [Test]
    public void History_show_streams_a_long_table_markdown_and_csv_with_every_result_once_in_order()
    {
        var (amx, runId, targets) = World();
        using var _ = amx;
        foreach (var (format, header, first) in new[] { ("table", "target ", 0), ("md", "| target |", 1), ("csv", "target,", 0) })
        {
            var lines = Ok(amx.Run("history", "show", runId, "--output", format)).Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var start = lines.FindIndex(l => l.StartsWith(header, StringComparison.Ordinal));
            Assert.That(start, Is.GreaterThan(0), format);
            var rows = lines.Skip(start + 1 + first).Where(l => l.Length > 0).ToList();
            var names = rows.Select(l => format switch
            {
                "md" => l.Split(" | ")[0].TrimStart('|', ' '),
                "csv" => l.Split(',')[0],
                _ => l.Split(' ')[0],
            }).ToList();
            Assert.That(names, Is.EqualTo(targets), format);
        }
        var hashed = Ok(amx.Run("history", "show", runId, "--hash")).Stdout.TrimEnd().Split('\n')[^1];
        Assert.That(hashed, Is.EqualTo(Ok(amx.Run("history", "show", runId, "--hash-only")).Stdout.Trim()), "the table's hash line is the run's hash");
    }

    [Test]
    public void Export_writes_every_result_to_its_file_and_a_failed_export_leaves_no_file()
    {
        var (amx, runId, targets) = World();
        using var _ = amx;
        var dir = Path.Combine(amx.Home, "out");
        Directory.CreateDirectory(dir);
        Ok(amx.Run("export", runId, "--format", "json", "--file", Path.Combine(dir, "r.json")));
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "r.json"))).RootElement;
        Assert.That(json.EnumerateArray().Select(r => r.GetProperty("target").GetString()), Is.EqualTo(targets));
        Ok(amx.Run("export", runId, "--format", "csv", "--file", Path.Combine(dir, "r.csv")));
        Assert.That(File.ReadAllLines(Path.Combine(dir, "r.csv")).Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(targets));
        Ok(amx.Run("export", runId, "--format", "md", "--file", Path.Combine(dir, "r.md")));
        Assert.That(File.ReadAllLines(Path.Combine(dir, "r.md")).Length, Is.EqualTo(targets.Count + 2));

        Ok(amx.Run("review", runId, "--accept", "all"));
        var sql = Ok(amx.Run("export", runId, "--format", "sql")).Stdout;
        Assert.That(sql, Does.Contain($" statement(s) for {targets.Count} target(s)"), "every accepted target is in the script");
        Assert.That(sql.Split("\n-- ").Count(l => l.Contains("(COLUMN)", StringComparison.Ordinal) || l.Contains("(TABLE)", StringComparison.Ordinal)),
            Is.EqualTo(targets.Count), "one block per target");

        File.WriteAllText(Path.Combine(dir, "keep.csv"), "untouched");
        var failed = amx.Run("export", "run_2000-01-01_00-00-001", "--format", "csv", "--file", Path.Combine(dir, "keep.csv"));
        Assert.That(failed.ExitCode, Is.EqualTo(2), failed.ToString());
        Assert.That(File.ReadAllText(Path.Combine(dir, "keep.csv")), Is.EqualTo("untouched"), "an export that fails changes nothing");
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "r.json", "r.csv", "r.md", "keep.csv" }), "no temp file left");
    }
}
