using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Demo;
using Amx.Data.Drafting;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Drafting;

/// <summary>
/// <c>amx demo</c>: the embedded quick start. Creates a small retail warehouse as a SQLite file under AMX_HOME,
/// the profiles <c>demo</c> and <c>offline</c>, drafts it with the offline drafter and prints the run.
/// </summary>
public sealed class DemoCommand : AmxCommand
{
    readonly Option<string> _profiling = new("--profiling-mode") { Description = "metadata, sampled or full", DefaultValueFactory = _ => "sampled" };

    public DemoCommand() : base("demo", "Create a sample SQLite warehouse and draft it offline (no server, no key)")
    {
        Options.Add(_profiling);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        // Everything that can refuse (a broken config, a bad flag) is checked before any file is created.
        var config = ctx.Config;
        var mode = RunOptions.ParseMode(parse.GetValue(_profiling));
        var path = Path.Combine(ctx.Env.Home, "demo.db");
        Directory.CreateDirectory(ctx.Env.Home);
        DemoWarehouse.Create(path);
        config.DbProfiles["demo"] = new DbProfile { Name = "demo", Backend = Backend.Sqlite, Path = path };
        if (!config.LlmProfiles.ContainsKey("offline"))
            config.LlmProfiles["offline"] = new LlmProfile { Name = "offline", Provider = "offline" };
        config.ActiveDbProfile ??= "demo";
        config.ActiveLlmProfile ??= "offline";
        ctx.SaveConfig();
        ctx.Info($"Created the demo warehouse {path} and the profiles 'demo' (sqlite) and 'offline'.");

        var request = new RunRequest
        {
            DbProfile = config.DbProfiles["demo"], LlmProfile = config.LlmProfiles["offline"], Scope = "main",
            ProfilingMode = mode, Verb = "demo",
        };
        // A demo is practice: it stays in this machine's local file, never in the team's shared store.
        var store = await Amx.Data.History.HistoryStore.OpenLocalAsync(ctx.Env, ct);
        var summary = await DraftingHost.RunAsync(ctx, request, ct, store);
        var results = await store.GetResultsAsync(summary.RunId);
        ctx.Render(new { run_id = summary.RunId, state = summary.State, ok = summary.Ok, fail = summary.Failed, results = results.Select(r => new
        {
            target = r.TargetQname, kind = r.TargetKind, confidence = r.Confidence, description = r.Description,
        }) }, () =>
        {
            var t = new OutputTable("target", "confidence", "description");
            foreach (var r in results) t.Add(r.TargetQname, r.Confidence, r.Description);
            t.Footer.Add($"Run {summary.RunId}: {summary.Ok} drafted, {summary.Failed} failed, state {summary.State}.");
            t.Footer.Add($"Next: amx history show {summary.RunId}   ·   amx review {summary.RunId} --export review.yml");
            if (config.HistoryStoreEnabled) t.Footer.Add("The demo run is kept in this machine's local history file, not in the team's shared store.");
            t.Footer.Add("SQLite has no comments: the drafts live in the history store; try amx run on a PostgreSQL or MariaDB profile to apply them.");
            return t;
        });
        return RunReport.ExitCode(summary);
    }
}
