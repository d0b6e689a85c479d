using System.Text.Json;
using static Amx.Tool.Tests.HistoryRead.HistoryListTests;

namespace Amx.Tool.Tests.HistoryRead;

/// <summary><c>amx history show / compare / stats</c> against a shared PostgreSQL store (docs/history-store.md, issue 7 items 2–4).</summary>
public class HistoryShowCompareStatsTests
{
    static readonly DateTime Now = DateTime.UtcNow;

    /// <summary>Descriptions that COPY's text format must escape, NULLs, non-ASCII, and names whose UTF-8 order is not a culture's.</summary>
    static readonly (string Qname, string Kind, string? Confidence, string? Description)[] Awkward =
    [
        ("sales.customer", "TABLE", "high", "Customers\tone row each\nsince 2019"),
        ("sales.customer.Zeta", "COLUMN", "medium", @"C:\path\to\file and a \N that is text"),
        ("sales.customer.alpha", "COLUMN", "low", "Ünïcødé — 顧客の名前 😀"),
        ("sales.customer.éclair", "COLUMN", null, null),
        ("sales.customer.c_cr", "COLUMN", "high", "carriage\rreturn, vertical\vtab, form\ffeed, back\bspace, bell\u0007"),
        ("sales.customer._under", "COLUMN", "high", ""),
        ("\"sales x\".\"t.1\".\"a \"\"q\"\"\"", "COLUMN", "high", "quoted names"),
        ("sales.customer.a", "COLUMN", "high", "trailing backslash \\"),
        // UTF-16 ordinal order puts the emoji (a surrogate pair) first; UTF-8 byte order puts the fullwidth A first.
        ("sales.customer.\uFF21", "COLUMN", "high", "fullwidth A"),
        ("sales.customer.\U0001F600", "COLUMN", "high", "emoji name"),
    ];

