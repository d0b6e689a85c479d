using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.History.Providers;
using static Amx.Tool.Tests.History.HistoryTestSupport;

namespace Amx.Tool.Tests.History;

/// <summary>The store API the other verbs call, on the local SQLite default and on a real PostgreSQL store.</summary>
public class HistoryStoreApiTests
{
    [Test]
    public async Task Local_default_is_history_db_in_amx_home_migrated_on_first_use()
    {
        using var amx = new AmxCli(user: "solo");
        var env = new AmxEnvironment(amx.Home, "solo");
        var store = await HistoryStore.OpenAsync(new AmxConfig(), env);
        Assert.That(store.IsShared, Is.False);
        Assert.That(File.Exists(Path.Combine(amx.Home, "history.db")), Is.True);
        Assert.That(store.Location, Does.Contain(Path.Combine(amx.Home, "history.db")));

        var run = new HistoryRun { Scope = "sales", StartedAt = new DateTime(2026, 5, 3, 15, 44, 10, DateTimeKind.Utc) };
        Assert.That(await store.StartRunAsync(run), Is.EqualTo("run_2026-05-03_15-44-001"));
        Assert.That(await store.StartRunAsync(new HistoryRun { Scope = "x", StartedAt = run.StartedAt.AddHours(1) }), Is.EqualTo("run_2026-05-03_16-44-002"));
        Assert.That(await store.StartRunAsync(new HistoryRun { Scope = "x", Who = "bob", StartedAt = run.StartedAt }), Is.EqualTo("run_2026-05-03_15-44-002"),
            "bob's first run that day is 001, which collides with solo's in the same minute: next number");
        Assert.That(await store.StartRunAsync(new HistoryRun { Scope = "x", StartedAt = run.StartedAt.AddDays(1) }), Is.EqualTo("run_2026-05-04_15-44-001"));

        await store.AddResultsAsync([
            new HistoryResult { RunId = run.RunId, TargetQname = "sales.b", Description = "B" },
            new HistoryResult { RunId = run.RunId, TargetQname = "sales.B", Description = "upper B", TargetKind = TargetKinds.Table },
            new HistoryResult { RunId = run.RunId, TargetQname = "sales.a", Description = "A" },
        ]);
        var results = await store.GetResultsAsync(run.RunId);
        Assert.That(results.Select(r => r.TargetQname), Is.EqualTo(new[] { "sales.B", "sales.a", "sales.b" }));
        Assert.That(results.All(r => !r.Applied), Is.True);

        var found = await store.FindRunAsync(run.RunId);
        Assert.That(found.Who, Is.EqualTo("solo"));
        Assert.That(found.StartedAt.Kind, Is.EqualTo(DateTimeKind.Utc));
        found.State = RunStates.Drafted;
        found.OkCount = 3;
        await store.UpdateRunAsync(found);
        Assert.That((await store.FindRunAsync(run.RunId)).State, Is.EqualTo(RunStates.Drafted));

        var e = Assert.ThrowsAsync<AmxException>(() => store.FindRunAsync("run_1999-01-01_00-00-001"));
        Assert.That(e!.Code, Is.EqualTo(ExitCode.BadInput));
        Assert.That(e.Message, Does.Contain("run_1999-01-01_00-00-001"));
        Assert.That(e.Hint, Does.Contain("amx history list"));
    }

