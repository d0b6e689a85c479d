using System.CommandLine;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.HistoryStore;

/// <summary><c>amx history-store migrate</c>: copies the local history file into the shared store; idempotent per (run_id, target_qname); the file stays.</summary>
public sealed class MigrateCommand : AmxCommand
{
    public MigrateCommand() : base("migrate", "Copy the runs of your local history file into the shared store (idempotent)") { }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        if (!config.HistoryStoreEnabled)
            throw AmxException.BadInput("the shared history store is not enabled: there is nowhere to copy to",
                "enable it first: amx history-store enable --profile NAME");
        var local = HistoryStoreTarget.Local(ctx.Env);
        // Opening checks the shared tables exist at a version this build knows before anything is read.
        var shared = await Data.History.HistoryStore.OpenAsync(config, ctx.Env, ct);
        CopyOutcome outcome;
        if (!File.Exists(local.Profile.Path)) outcome = new CopyOutcome(0, 0, 0);
        else
        {
            var from = await Data.History.HistoryStore.OpenAsync(local, ctx.Env, ct);
            outcome = await HistoryStoreCopier.CopyAsync(from, shared, ct);
        }
        ctx.Render(new
        {
            runs_copied = outcome.RunsCopied,
            runs_already_there = outcome.RunsAlreadyThere,
            results_copied = outcome.ResultsCopied,
            runs_completed = outcome.RunsCompleted,
            local_file = local.Profile.Path,
        }, () =>
        {
            var t = new OutputTable("what", "count");
            t.Add("runs copied", outcome.RunsCopied.ToString(System.Globalization.CultureInfo.InvariantCulture));
            t.Add("results copied", outcome.ResultsCopied.ToString(System.Globalization.CultureInfo.InvariantCulture));
            t.Add("runs already in the shared store", outcome.RunsAlreadyThere.ToString(System.Globalization.CultureInfo.InvariantCulture));
            t.Add("of which completed with missing results", outcome.RunsCompleted.ToString(System.Globalization.CultureInfo.InvariantCulture));
            t.Footer.Add($"The local file {local.Profile.Path} is kept.");
            return t;
        });
        return 0;
    }
}