    static readonly IComparer<string> Utf8Bytes = Comparer<string>.Create((x, y) =>
        System.Text.Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y)));

    [Test]
    public async Task Show_lists_every_result_and_its_hash_equals_psql_COPY_piped_into_sha256sum()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("run_x", "alice@acme.com", Now.AddHours(-2), "sales", "applied", 7, 1, """{"tables":2,"profiling_mode":"metadata"}""",
            appliedBy: "carol@acme.com", appliedAt: Now.AddMinutes(-30));
        foreach (var (q, kind, conf, d) in Awkward)
            await s.InsertResultAsync("run_x", q, d, kind, conf, decision: d is null ? "pending" : "accepted", reviewedBy: d is null ? null : "bob@acme.com",
                applied: d is not null, appliedBy: d is null ? null : "carol@acme.com", appliedAt: d is null ? null : new DateTime(2026, 5, 3, 15, 44, 0, DateTimeKind.Utc),
                applyStatus: d is null ? null : "applied", error: d is null ? "LLM gave no answer" : null);
        // Another run's rows must not leak into this one's hash.
        await s.InsertRunAsync("run_y", "bob@acme.com", Now.AddHours(-1), "sales", "drafted", 1, 0);
        await s.InsertResultAsync("run_y", "sales.customer.alpha", "other");

        var table = Ok(s.Amx.Run("history", "show", "run_x", "--hash"));
        var lines = table.Stdout.TrimEnd('\n').Split('\n');
        var hash = lines[^1];
        Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));
        Assert.That(hash, Is.EqualTo(HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, "run_x")), "the DBA's psql COPY | sha256sum");
        // --hash-only streams the rows in the server's byte order (COLLATE "C") and prints just the digest.
        Assert.That(Ok(s.Amx.Run("history", "show", "run_x", "--hash-only")).Stdout, Is.EqualTo(hash + "\n"));
        var hashJson = Json(s.Amx.Run("history", "show", "run_x", "--hash-only", "--output", "json"));
        Assert.That(hashJson.GetProperty("hash").GetString(), Is.EqualTo(hash));
        Assert.That(hashJson.GetProperty("run_id").GetString(), Is.EqualTo("run_x"));
        // The run is looked up only when the hash read nothing: a run without results hashes to the digest of nothing,
        // an unknown run is bad input (exit 2) as everywhere else.
        await s.InsertRunAsync("run_empty", "bob@acme.com", Now.AddHours(-1), "sales", "failed", 0, 0);
        Assert.That(Ok(s.Amx.Run("history", "show", "run_empty", "--hash-only")).Stdout.Trim(),
            Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        var nope = s.Amx.Run("history", "show", "run_nope", "--hash-only");
        Assert.That(nope.ExitCode, Is.EqualTo(2), nope.ToString());
        Assert.That(nope.Stderr, Does.Contain("unknown run 'run_nope'"));
        Assert.That(nope.Stdout, Is.Empty, "no digest for a run that does not exist");
        Assert.That(table.Stdout, Does.Contain("run      run_x").And.Contain("alice@acme.com").And.Contain("sales (2 t)")
            .And.Contain("applied by carol@acme.com at " + Now.AddMinutes(-30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")));
        Assert.That(lines.First(l => l.StartsWith("target")), Does.Match(@"^target\s+kind\s+description\s+confidence\s+decision\s+reviewed_by\s+applied_by\s+applied_at\s+status"));
        var alpha = lines.Single(l => l.StartsWith("sales.customer.alpha "));
        Assert.That(alpha, Does.Match(@"COLUMN\s+Ünïcødé — 顧客の名前 😀\s+low\s+accepted\s+bob@acme\.com\s+carol@acme\.com\s+2026-05-03T15:44:00Z\s+applied"));
        Assert.That(lines.Single(l => l.StartsWith("sales.customer.éclair ")), Does.Contain("(failed: LLM gave no answer)"));

        var json = Json(s.Amx.Run("history", "show", "run_x", "--hash", "--output", "json"));
        Assert.That(json.GetProperty("hash").GetString(), Is.EqualTo(hash));
        Assert.That(json.GetProperty("run").GetProperty("run_id").GetString(), Is.EqualTo("run_x"));
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results.Select(r => r.GetProperty("target").GetString()), Is.EqualTo(Awkward.Select(a => a.Qname).Order(Utf8Bytes)),
            "every result, in UTF-8 byte order");
        var tab = results.Single(r => r.GetProperty("target").GetString() == "sales.customer");
        Assert.That(tab.GetProperty("description").GetString(), Is.EqualTo("Customers\tone row each\nsince 2019"));
        Assert.That(tab.GetProperty("kind").GetString(), Is.EqualTo("TABLE"));
        foreach (var f in new[] { "confidence", "decision", "reviewed_by", "applied_by", "applied_at", "apply_status" })
            Assert.That(tab.TryGetProperty(f, out _), Is.True, f);

        // The hash does not depend on the output format, and another run has another hash.
        Assert.That(Ok(s.Amx.Run("history", "show", "run_y", "--hash")).Stdout.TrimEnd('\n').Split('\n')[^1],
            Is.EqualTo(HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, "run_y")).And.Not.EqualTo(hash));
        var unknown = s.Amx.Run("history", "show", "run_nope", "--hash");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.Stderr, Does.StartWith("error: unknown run 'run_nope'").And.Contain("hint: "));
    }

    [Test]
    public async Task Hash_only_of_a_run_id_that_is_not_plain_takes_the_parameterised_read_and_still_matches_psql()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        // COPY takes no parameters: amx writes only plain ids (letters, digits, "_-.:") into it. This one would end the
        // literal; it must be read through the parameterised query, give the same digest as the DBA's, and harm nothing.
        const string hostile = "x'; DROP TABLE amx.amx_history_runs;--";
        await s.InsertRunAsync(hostile, "alice@acme.com", Now.AddHours(-2), "sales", "drafted", Awkward.Length, 0);
        await s.InsertRunAsync("run_plain", "alice@acme.com", Now.AddHours(-1), "sales", "drafted", Awkward.Length, 0);
        foreach (var (q, kind, conf, d) in Awkward)
        {
            await s.InsertResultAsync(hostile, q, d, kind, conf);
            await s.InsertResultAsync("run_plain", q, d, kind, conf);
        }
        var digest = HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, hostile);
        Assert.That(Ok(s.Amx.Run("history", "show", hostile, "--hash-only")).Stdout.Trim(), Is.EqualTo(digest));
        Assert.That(Ok(s.Amx.Run("history", "show", "run_plain", "--hash-only")).Stdout.Trim(), Is.EqualTo(digest),
            "the same rows under a plain id (streamed COPY) hash the same");
        Assert.That(await s.ScalarAsync<long>("SELECT count(*) FROM amx.amx_history_runs"), Is.EqualTo(2), "the runs table is still there");
    }

    [Test]
    public async Task Hash_only_over_a_connection_that_is_not_UTF8_is_still_the_UTF8_digest()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("run_l", "alice@acme.com", Now.AddHours(-1), "sales", "drafted", 3, 0);
        await s.InsertResultAsync("run_l", "sales.café", "Ünïcødé café\tand a tab\nand a line", "TABLE");
        await s.InsertResultAsync("run_l", "sales.café.prix", "prix en francs, «hors taxe»", confidence: "low");
        await s.InsertResultAsync("run_l", "sales.café.zèbre", null, confidence: null);
        var utf8 = HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, "run_l");
        // A profile that asks the server for Latin-1: COPY's bytes are not the UTF-8 the hash is defined on, so amx reads
        // the decoded rows instead of hashing the stream.
        Ok(s.Amx.Run("add-db-profile", "latin", "--backend", "postgresql", "--host", "127.0.0.1", "--port", s.Pg.Port.ToString(),
            "--database", s.Database, "--user", s.Pg.AdminUser, "--password-env", SeededStore.PwVar,
            "--option", "Client Encoding=LATIN1", "--option", "Encoding=ISO-8859-1"));
        Ok(s.Amx.Run("history-store", "enable", "--profile", "latin", "--schema", "AMX", "--yes"));
        Assert.That(Ok(s.Amx.Run("history", "show", "run_l", "--hash-only")).Stdout.Trim(), Is.EqualTo(utf8));
        Assert.That(Ok(s.Amx.Run("history", "show", "run_l", "--hash")).Stdout.TrimEnd('\n').Split('\n')[^1], Is.EqualTo(utf8));
    }

    [Test]
    public async Task Show_hash_of_a_run_without_results_is_the_sha256_of_nothing()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("run_empty", "alice@acme.com", Now, "sales", "failed");
        var hash = Ok(s.Amx.Run("history", "show", "run_empty", "--hash")).Stdout.TrimEnd('\n').Split('\n')[^1];
        Assert.That(hash, Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        Assert.That(hash, Is.EqualTo(HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, "run_empty")));
    }

    [Test]
    public async Task Show_of_a_large_run_streams_one_line_per_result_and_its_hash_still_matches_psql()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("run_big", "alice@acme.com", Now.AddHours(-1), "bench", "drafted", 2500, 0);
        await s.Pg.ExecuteAsync("""
            INSERT INTO amx.amx_history_results (run_id, target_qname, target_kind, description, confidence, decision)
            SELECT 'run_big', 'bench.t' || lpad((g / 50)::text, 4, '0') || '.c' || lpad((g % 50)::text, 2, '0'), 'COLUMN',
                   CASE WHEN g % 7 = 0 THEN NULL ELSE E'Column ' || g || E' of the table\nsecond line\tand a tab — é' END, 'high', 'pending'
            FROM generate_series(0, 2499) g
            """, s.Database);
        var r = Ok(s.Amx.Run("history", "show", "run_big", "--hash"));
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines[^1], Is.EqualTo(HistoryPsql.Sha256OfCopy(s.Pg, s.Database, SeededStore.Schema, "run_big")));
        Assert.That(Ok(s.Amx.Run("history", "show", "run_big", "--hash-only")).Stdout.Trim(), Is.EqualTo(lines[^1]));
        var rows = lines.Where(l => l.StartsWith("bench.t")).ToList();
        Assert.That(rows, Has.Count.EqualTo(2500), "one line per result: line breaks inside descriptions are flattened");
        Assert.That(rows[1], Does.Match(@"^bench\.t0000\.c01\s+COLUMN\s+Column 1 of the table second line and a tab — é\s+high\s+pending$"));
        Assert.That(rows[0], Does.Match(@"^bench\.t0000\.c00\s+COLUMN\s+high\s+pending$"));
    }

    [Test]
    public async Task Read_verbs_explain_missing_shared_tables_instead_of_a_raw_database_error()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.Pg.ExecuteAsync("DROP TABLE amx.amx_history_results, amx.amx_history_runs", s.Database);
        foreach (var args in new[] { new[] { "history", "list" }, new[] { "history", "show", "run_x" }, new[] { "history", "compare", "a", "b" } })
        {
            var r = s.Amx.Run(args);
            Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
            Assert.That(r.Stderr, Does.StartWith("error: the shared history tables (amx_history_runs, amx_history_results) are missing").And.Contain("hint: "));
        }
    }

    static async Task<SeededStore> TwoRunsAsync()
    {
        var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("run_alice", "alice@acme.com", Now.AddHours(-2).AddMinutes(-1), "sales", "drafted", 4, 0);
        await s.InsertRunAsync("run_bob", "bob@acme.com", Now.AddDays(-5).AddMinutes(-1), "sales", "drafted", 4, 1);
        await s.InsertResultAsync("run_alice", "sales.customer.c_first_name", "Given name of the customer");
        await s.InsertResultAsync("run_bob", "sales.customer.c_first_name", "First name of the customer");
        await s.InsertResultAsync("run_alice", "sales.customer.c_last_name", "Surname of the customer");
        await s.InsertResultAsync("run_bob", "sales.customer.c_last_name", "Surname of the customer");
        await s.InsertResultAsync("run_alice", "sales.customer.x_legacy_status", "Legacy status flag, a, b or c");
        await s.InsertResultAsync("run_bob", "sales.customer_note.text", "Free text note");
        await s.InsertResultAsync("run_bob", "sales.customer.c_failed", null, error: "timeout");
        await s.InsertResultAsync("run_alice", "sales.orders.o_id", "Order number");
        await s.InsertResultAsync("run_bob", "sales.orders.o_id", "Order identifier");
        return s;
    }

    [Test]
    public async Task Compare_table_pairs_targets_with_the_three_statuses_and_counts_them_at_the_end()
    {
        using var s = await TwoRunsAsync();
        var r = Ok(s.Amx.Run("history", "compare", "run_alice", "run_bob", "--filter", "sales.customer"));
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Does.Match(@"^target\s+alice@acme\.com \(2 hr ago\)\s+bob@acme\.com \(5 days ago\)\s+status\s*$"));
        Assert.That(Line(lines, "sales.customer.c_first_name"), Does.Match(@"""Given name of the customer""\s+""First name of the customer""\s+diff\s*$"));
        Assert.That(Line(lines, "sales.customer.c_last_name"), Does.Match(@"""Surname of the customer""\s+""Surname of the customer""\s+same\s*$"));
        Assert.That(Line(lines, "sales.customer.x_legacy_status"), Does.Match(@"""Legacy status flag, a, b or c""\s+\(no description\)\s+alice@acme\.com added\s*$"));
        Assert.That(Line(lines, "sales.customer_note.text"), Does.Match(@"\(no description\)\s+""Free text note""\s+bob@acme\.com added\s*$"),
            "--filter is a prefix of the name, as on the page");
        Assert.That(Line(lines, "sales.customer.c_failed"), Does.Match(@"\(no description\)\s+\(no description\)\s+same\s*$"));
        Assert.That(r.Stdout, Does.Not.Contain("sales.orders"));
        Assert.That(lines[^1], Is.EqualTo("alice@acme.com added: 1, bob@acme.com added: 1, diff: 1, same: 2"));
    }

    [Test]
    public async Task Compare_json_csv_and_markdown_carry_the_same_rows_and_unknown_runs_exit_2()
    {
        using var s = await TwoRunsAsync();
        var json = Json(s.Amx.Run("history", "compare", "run_alice", "run_bob", "--output", "json"));
        Assert.That(json.GetProperty("left").GetProperty("who").GetString(), Is.EqualTo("alice@acme.com"));
        Assert.That(json.GetProperty("right").GetProperty("run_id").GetString(), Is.EqualTo("run_bob"));
        Assert.That(json.GetProperty("left").GetProperty("started_at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows, Has.Count.EqualTo(6));
        var added = rows.Single(x => x.GetProperty("target").GetString() == "sales.customer.x_legacy_status");
        Assert.That(added.GetProperty("right").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(added.GetProperty("status").GetString(), Is.EqualTo("alice@acme.com added"));
        var counts = json.GetProperty("counts");
        Assert.That(counts.GetProperty("diff").GetInt32(), Is.EqualTo(2));
        Assert.That(counts.GetProperty("same").GetInt32(), Is.EqualTo(2));

        var csv = Ok(s.Amx.Run("history", "compare", "run_alice", "run_bob", "--output", "csv")).Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csv[0], Is.EqualTo("target,alice@acme.com (2 hr ago),bob@acme.com (5 days ago),status"));
        Assert.That(csv, Does.Contain("sales.customer.x_legacy_status,\"Legacy status flag, a, b or c\",,alice@acme.com added"),
            "csv carries the raw texts; a missing side is empty");
        Assert.That(csv, Does.Contain("sales.orders.o_id,Order number,Order identifier,diff"));
        Assert.That(csv, Has.Length.EqualTo(7));

        var md = Ok(s.Amx.Run("history", "compare", "run_alice", "run_bob", "--output", "md")).Stdout;
        Assert.That(md, Does.StartWith("| target | alice@acme.com (2 hr ago) | bob@acme.com (5 days ago) | status |"));
        Assert.That(md, Does.Contain("| sales.customer.c_last_name | \"Surname of the customer\" | \"Surname of the customer\" | same |"));
        Assert.That(md.TrimEnd(), Does.EndWith("alice@acme.com added: 1, bob@acme.com added: 1, diff: 2, same: 2"));

        foreach (var args in new[] { new[] { "run_alice", "run_nope" }, new[] { "run_nope", "run_bob" } })
        {
            var bad = s.Amx.Run(["history", "compare", .. args]);
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
            Assert.That(bad.Stderr, Does.StartWith("error: unknown run 'run_nope'").And.Contain("hint: list the runs with: amx history list"));
        }
        var none = Ok(s.Amx.Run("history", "compare", "run_alice", "run_bob", "--filter", "nothing."));
        Assert.That(none.Stdout, Does.Contain("No targets to compare"));
    }

    [Test]
    public async Task Stats_counts_runs_per_state_and_per_person_and_what_was_drafted_accepted_and_applied()
    {
        using var s = await SeededStore.CreateAsync(inProcess: true);
        await s.InsertRunAsync("r1", "alice@acme.com", Now.AddHours(-3), "sales", "applied", 3, 0);
        await s.InsertRunAsync("r2", "alice@acme.com", Now.AddHours(-2), "sales", "failed", 0, 2);
        await s.InsertRunAsync("r3", "bob@acme.com", Now.AddHours(-1), "catalog", "drafted", 2, 0);
        await s.InsertResultAsync("r1", "sales.a", "A", decision: "accepted", reviewedBy: "bob@acme.com", applied: true, appliedBy: "carol@acme.com", appliedAt: Now, applyStatus: "applied");
        await s.InsertResultAsync("r1", "sales.b", "B", decision: "edited", reviewedBy: "bob@acme.com", applied: true, appliedBy: "carol@acme.com", appliedAt: Now, applyStatus: "applied");
        await s.InsertResultAsync("r1", "sales.c", "C", decision: "rejected", reviewedBy: "bob@acme.com");
        await s.InsertResultAsync("r2", "sales.d", null, error: "timeout");
        await s.InsertResultAsync("r3", "catalog.e", "E");
        await s.InsertResultAsync("r3", "catalog.f", "F", decision: "accepted", reviewedBy: "alice@acme.com");

        var json = Json(s.Amx.Run("history", "stats", "--output", "json"));
        var byState = json.GetProperty("runs_by_state");
        Assert.That(byState.GetProperty("applied").GetInt32(), Is.EqualTo(1));
        Assert.That(byState.GetProperty("failed").GetInt32(), Is.EqualTo(1));
        Assert.That(byState.GetProperty("drafted").GetInt32(), Is.EqualTo(1));
        var people = json.GetProperty("people").EnumerateArray().ToDictionary(p => p.GetProperty("who").GetString()!);
        Assert.That(people.Keys, Is.EquivalentTo(new[] { "alice@acme.com", "bob@acme.com", "carol@acme.com" }));
        Assert.That(Counts(people["alice@acme.com"]), Is.EqualTo((2, 3, 1, 0)));
        Assert.That(Counts(people["bob@acme.com"]), Is.EqualTo((1, 2, 2, 0)));
        Assert.That(Counts(people["carol@acme.com"]), Is.EqualTo((0, 0, 0, 2)));
        var totals = json.GetProperty("totals");
        Assert.That(totals.GetProperty("runs").GetInt32(), Is.EqualTo(3));
        Assert.That(totals.GetProperty("drafted").GetInt32(), Is.EqualTo(5));
        Assert.That(totals.GetProperty("accepted").GetInt32(), Is.EqualTo(3));
        Assert.That(totals.GetProperty("applied").GetInt32(), Is.EqualTo(2));

        var table = Ok(s.Amx.Run("history", "stats")).Stdout;
        Assert.That(table, Does.Match(@"who\s+runs\s+drafted\s+accepted\s+applied"));
        Assert.That(table, Does.Match(@"bob@acme\.com\s+1\s+2\s+2\s+0"));
        Assert.That(table, Does.Contain("runs by state: applied 1, drafted 1, failed 1"));
    }

    static (int, int, int, int) Counts(JsonElement p) =>
        (p.GetProperty("runs").GetInt32(), p.GetProperty("drafted").GetInt32(), p.GetProperty("accepted").GetInt32(), p.GetProperty("applied").GetInt32());

    static string Line(string[] lines, string target) =>
        lines.SingleOrDefault(l => l.StartsWith(target + " ", StringComparison.Ordinal))
        ?? throw new AssertionException($"no row for {target}:\n{string.Join('\n', lines)}");
}
