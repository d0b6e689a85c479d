
namespace Amx.Tool.Tests.Checks;

/// <summary>
/// <c>amx drift</c> through the real CLI: comments amx applied, then edited and removed by hand with SQL, are reported
/// with the live text and who applied amx's text when — also to a teammate who applied nothing.
/// </summary>
[TestFixture("postgresql")]
[TestFixture("mariadb")]
public sealed class DriftReportTests(string backend)
{
    WarehouseWorld _w = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _w = await WarehouseWorld.CreateAsync(backend);

    [OneTimeTearDown]
    public async Task TearDown() => await _w.DisposeAsync();

    [Test]
    public async Task Hand_edited_and_removed_comments_are_drift_with_exit_5_for_any_teammate_and_in_sync_is_exit_0()
    {
        var alice = _w.Cli("alice");
        await _w.CreateTableAsync("dr_customer", ["name", "email"]);
        var scope = $"{_w.Schema}.dr_customer";
        var applied = WarehouseWorld.Json(WarehouseWorld.Ok(alice.Run("run-apply", scope, "--llm-profile", "off", "--accept", "all", "--replace-outside-comments", "--yes", "--output", "json")));
        var runId = applied.GetProperty("run_id").GetString()!;
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.EqualTo(4), "table + 3 columns");

        var clean = WarehouseWorld.Ok(alice.Run("drift", scope, "--output", "json"));
        var cleanJson = WarehouseWorld.Json(clean);
        Assert.That(cleanJson.GetProperty("drift_found").GetBoolean(), Is.False);
        Assert.That(cleanJson.GetProperty("counts").GetProperty("in_sync").GetInt32(), Is.EqualTo(4));

        var amxEmail = (await _w.LiveCommentsAsync("dr_customer"))[$"{scope}.email"];
        const string handText = "Edited by hand in the console; don't lose it.";
        await _w.SetColumnCommentAsync("dr_customer", "email", handText);
        await _w.SetColumnCommentAsync("dr_customer", "name", null);