    [Test]
    public async Task Pg_concurrent_run_starts_in_the_same_minute_never_collide()
    {
        var (store, _, _) = await PgStoreAsync();
        var at = new DateTime(2026, 5, 3, 9, 0, 0, DateTimeKind.Utc);
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            store.StartRunAsync(new HistoryRun { Who = "alice", Scope = "s", StartedAt = at }))));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(12));
        Assert.That(ids.All(i => i.StartsWith("run_2026-05-03_09-00-", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task Pg_large_batches_go_through_copy_and_hash_equals_psql()
    {
        var (store, pg, db) = await PgStoreAsync();
        var runId = await store.StartRunAsync(new HistoryRun { Who = "alice", Scope = "sales" });
        var tricky = new[]
        {
            "tab\there", "line\nbreak", "cr\rlf", "back\\slash", "bs\bff\fvt\v", "ünïcødé €", "emoji 😀", "", "\\N literal",
        };
        var results = Enumerable.Range(0, 500).Select(i => new HistoryResult
        {
            RunId = runId,
            TargetQname = i switch { 0 => "sales.\"odd.name\"", 1 => "sales.Zeta", 2 => "sales.ångström", 3 => "sales.\uE000pua", 4 => "sales.😀col", _ => $"sales.t{i:D4}" },
            TargetKind = i % 7 == 0 ? TargetKinds.Table : TargetKinds.Column,
            Confidence = i % 5 == 0 ? null : Confidences.High,
            Description = i % 11 == 0 ? null : tricky[i % tricky.Length] + i,
            ReviewedAt = i % 2 == 0 ? DateTime.UtcNow : null,
        }).ToList();
        await store.AddResultsAsync(results);
        Assert.That(await pg.ScalarAsync<long>($"SELECT count(*) FROM amx.amx_history_results WHERE run_id = '{runId}'", db), Is.EqualTo(500));
        Assert.That(await pg.ScalarAsync<bool>($"SELECT bool_and(NOT applied) FROM amx.amx_history_results WHERE run_id = '{runId}'", db), Is.True);

        // What `history show --hash` computes: the streaming read of the store (HistoryReader).
        var fromStore = await store.ReadAsync(r => r.DescriptionsHashAsync(runId));
        Assert.That(DescriptionsHash.Compute(results), Is.EqualTo(fromStore));

        var sql = "COPY (SELECT target_qname, target_kind, confidence, description FROM amx.amx_history_results " +
                  $"WHERE run_id = '{runId}' ORDER BY target_qname COLLATE \"C\") TO STDOUT";
        var psql = TestProcess.Run("/bin/sh", ["-c",
            $"/usr/bin/psql -h 127.0.0.1 -p {pg.Port} -U {pg.AdminUser} -d {db} -X -q -c '{sql.Replace("'", "'\\''")}' | sha256sum"],
            env: new Dictionary<string, string?> { ["PGPASSWORD"] = pg.AdminPassword });
        Assert.That(psql.ExitCode, Is.EqualTo(0), psql.Stderr);
        Assert.That(psql.Stdout.Split(' ')[0], Is.EqualTo(fromStore));
    }

    [Test]
    public async Task Pg_copy_batches_keep_every_column_exactly()
    {
        // COPY's text format: every value escaped by amx, NULL as \N, times to the microsecond. A value that could end a
        // line, split a row or read as the end-of-data marker must come back as it went in.
        var (store, _, _) = await PgStoreAsync();
        var runId = await store.StartRunAsync(new HistoryRun { Who = "alice", Scope = "sales" });
        var tricky = new[] { "tab\there", "two\nlines", "\\.", "cr\r", "back\\slash\\", "\\N", "ünï 😀", "", "\b\f\v", "end\\" };
        var when = new DateTime(2026, 11, 29, 16, 30, 45, DateTimeKind.Utc).AddTicks(1234560); // .123456 s
        var rows = Enumerable.Range(0, PostgresHistoryProvider.CopyThreshold + 7).Select(i => new HistoryResult
        {
            RunId = runId, TargetQname = $"sales.t{i:D4}", TargetKind = i % 3 == 0 ? TargetKinds.Table : TargetKinds.Column,
            Description = i % 13 == 0 ? null : tricky[i % tricky.Length] + i,
            Alternatives = i % 4 == 0 ? null : "[\"a\\tb\",\"" + tricky[(i + 1) % tricky.Length] + "\"]",
            Confidence = i % 5 == 0 ? null : Confidences.Medium,
            PreviousComment = i % 2 == 0 ? null : "old\n" + tricky[(i + 2) % tricky.Length],
            Decision = i % 6 == 0 ? Decisions.Accepted : Decisions.Pending,
            ReviewedBy = i % 6 == 0 ? "bob\tsmith" : null,
            ReviewedAt = i % 6 == 0 ? when.AddSeconds(i) : null,
            Applied = i % 9 == 0,
            AppliedAt = i % 9 == 0 ? when.AddMinutes(i) : null,
            AppliedBy = i % 9 == 0 ? "carol" : null,
            ApplyStatus = i % 9 == 0 ? "applied" : null,
            Error = i % 17 == 0 ? "boom\r\n\\x" : null,
            MetadataJson = "{\"source\":\"" + tricky[(i + 3) % tricky.Length].Replace("\\", "\\\\") + "\"}",
            RevertedAt = i % 19 == 0 ? when.AddHours(1) : null,
            RevertedBy = i % 19 == 0 ? "dave" : null,
        }).ToList();
        var sent = rows.Select(Snapshot).ToList();
        await store.AddResultsAsync(rows);

        var back = (await store.GetResultsAsync(runId)).OrderBy(r => r.TargetQname, StringComparer.Ordinal).Select(Snapshot).ToList();
        Assert.That(back, Is.EqualTo(sent));

        static string Snapshot(HistoryResult r) => string.Join("|", r.RunId, r.TargetQname, r.TargetKind, r.Description ?? "<null>",
            r.Alternatives ?? "<null>", r.Confidence ?? "<null>", r.PreviousComment ?? "<null>", r.Decision, r.ReviewedBy ?? "<null>",
            Time(r.ReviewedAt), r.Applied, Time(r.AppliedAt), r.AppliedBy ?? "<null>", r.ApplyStatus ?? "<null>", r.Error ?? "<null>",
            r.MetadataJson ?? "<null>", Time(r.RevertedAt), r.RevertedBy ?? "<null>");
        static string Time(DateTime? t) => t is null ? "<null>" : t.Value.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public void Hash_escapes_like_copy_text_format()
    {
        var one = DescriptionsHash.Compute([(Qname: "s.t", Kind: (string?)"TABLE", Confidence: (string?)null, Description: (string?)"a\tb\\c\nd")]);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("s.t\tTABLE\t\\N\ta\\tb\\\\c\\nd\n"u8.ToArray()));
        Assert.That(one, Is.EqualTo(expected));
    }

    [Test]
    public async Task Migrate_copies_the_local_history_into_the_shared_store_once()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var amx = Cli("alice", pg.AdminPassword);
        WriteConfig(amx, PgProfile(pg, db));
        var local = await HistoryStore.OpenAsync(new AmxConfig(), new AmxEnvironment(amx.Home, "alice"));
        var runId = await local.StartRunAsync(new HistoryRun { Scope = "sales" });
        await local.AddResultsAsync([new HistoryResult { RunId = runId, TargetQname = "sales.a", Description = "A" }]);
        Assert.That(amx.Run("history-store", "enable", "--profile", "shared", "--yes").ExitCode, Is.EqualTo(0));

        var r = amx.Run("history-store", "migrate", "--output", "json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("\"runs_copied\": 1").And.Contain("\"results_copied\": 1"));
        r = amx.Run("history-store", "migrate", "--output", "json");
        Assert.That(r.Stdout, Does.Contain("\"runs_copied\": 0").And.Contain("\"runs_already_there\": 1"));
        Assert.That(File.Exists(Path.Combine(amx.Home, "history.db")), Is.True, "the local file is kept");
        Assert.That(await pg.ScalarAsync<string>($"SELECT who FROM amx.amx_history_runs WHERE run_id = '{runId}'", db), Is.EqualTo("alice"));

        var d = amx.Run("history-store", "disable");
        Assert.That(d.ExitCode, Is.EqualTo(0));
        Assert.That(d.Stdout, Does.Contain("keeps all its data"));
        Assert.That(amx.Run("history-store").Stdout, Does.Contain("disabled"));
    }

    static async Task<(HistoryStore Store, PostgresServer Pg, string Db)> PgStoreAsync()
    {
        var pg = await TestServers.Postgres();
        var db = await pg.CreateDatabaseAsync("hist");
        using var amx = Cli("lead", pg.AdminPassword);
        WriteConfig(amx, PgProfile(pg, db));
        var r = amx.Run("history-store", "enable", "--profile", "shared", "--yes");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return (await OpenAsync(amx, pg.AdminPassword), pg, db);
    }
}
