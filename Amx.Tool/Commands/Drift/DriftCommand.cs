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
        var report = await DriftService.CheckAsync(profile, scope, store, ct);
        var all = parse.GetValue(_all);

        ctx.Render(new
        {
            report.Profile, report.Scope, drift_found = report.DriftFound,
            counts = new { in_sync = report.InSync, changed_outside_amx = report.ChangedOutsideAmx, removed = report.Removed, object_gone = report.ObjectGone },
            targets = report.Items.Select(i => new
            {
                target = i.Target, kind = i.Kind, status = i.Status, live_comment = i.LiveComment, amx_text = i.AmxText,
                last_action = i.LastAction, by = i.By, at = i.At, run_id = i.RunId,
            }),
        }, () =>
        {
            var t = new OutputTable("target", "status", "live comment", "amx text", "by", "at (UTC)", "run");
            foreach (var i in report.Items.Where(i => all || i.Status != DriftStatuses.InSync))
                t.Add(i.Target, i.Status, i.LiveComment ?? "(none)", i.AmxText ?? "(none)",
                    i.LastAction == "reverted" ? $"{i.By} (revert)" : i.By, i.At?.ToString("yyyy-MM-dd HH:mm"), i.RunId);
            t.Footer.Add($"{report.Items.Count} targets amx wrote in {(report.Scope == "*" ? $"db profile '{report.Profile}'" : report.Scope)}: " +
                         $"{report.InSync} in sync, {report.ChangedOutsideAmx} changed outside amx, {report.Removed} removed" +
                         (report.ObjectGone > 0 ? $", {report.ObjectGone} object gone" : ""));
            return t;
        });

        if (!report.DriftFound) return 0;
        var first = report.Items.First(i => i.Status is DriftStatuses.ChangedOutsideAmx or DriftStatuses.Removed);
        CommandRunner.ReportError(new AmxException(ExitCode.CheckFailed,
            $"drift found: {report.ChangedOutsideAmx} comment(s) changed outside amx, {report.Removed} removed (first: {first.Target}, {first.Status})",
            "look at the targets listed: runs with --missing-only keep a hand-written comment, and an apply over it stops with a conflict unless --force"), ctx.Err, verbose: false);
        return (int)ExitCode.CheckFailed;
    }
}