        // Bob never applied anything: the report comes from the shared history, not from his own runs.
        var bob = _w.Teammate(alice, "bob");
        var drift = bob.Run("drift", scope, "--output", "json");
        Assert.That(drift.ExitCode, Is.EqualTo(5), drift.ToString());
        Assert.That(drift.Stderr, Does.StartWith("error: drift found: 1 comment(s) changed outside amx, 1 removed"));
        var json = WarehouseWorld.Json(drift);
        Assert.That(json.GetProperty("drift_found").GetBoolean(), Is.True);
        var byTarget = json.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("target").GetString()!);
        Assert.That(byTarget.Keys, Is.EquivalentTo(new[] { scope, $"{scope}.id", $"{scope}.name", $"{scope}.email" }));
        var email = byTarget[$"{scope}.email"];
        Assert.That(email.GetProperty("status").GetString(), Is.EqualTo("changed outside amx"));
        Assert.That(email.GetProperty("live_comment").GetString(), Is.EqualTo(handText));
        Assert.That(email.GetProperty("amx_text").GetString(), Is.EqualTo(amxEmail));
        Assert.That(email.GetProperty("by").GetString(), Is.EqualTo("alice"));
        Assert.That(email.GetProperty("run_id").GetString(), Is.EqualTo(runId));
        Assert.That(email.GetProperty("at").GetDateTime(), Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(10)));
        Assert.That(byTarget[$"{scope}.name"].GetProperty("status").GetString(), Is.EqualTo("removed"));
        Assert.That(byTarget[$"{scope}.id"].GetProperty("status").GetString(), Is.EqualTo("in sync"));
        Assert.That(byTarget[scope].GetProperty("status").GetString(), Is.EqualTo("in sync"));

        // The human formats list the drift only (the in-sync rows with --all).
        var md = bob.Run("drift", scope, "--output", "md");
        Assert.That(md.ExitCode, Is.EqualTo(5), md.ToString());
        Assert.That(md.Stdout, Does.Contain("| target").And.Contain($"| {scope}.email").And.Contain("changed outside amx").And.Contain("alice"));
        Assert.That(md.Stdout, Does.Not.Contain($"| {scope}.id "));
        var csv = bob.Run("drift", scope, "--output", "csv", "--all");
        Assert.That(csv.ExitCode, Is.EqualTo(5), csv.ToString());
        var lines = csv.Stdout.Trim().Split('\n');
        Assert.That(lines[0].Trim(), Is.EqualTo("target,status,live comment,amx text,by,at (UTC),run"));
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(csv.Stdout, Does.Contain($"{scope}.name,removed,(none)"));

        // A scope elsewhere has no drift; putting the texts back ends it.
        await _w.SetColumnCommentAsync("dr_customer", "email", amxEmail);
        await _w.SetColumnCommentAsync("dr_customer", "name", byTarget[$"{scope}.name"].GetProperty("amx_text").GetString());
        var synced = WarehouseWorld.Ok(bob.Run("drift", scope));
        Assert.That(synced.Stdout, Does.Contain("4 in sync, 0 changed outside amx, 0 removed"));
    }

    [Test]
    public async Task Thousands_of_written_targets_stream_through_in_name_order_with_every_count_right()
    {
        // Its own schema: 44 tables × (id + 46 columns + the table) = 2,112 targets, past a held table and two chunks of 1,000.
        await using var w = await WarehouseWorld.CreateAsync(backend);
        for (var t = 0; t < 44; t++) await w.CreateTableAsync($"wide{t:D2}", Enumerable.Range(0, 46).Select(c => $"c{c:D2}"));
        var alice = w.Cli("alice");
        var applied = WarehouseWorld.Json(WarehouseWorld.Ok(alice.Run("run-apply", w.Schema, "--llm-profile", "off", "--accept", "all", "--yes", "--output", "json")));
        Assert.That(applied.GetProperty("applied").GetInt32(), Is.EqualTo(2112));
        await w.SetColumnCommentAsync("wide30", "c10", "changed by hand");
        await w.SetColumnCommentAsync("wide05", "c45", null);

        var drift = alice.Run("drift", w.Schema, "--output", "json");
        Assert.That(drift.ExitCode, Is.EqualTo(5), drift.ToString());
        Assert.That(drift.Stderr, Does.Contain($"(first: {w.Schema}.wide05.c45, removed)"), "the first drift in name order");
        var json = WarehouseWorld.Json(drift);
        var counts = json.GetProperty("counts");
        Assert.That((counts.GetProperty("in_sync").GetInt32(), counts.GetProperty("changed_outside_amx").GetInt32(), counts.GetProperty("removed").GetInt32()),
            Is.EqualTo((2110, 1, 1)));
        var targets = json.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("target").GetString()!).ToList();
        Assert.That(targets, Has.Count.EqualTo(2112));
        Assert.That(targets, Is.EqualTo(targets.Order(StringComparer.Ordinal).ToList()).And.Unique, "each target once, in name order");

        var table = alice.Run("drift", w.Schema, "--all");
        Assert.That(table.ExitCode, Is.EqualTo(5), table.ToString());
        var lines = table.Stdout.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("target "));
        Assert.That(lines.Skip(1).SkipLast(1).Select(l => l.Split(' ')[0]), Is.EqualTo(targets), "every row once, streamed past 2,000");
        Assert.That(lines[^1], Does.Contain("2112 targets amx wrote in").And.EndWith("2110 in sync, 1 changed outside amx, 1 removed"));
    }

    [Test]
    public async Task After_a_revert_the_restored_comment_is_what_amx_last_left()
    {
        var alice = _w.Cli("alice");
        await _w.CreateTableAsync("dr_rev", ["code"]);
        await _w.SetColumnCommentAsync("dr_rev", "code", "Original human text.");
        var scope = $"{_w.Schema}.dr_rev";
        var runId = WarehouseWorld.Json(WarehouseWorld.Ok(alice.Run("run-apply", scope, "--llm-profile", "off", "--accept", "all", "--replace-outside-comments", "--yes", "--output", "json")))
            .GetProperty("run_id").GetString()!;
        WarehouseWorld.Ok(alice.Run("revert", runId, "--yes"));
        Assert.That((await _w.LiveCommentsAsync("dr_rev"))[$"{scope}.code"], Is.EqualTo("Original human text."));

        var json = WarehouseWorld.Json(WarehouseWorld.Ok(alice.Run("drift", scope, "--output", "json")));
        var code = json.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == $"{scope}.code");
        Assert.That(code.GetProperty("status").GetString(), Is.EqualTo("in sync"));
        Assert.That(code.GetProperty("last_action").GetString(), Is.EqualTo("reverted"));
        Assert.That(code.GetProperty("amx_text").GetString(), Is.EqualTo("Original human text."));
    }
}
