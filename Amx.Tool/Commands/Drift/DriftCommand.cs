using System.CommandLine;
using Amx.Data.Checks;
using Amx.Data.Errors;
using Amx.Data.Warehouse;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Drift;

/// <summary>
/// <c>amx drift [SCOPE]</c>: every comment amx wrote, compared with the live one — <c>changed outside amx</c>,
/// <c>removed</c> or <c>in sync</c> — across the whole history (any teammate). Exit 5 when drift is found
/// (docs/ci-and-cron.md).
/// </summary>
public sealed class DriftCommand : AmxCommand
{
    readonly Argument<string?> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column; omit for the whole database", Arity = ArgumentArity.ZeroOrOne };
    readonly Option<string?> _profile = new("--db-profile", "--profile") { Description = "Database profile (default: the active one)" };
    readonly Option<bool> _all = new("--all") { Description = "Also list the targets in sync (json always lists them)" };

    public DriftCommand() : base("drift", "Compare live comments with what amx last applied (exit 5 when drift is found)")
    {
        Arguments.Add(_scope);
        Options.Add(_profile);
        Options.Add(_all);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var scope = Scope.Parse(parse.GetValue(_scope));
        var profile = ctx.Config.GetDbProfile(parse.GetValue(_profile));
        var store = await Amx.Data.History.HistoryStore.OpenForReadingAsync(ctx.Config, ctx.Env, ct);
        var all = parse.GetValue(_all);
        var counts = new DriftCounts();
        var items = DriftService.CheckAsync(profile, scope, store, counts, ct);
        var scopeText = scope?.ToString() ?? "*";

        if (ctx.Globals.Output == OutputFormat.Json)
        {
            // The counts lead the document, so the items wait in a private spill file (a million targets are never held).
            await using var spill = new JsonArraySpill();
            await foreach (var i in items) spill.Add(i);
            await spill.WriteDocumentAsync(ctx.Out, new
            {
                profile = profile.Name, scope = scopeText, drift_found = counts.DriftFound,
                counts = new { in_sync = counts.InSync, changed_outside_amx = counts.ChangedOutsideAmx, removed = counts.Removed, object_gone = counts.ObjectGone },
            }, "targets", ct);
        }
        else
        {
            var t = new StreamedTable(ctx, "target", "status", "live comment", "amx text", "by", "at (UTC)", "run");
            await foreach (var i in items)
                if (all || i.Status != DriftStatuses.InSync)
                    t.Add(i.Target, i.Status, i.LiveComment ?? "(none)", i.AmxText ?? "(none)",
                        i.LastAction == "reverted" ? $"{i.By} (revert)" : i.By, i.At?.ToString("yyyy-MM-dd HH:mm"), i.RunId);
            t.Finish($"{counts.Total} targets amx wrote in {(scopeText == "*" ? $"db profile '{profile.Name}'" : scopeText)}: " +
                     $"{counts.InSync} in sync, {counts.ChangedOutsideAmx} changed outside amx, {counts.Removed} removed" +
                     (counts.ObjectGone > 0 ? $", {counts.ObjectGone} object gone" : ""));
        }

        if (counts.FirstDrift is not { } first) return 0;
        CommandRunner.ReportError(new AmxException(ExitCode.CheckFailed,
            $"drift found: {counts.ChangedOutsideAmx} comment(s) changed outside amx, {counts.Removed} removed (first: {first.Target}, {first.Status})",
            "look at the targets listed: runs with --missing-only keep a hand-written comment, and an apply over it stops with a conflict unless --force"), ctx.Err, verbose: false);
        return (int)ExitCode.CheckFailed;
    }
}
