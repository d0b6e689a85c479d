using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace Amx.Tool.Tests.Apply;

/// <summary>
/// review → apply → revert through the real CLI on PostgreSQL and MariaDB: decisions by flag and by file, texts that
/// break naive quoting read back by the database's own client, dry-run and --check, per-object privilege
/// failures, and run-apply.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class ReviewAndApplyTests(string backend)
{
    /// <summary>Quotes, ;, --, $$, backslashes, newlines, tabs and non-ASCII (BMP: MariaDB comments are utf8mb3).</summary>
    const string Tricky = "it's \"quoted\"; -- not a comment; $$ dollar $tag$ back\\slash \\\\ \\' \\n literal\nsecond line\twith a tab\r\nthird: café ü 日本 ✓ — end";
    const string TrickyToo = "O'Brien's \"table\" ;--$$\\\nline 2\t\ttabs; naïve façade Ωμέγα";
    const string TrickyThree = "csv, \"commas\", 'quotes'\nand a newline; \\ end ¿qué?";

    WarehouseWorld _wh = null!;
    AmxCli _amx = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _wh = await WarehouseWorld.CreateAsync(backend);
        _amx = _wh.NewCli("alice");
    }

    [OneTimeTearDown]
    public void TearDown() => _amx?.Dispose();

    [Test]
    public async Task Tricky_comments_set_by_flag_yaml_and_csv_are_applied_byte_exact_and_revert_restores_the_previous_state()
    {
        await _wh.CreateTableAsync("tricky", ["plain", "had_comment"]);
        const string old = "old 'value'; -- kept\twith a tab, ü";
        await _wh.SetColumnCommentAsync("tricky", "had_comment", old);
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(_amx.Run("run", $"{_wh.Schema}.tricky")));
        var t = $"{_wh.Schema}.tricky";

        WarehouseWorld.Ok(_amx.Run("review", runId, "--set", $"{t}.plain={Tricky}", "--reject", $"{t}.id"));

        var yml = Path.Combine(_amx.Home, "review.yml");
        WarehouseWorld.Ok(_amx.Run("review", runId, "--export", yml));
        // Edit the file as a person would: the decision and text lines of one entry, the rest untouched.
        var lines = File.ReadAllLines(yml).ToList();
        var start = lines.IndexOf($"- target: {t}.had_comment");
        Assert.That(start, Is.GreaterThanOrEqualTo(0), File.ReadAllText(yml));
        var end = lines.FindIndex(start + 1, l => l.StartsWith("- target:")) is var e && e < 0 ? lines.Count : e;
        Assert.That(lines.GetRange(start, end - start), Has.Some.StartsWith("  live_comment: \"old 'value'; -- kept"), "the export shows the live comment");
        for (var i = start; i < end; i++)
        {
            if (lines[i].StartsWith("  decision:")) lines[i] = "  decision: edited";
            if (lines[i].StartsWith("  text:")) lines[i] = "  text: " + YamlQuoted(TrickyToo);
        }
        File.WriteAllLines(yml, lines);
        WarehouseWorld.Ok(_amx.Run("review", runId, "--from-file", yml));

        var csvPath = Path.Combine(_amx.Home, "review.csv");
        WarehouseWorld.Ok(_amx.Run("review", runId, "--export", csvPath));
        var rows = ReadCsv(csvPath);
        Assert.That(rows[0], Is.EqualTo(new[] { "target", "kind", "confidence", "live_comment", "draft", "alternatives", "decision", "text", "source", "run_id" }));
        var tableRow = rows.Single(r => r[0] == t);
        tableRow[7] = TrickyThree;
        tableRow[6] = "accepted";
        WriteCsv(csvPath, rows);
        var reviewed = WarehouseWorld.Ok(_amx.Run("review", runId, "--from-file", csvPath, "--output", "json"));
        using (var json = JsonDocument.Parse(reviewed.Stdout))
        {
            Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("reviewed"), "nothing is pending any more");
            Assert.That(json.RootElement.GetProperty("edited").GetInt32(), Is.EqualTo(3));
            Assert.That(json.RootElement.GetProperty("rejected").GetInt32(), Is.EqualTo(1));
        }

        var history = await _wh.QueryAsync($"SELECT target_qname, description, decision, reviewed_by FROM {_wh.Results} WHERE run_id = '{runId}'");
        var byTarget = history.ToDictionary(r => (string)r[0]!);
        Assert.That(byTarget[$"{t}.plain"][1], Is.EqualTo(Tricky));
        Assert.That(byTarget[$"{t}.had_comment"][1], Is.EqualTo(TrickyToo));
        Assert.That(byTarget[t][1], Is.EqualTo(TrickyThree));
        Assert.That(history.Where(r => (string)r[0]! != $"{t}.id").Select(r => r[2]), Is.All.EqualTo("edited"));
        Assert.That(byTarget[$"{t}.id"][2], Is.EqualTo("rejected"));

        WarehouseWorld.Ok(_amx.Run("apply", runId, "--replace-outside-comments", "--yes"));
        Assert.That(_wh.ClientCommentHex("tricky", "plain"), Is.EqualTo(WarehouseWorld.Hex(Tricky)));
        Assert.That(_wh.ClientCommentHex("tricky", "had_comment"), Is.EqualTo(WarehouseWorld.Hex(TrickyToo)));
        Assert.That(_wh.ClientCommentHex("tricky", null), Is.EqualTo(WarehouseWorld.Hex(TrickyThree)));
        Assert.That(_wh.ClientCommentHex("tricky", "id"), Is.EqualTo("NULL"), "a rejected draft is not applied");

        var reverted = WarehouseWorld.Ok(_amx.Run("revert", runId, "--yes", "--output", "json"));
        using (var json = JsonDocument.Parse(reverted.Stdout))
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(3), reverted.ToString());
        Assert.That(_wh.ClientCommentHex("tricky", "plain"), Is.EqualTo("NULL"), "no comment before, no comment after");
        Assert.That(_wh.ClientCommentHex("tricky", null), Is.EqualTo("NULL"));
        Assert.That(_wh.ClientCommentHex("tricky", "had_comment"), Is.EqualTo(WarehouseWorld.Hex(old)));
        var after = await _wh.QueryAsync($"SELECT apply_status, applied FROM {_wh.Results} WHERE run_id = '{runId}' AND decision = 'edited'");
        Assert.That(after.Select(r => r[0]), Is.All.EqualTo("reverted"));
        Assert.That(after.Select(r => Convert.ToBoolean(r[1])), Is.All.False);
    }

    [Test]
    public async Task Review_by_confidence_name_and_file_records_reviewer_and_rejects_bad_input_without_changing_anything()
    {
        await _wh.CreateTableAsync("rv", ["a", "b", "c", "d"]);
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(_amx.Run("run", $"{_wh.Schema}.rv")));
        var t = $"{_wh.Schema}.rv";
        // Fixed confidences, whatever the offline drafter thought.
        foreach (var (target, level) in new[] { (t, "high"), ($"{t}.id", "high"), ($"{t}.a", "medium"), ($"{t}.b", "low"), ($"{t}.c", "low"), ($"{t}.d", "medium") })
            await _wh.ExecAsync($"UPDATE {_wh.Results} SET confidence = '{level}' WHERE run_id = '{runId}' AND target_qname = '{target}'");

        async Task<Dictionary<string, (string Decision, string? By, DateTime? At, string? Text)>> Decisions() =>
            (await _wh.QueryAsync($"SELECT target_qname, decision, reviewed_by, reviewed_at, description FROM {_wh.Results} WHERE run_id = '{runId}'"))
            .ToDictionary(r => ((string)r[0]!)[(t.Length)..], r => ((string)r[1]!, (string?)r[2], r[3] is null ? (DateTime?)null : Convert.ToDateTime(r[3]), (string?)r[4]));
        async Task<string> State() => (string)(await _wh.QueryAsync($"SELECT state FROM {_wh.Runs} WHERE run_id = '{runId}'"))[0][0]!;

        var bob = _wh.Teammate(_amx, "bob");
        var before = DateTime.UtcNow.AddMinutes(-5);
        WarehouseWorld.Ok(bob.Run("review", runId, "--accept", "high"));
        var d = await Decisions();
        Assert.That(new[] { d[""].Decision, d[".id"].Decision }, Is.All.EqualTo("accepted"));
        Assert.That(new[] { d[".a"].Decision, d[".b"].Decision, d[".c"].Decision, d[".d"].Decision }, Is.All.EqualTo("pending"));
        Assert.That(d[".id"].By, Is.EqualTo("bob"));
        Assert.That(d[".id"].At, Is.GreaterThan(before));
        Assert.That(await State(), Is.EqualTo("drafted"));

        WarehouseWorld.Ok(_amx.Run("review", runId, "--accept", "medium"));
        d = await Decisions();
        Assert.That(new[] { d[".a"].Decision, d[".d"].Decision }, Is.All.EqualTo("accepted"));
        Assert.That(d[".a"].By, Is.EqualTo("alice"));
        Assert.That(d[".id"].By, Is.EqualTo("bob"), "an earlier decision keeps its reviewer");

        // Bad input: exit 2, and nothing of the same call is recorded.
        var snapshot = await Decisions();
        var unknown = _amx.Run("review", runId, "--reject", $"{t}.b", "--accept", $"{t}.nope");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.Stderr, Does.Contain($"{t}.nope"));
        var set = _amx.Run("review", runId, "--set", $"{t}.b=new text", "--set", "no_equals_sign");
        Assert.That(set.ExitCode, Is.EqualTo(2), set.ToString());
        var csv = Path.Combine(_amx.Home, "bad.csv");
        WarehouseWorld.Ok(_amx.Run("review", runId, "--export", csv));
        var rows = ReadCsv(csv);
        rows.Single(r => r[0] == $"{t}.c")[6] = "rejected";
        rows.Single(r => r[0] == $"{t}.b")[6] = "maybe";
        WriteCsv(csv, rows);
        var badDecision = _amx.Run("review", runId, "--from-file", csv);
        Assert.That(badDecision.ExitCode, Is.EqualTo(2), badDecision.ToString());
        Assert.That(badDecision.Stderr, Does.Contain("unknown decision 'maybe'"));
        var missingFile = _amx.Run("review", runId, "--from-file", Path.Combine(_amx.Home, "nope.yml"));
        Assert.That(missingFile.ExitCode, Is.EqualTo(2));
        var unknownRun = _amx.Run("review", "run_2000-01-01_00-00-001", "--accept", "all");
        Assert.That(unknownRun.ExitCode, Is.EqualTo(2));
        Assert.That(await Decisions(), Is.EquivalentTo(snapshot), "bad input changes nothing");

        WarehouseWorld.Ok(_amx.Run("review", runId, "--reject", $"{t}.b"));
        Assert.That(await State(), Is.EqualTo("drafted"), "c is still pending");
        WarehouseWorld.Ok(_amx.Run("review", runId, "--accept", $"{t}.c"));
        d = await Decisions();
        Assert.That(d[".b"].Decision, Is.EqualTo("rejected"));
        Assert.That(d[".c"].Decision, Is.EqualTo("accepted"));
        Assert.That(await State(), Is.EqualTo("reviewed"));

        // --accept all on a fresh run takes every confidence.
        var second = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(_amx.Run("run", $"{_wh.Schema}.rv")));
        await _wh.ExecAsync($"UPDATE {_wh.Results} SET confidence = 'low' WHERE run_id = '{second}' AND target_qname = '{t}.a'");
        WarehouseWorld.Ok(_amx.Run("review", second, "--accept", "all"));
        var all = await _wh.QueryAsync($"SELECT decision FROM {_wh.Results} WHERE run_id = '{second}'");
        Assert.That(all.Select(r => r[0]), Is.All.EqualTo("accepted"));
        Assert.That((await _wh.QueryAsync($"SELECT state FROM {_wh.Runs} WHERE run_id = '{second}'"))[0][0], Is.EqualTo("reviewed"));
    }

    [Test]
    public async Task Dry_run_prints_exact_statements_check_reports_missing_rights_and_a_privilege_failure_stays_retryable()
    {
        var wh = await WarehouseWorld.CreateAsync(backend);
        using var amx = wh.NewCli("alice");
        await wh.CreateTableAsync("mine", ["x", "y"]);
        await wh.CreateTableAsync("theirs", ["z"]);
        var (user, password) = await wh.CreateLimitedUserAsync("mine", "theirs");
        amx.Env["AMX_MEMBER_PW"] = password;
        WarehouseWorld.Ok(amx.Run(wh.AddProfileArgs("member", user, "AMX_MEMBER_PW")));
        var runId = WarehouseWorld.RunIdOf(WarehouseWorld.Ok(amx.Run("run", wh.Schema, "--db-profile", "member")));
        WarehouseWorld.Ok(amx.Run("review", runId, "--set", $"{wh.Schema}.mine.x=Tricky: it's; -- $$ \\ \"x\"\nline\ttab é", "--accept", "all"));
        var descriptions = (await wh.QueryAsync($"SELECT target_qname, description FROM {wh.Results} WHERE run_id = '{runId}'"))
            .ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        Assert.That(descriptions, Has.Count.EqualTo(2 + 3 + 2));

        var dry = WarehouseWorld.Ok(amx.Run("apply", runId, "--dry-run"));
        var statements = dry.Stdout.Split('\n').Where(l => !l.StartsWith($"-- {wh.Schema}.") && !l.StartsWith("dry run:")).ToList();
        Assert.That(statements.Count(l => l.StartsWith("COMMENT ON ") || l.StartsWith("ALTER TABLE ")), Is.EqualTo(descriptions.Count), dry.ToString());
        Assert.That((await wh.LiveCommentsAsync()).Values, Is.All.Null, "a dry run writes nothing");
        // The preview goes chunk by chunk (1,000 targets by default; 2 here, so 4 chunks) and prints exactly the same.
        var chunked = WarehouseWorld.Ok(amx.Run("apply", runId, "--dry-run", "--chunk-size", "2"));
        Assert.That(chunked.Stdout, Is.EqualTo(dry.Stdout));
        Assert.That((await wh.QueryAsync($"SELECT count(*) FROM {wh.Results} WHERE run_id = '{runId}' AND (applied = TRUE OR apply_status IS NOT NULL)"))[0][0],
            Is.EqualTo(0).Or.EqualTo(0L));

        var check = amx.Run("apply", runId, "--check", "--chunk-size", "3", "--output", "json");
        Assert.That(check.ExitCode, Is.Not.EqualTo(0), check.ToString());
        using (var json = JsonDocument.Parse(check.Stdout))
        {
            var denied = json.RootElement.GetProperty("results").EnumerateArray()
                .Where(r => r.GetProperty("status").GetString() == "no-privilege").Select(r => r.GetProperty("target").GetString()).ToList();
            Assert.That(denied, Is.EquivalentTo(new[] { $"{wh.Schema}.theirs", $"{wh.Schema}.theirs.id", $"{wh.Schema}.theirs.z" }), check.ToString());
            Assert.That(json.RootElement.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("status").GetString() != "no-privilege"),
                Is.EqualTo(descriptions.Count), "every target once, across chunks of 3");
        }
        Assert.That((await wh.LiveCommentsAsync()).Values, Is.All.Null, "--check writes nothing");

        var partial = amx.Run("apply", runId, "--yes", "--output", "json");
        Assert.That(partial.ExitCode, Is.EqualTo(4), partial.ToString());
        Assert.That(partial.Stderr, Does.StartWith("error: 3 targets failed"), partial.ToString());
        var status = (await wh.QueryAsync($"SELECT target_qname, apply_status, applied, error FROM {wh.Results} WHERE run_id = '{runId}'"))
            .ToDictionary(r => (string)r[0]!);
        foreach (var (target, row) in status)
        {
            var theirs = target.StartsWith($"{wh.Schema}.theirs");
            Assert.That(row[1], Is.EqualTo(theirs ? "failed" : "applied"), target);
            Assert.That(Convert.ToBoolean(row[2]), Is.EqualTo(!theirs), target);
            if (theirs) Assert.That((string)row[3]!, Does.Contain("permission denied"), target);
        }
        var live = await wh.LiveCommentsAsync();
        foreach (var (target, text) in descriptions)
            Assert.That(live[target], Is.EqualTo(target.StartsWith($"{wh.Schema}.theirs") ? null : text), target);
        Assert.That((await wh.QueryAsync($"SELECT state FROM {wh.Runs} WHERE run_id = '{runId}'"))[0][0], Is.EqualTo("reviewed"), "not applied while targets are left");

        // The failures stay retryable: once the right is there, apply again writes just them.
        await wh.GrantCommentAsync(user, "theirs");
        var retry = WarehouseWorld.Ok(amx.Run("apply", runId, "--yes", "--output", "json"));
        using (var json = JsonDocument.Parse(retry.Stdout))
        {
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(3), retry.ToString());
            Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("applied"));
        }
        live = await wh.LiveCommentsAsync();
        foreach (var (target, text) in descriptions) Assert.That(live[target], Is.EqualTo(text), target);

        // The dry run's statements were exact: run by the database's own client after a revert, they give the same comments.
        WarehouseWorld.Ok(amx.Run("revert", runId, "--yes"));
        Assert.That((await wh.LiveCommentsAsync()).Values, Is.All.Null);
        wh.ClientScript(string.Join("\n", statements) + "\n");
        live = await wh.LiveCommentsAsync();
        foreach (var (target, text) in descriptions) Assert.That(live[target], Is.EqualTo(text), "dry-run statement of " + target);
    }

    [Test]
    public async Task Run_apply_drafts_accepts_high_and_applies_under_one_run_id_and_needs_yes_without_a_terminal()
    {
        var wh = await WarehouseWorld.CreateAsync(backend);
        using var amx = wh.NewCli("alice");
        await wh.CreateTableAsync("customer", ["name", "email", "created_at"]);
        await wh.CreateTableAsync("orders", ["customer_id", "total_amount", "xq7"]);

        var refused = amx.Run("run-apply", wh.Schema);
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.Stderr, Does.Contain("--yes"));
        Assert.That((await wh.QueryAsync($"SELECT count(*) FROM {wh.Runs}"))[0][0], Is.EqualTo(0).Or.EqualTo(0L), "nothing drafted without --yes");

        var done = WarehouseWorld.Ok(amx.Run("run-apply", wh.Schema, "--yes", "--output", "json"));
        var runs = await wh.QueryAsync($"SELECT run_id, state, applied_by FROM {wh.Runs}");
        Assert.That(runs, Has.Count.EqualTo(1), "one run id for draft, accept and apply");
        using (var json = JsonDocument.Parse(done.Stdout))
            Assert.That(json.RootElement.GetProperty("run_id").GetString(), Is.EqualTo(runs[0][0]));
        Assert.That(runs[0][1], Is.EqualTo("applied"));
        Assert.That(runs[0][2], Is.EqualTo("alice"));
        var results = await wh.QueryAsync($"SELECT target_qname, confidence, decision, applied, description FROM {wh.Results}");
        Assert.That(results.Where(r => (string)r[1]! == "high").Select(r => r[2]), Is.All.EqualTo("accepted"));
        Assert.That(results.Where(r => (string)r[1]! != "high").Select(r => r[2]), Is.All.EqualTo("pending"));
        Assert.That(results.Count(r => (string)r[1]! == "high"), Is.GreaterThan(0));
        var live = await wh.LiveCommentsAsync();
        foreach (var r in results)
            Assert.That(live[(string)r[0]!], Is.EqualTo(Convert.ToBoolean(r[3]) ? r[4] : null), (string)r[0]!);
        Assert.That(results.Where(r => Convert.ToBoolean(r[3])).Select(r => r[1]), Is.All.EqualTo("high"));
    }

    /// <summary>A YAML double-quoted scalar (JSON's string syntax is one).</summary>
    static string YamlQuoted(string s) => JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    static List<string[]> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(Enumerable.Range(0, csv.Parser.Count).Select(i => csv.GetField(i) ?? "").ToArray());
        return rows;
    }

    static void WriteCsv(string path, List<string[]> rows)
    {
        using var writer = new StreamWriter(path);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var row in rows)
        {
            foreach (var field in row) csv.WriteField(field);
            csv.NextRecord();
        }
    }
}
