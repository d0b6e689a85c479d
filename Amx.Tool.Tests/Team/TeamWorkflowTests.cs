using System.Text.Json;
using System.Text.RegularExpressions;

using Amx.Tool.Tests.HistoryRead;

namespace Amx.Tool.Tests.Team;

/// <summary>
/// The user's page (docs/team-setup.md), step by step through the real CLI: a lead (alice@acme.com) and a member
/// (bob@acme.com), each with their own AMX_HOME, share one history store on a real server.
/// </summary>
public class TeamWorkflowTests
{
    const string Profile = "prod-pg";
    const string Lead = "alice@acme.com";
    const string Member = "bob@acme.com";

    [Test]
    public async Task Team_setup_page_on_PostgreSQL()
    {
        var pg = await TestServers.Postgres();
        var team = new PostgresTeam(pg, await pg.CreateDatabaseAsync("team"));
        // The descriptions hash also equals what a DBA computes with psql straight from the table.
        await TeamSetupPageAsync(team, run => HistoryPsql.Sha256OfCopy(pg, team.Database, team.EffectiveSchema, run));
    }

    [Test]
    public async Task Team_setup_page_on_MariaDB()
    {
        var my = await TestServers.MariaDb();
        await TeamSetupPageAsync(new MariaDbTeam(my));
    }

    /// <summary>Every step of the page; returns (alice's run, bob's run).</summary>
    static async Task<(string Alice, string Bob)> TeamSetupPageAsync(TeamBackend team, Func<string, string>? hashFromDatabase = null)
    {
        await team.CreateWarehouseAsync();
        using var lead = new AmxCli(Lead);
        using var member = new AmxCli(Member);
        lead.Env[TeamBackend.LeadPwVar] = team.AdminPassword;
        member.Env[TeamBackend.MemberPwVar] = team.MemberPassword;

        // 1. (Lead) pick the host backend.
        Ok(lead.Run(team.AddProfileArgs(Profile, team.AdminUser, TeamBackend.LeadPwVar)));
        Ok(lead.Run("add-llm-profile", "off", "--provider", "offline"));
        Assert.That(Ok(lead.Run("db-profiles")).Stdout, Does.Contain(Profile));
        var leadStatus = Ok(lead.Run("history-store"));
        Assert.That(leadStatus.Stdout, Does.Contain("disabled"));
        Assert.That(Json(lead.Run("history-store", "--output", "json")).GetProperty("enabled").GetBoolean(), Is.False);

        // 2. (Lead) create the audit tables.
        var enable = Ok(lead.Run("history-store", "enable", "--profile", Profile, "--schema", team.RequestedSchema, "--yes"));
        Assert.That(enable.Stdout, Does.Contain($"CREATE TABLE {team.EffectiveSchema}.amx_history_runs").Or.Contain($"CREATE TABLE `{team.EffectiveSchema}`.`amx_history_runs`")
            .Or.Contain("amx_history_runs"), enable.ToString());
        Assert.That(enable.Stdout, Does.Contain("History store enabled"));
        var leadConfig = File.ReadAllText(lead.ConfigPath);
        Assert.That(leadConfig, Does.Contain("history_store_enabled: true").And.Contain($"history_store_profile: {Profile}")
            .And.Contain($"history_store_schema: {team.RequestedSchema}"));
        var objects = await team.StoreObjectCountAsync();
        Assert.That(objects, Is.GreaterThanOrEqualTo(3));

        // 3. (Team member) reuse the lead's store: same profile name, own narrow credentials.
        var memberLogin = await team.CreateMemberLoginAsync();
        Ok(member.Run(team.AddProfileArgs(Profile, memberLogin, TeamBackend.MemberPwVar)));
        Ok(member.Run("add-llm-profile", "off", "--provider", "offline"));
        Assert.That(Ok(member.Run("history-store")).Stdout, Does.Contain("disabled"));
        var reuse = Ok(member.Run("history-store", "enable", "--profile", Profile, "--schema", team.RequestedSchema));
        Assert.That(reuse.Stdout, Does.Contain("now points at").And.Contain($"{team.EffectiveSchema}.amx_history_*"));
        Assert.That(reuse.Stdout, Does.Not.Contain("CREATE TABLE"));
        Assert.That(await team.StoreObjectCountAsync(), Is.EqualTo(objects), "the member created nothing");
        var memberStatus = Json(member.Run("history-store", "--output", "json"));
        Assert.That(memberStatus.GetProperty("enabled").GetBoolean(), Is.True);
        Assert.That(memberStatus.GetProperty("schema").GetString(), Is.EqualTo(team.EffectiveSchema));
        Assert.That(memberStatus.GetProperty("tables_exist").GetBoolean(), Is.True);

        // Both draft. Bob first, on the customer table, and edits one draft; then the warehouse gains a column
        // and alice drafts the whole schema: the compare example's three statuses.
        var bobsRun = RunId(Ok(member.Run("run", $"{team.Scope}.customer", "--llm-profile", "off", "--output", "json")));
        Ok(member.Run("review", bobsRun, "--set", $"{team.Scope}.customer.c_first_name=Given name."));
        await team.AddLegacyColumnAsync();
        var alicesRun = RunId(Ok(lead.Run("run", team.Scope, "--llm-profile", "off", "--output", "json")));

        // 4. Verify: the same `history list` on both machines.
        var leadList = Ok(lead.Run("history", "list", "--output", "json")).Stdout;
        var memberList = Ok(member.Run("history", "list", "--output", "json")).Stdout;
        var leadRuns = JsonDocument.Parse(leadList).RootElement.EnumerateArray().ToList();
        Assert.That(JsonDocument.Parse(memberList).RootElement.GetArrayLength(), Is.EqualTo(leadRuns.Count).And.EqualTo(2));
        Assert.That(memberList, Is.EqualTo(leadList), "every member sees the same rows");
        Assert.That(leadRuns.Select(r => r.GetProperty("run_id").GetString()), Is.EqualTo(new[] { alicesRun, bobsRun }), "newest first");
        Assert.That(leadRuns.Select(r => r.GetProperty("who").GetString()), Is.EqualTo(new[] { Lead, Member }), "AMX_USER is who");
        var table = Ok(member.Run("history", "list")).Stdout;
        Assert.That(table, Does.Match(@"run_id\s+who\s+when\s+scope\s+ok\s+fail"));
        Assert.That(table, Does.Contain($"{team.Scope} (2 t)").And.Contain($"{team.Scope}.customer (1 t)"));

        // Verify: identical `history show` down to the hash, on both machines.
        foreach (var run in new[] { alicesRun, bobsRun })
        {
            var shows = await Task.WhenAll(Task.Run(() => lead.Run("history", "show", run, "--hash")), Task.Run(() => member.Run("history", "show", run, "--hash")));
            Ok(shows[0]);
            Assert.That(Ok(shows[1]).Stdout, Is.EqualTo(shows[0].Stdout));
            var lastLine = shows[0].Stdout.TrimEnd('\n').Split('\n')[^1];
            Assert.That(lastLine, Does.Match("^[0-9a-f]{64}$"));
            if (hashFromDatabase is not null) Assert.That(lastLine, Is.EqualTo(hashFromDatabase(run)), "psql COPY … | sha256sum");
            Assert.That(Ok(member.Run("history", "show", run, "--output", "json")).Stdout,
                Is.EqualTo(Ok(lead.Run("history", "show", run, "--output", "json")).Stdout));
        }
        var bobsShow = Json(member.Run("history", "show", bobsRun, "--output", "json"));
        var edited = bobsShow.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("target").GetString() == $"{team.Scope}.customer.c_first_name");
        Assert.That(edited.GetProperty("decision").GetString(), Is.EqualTo("edited"));
        Assert.That(edited.GetProperty("reviewed_by").GetString(), Is.EqualTo(Member));

        // Verify: the member's `db inspect` shows the store's schema with the two amx_history_* tables.
        var inspect = Json(member.Run("db", "inspect", "--profile", Profile, "--output", "json"));
        var amxSchema = inspect.GetProperty("schemas").EnumerateArray().Single(s => s.GetProperty("schema").GetString() == team.EffectiveSchema);
        Assert.That(amxSchema.GetProperty("amx_tables").EnumerateArray().Select(e => e.GetString()),
            Is.SupersetOf(new[] { "amx_history_results", "amx_history_runs" }));
        Assert.That(Ok(member.Run("db", "inspect", "--profile", Profile)).Stdout, Does.Contain($"schema {team.EffectiveSchema} holds amx's history tables"));

        // The compare example: same, diff, "<who> added" with "(no description)" on the other side.
        var filter = $"{team.Scope}.customer";
        var compare = Ok(member.Run("history", "compare", alicesRun, bobsRun, "--filter", filter));
        var lines = compare.Stdout.Split('\n');
        // Relative times: the lead's run is "just now" unless the machine is loaded enough for the steps to take minutes.
        Assert.That(lines[0], Does.Match($@"^target\s+{Regex.Escape(Lead)} \((just now|\d+ min ago)\)\s+{Regex.Escape(Member)} \((just now|.+ ago)\)\s+status"));
        Assert.That(Line(lines, $"{filter}.c_first_name "), Does.Match(@"""First name of the customer\.""\s+""Given name\.""\s+diff\s*$"));
        Assert.That(Line(lines, $"{filter}.c_last_name "), Does.Match(@"\s+same\s*$"));
        Assert.That(Line(lines, $"{filter}.x_legacy_status "), Does.Match($@"\(no description\)\s+{Regex.Escape(Lead)} added\s*$"));
        Assert.That(compare.Stdout, Does.Not.Contain($"{team.Scope}.orders"), "--filter keeps only the customer table");
        Assert.That(lines.Where(l => l.Length > 0).Last(), Does.Contain($"{Lead} added: 1").And.Contain("diff: 2").And.Contain("same: 2"), compare.Stdout);
        var compareJson = Json(member.Run("history", "compare", alicesRun, bobsRun, "--filter", filter, "--output", "json"));
        Assert.That(compareJson.GetProperty("counts").GetProperty("same").GetInt32(), Is.EqualTo(2));

        // `history_store_enabled: false` on one machine is shown plainly.
        Ok(member.Run("history-store", "disable"));
        var disabled = Ok(member.Run("history-store"));
        Assert.That(disabled.Stdout, Does.Contain("disabled"));
        Assert.That(disabled.Stdout, Does.Contain($"history_store_profile {Profile}").And.Contain("history_store_enabled is false"),
            "a member whose history list is empty must see why");
        Assert.That(JsonDocument.Parse(Ok(member.Run("history", "list", "--output", "json")).Stdout).RootElement.GetArrayLength(), Is.Zero);
        Assert.That(Ok(lead.Run("history-store")).Stdout, Does.Contain("enabled (shared)"));
        return (alicesRun, bobsRun);
    }

    static string Line(string[] lines, string start) =>
        lines.SingleOrDefault(l => l.StartsWith(start, StringComparison.Ordinal)) ?? throw new AssertionException($"no line starts with '{start}':\n{string.Join('\n', lines)}");

    static string RunId(AmxCli.Result r) => Json(r).GetProperty("run_id").GetString()!;

    internal static AmxCli.Result Ok(AmxCli.Result r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return r;
    }

    internal static JsonElement Json(AmxCli.Result r) => JsonDocument.Parse(Ok(r).Stdout).RootElement;
}
