using System.CommandLine;
using Amx.Data.History;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.HistoryStore;

/// <summary><c>amx history-store disable</c>: back to the local file; the shared store and its data stay.</summary>
public sealed class DisableCommand : AmxCommand
{
    public DisableCommand() : base("disable", "Go back to the per-user local history file (the shared data is kept)") { }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var local = HistoryStoreTarget.Local(ctx.Env);
        if (!config.HistoryStoreEnabled)
        {
            ctx.Out.WriteLine($"History store already disabled: runs go to the {local.Location}.");
            return Task.FromResult(0);
        }
        var shared = HistoryStoreTarget.FromConfig(config, ctx.Env);
        config.HistoryStoreEnabled = false;
        ctx.SaveConfig();
        ctx.Out.WriteLine($"History store disabled: runs now go to the {local.Location}.");
        ctx.Out.WriteLine($"The shared store {shared.Location} keeps all its data; nothing was deleted. " +
                          $"Re-enable with: amx history-store enable --profile {shared.Profile.Name} --schema {config.HistoryStoreSchema ?? shared.Schema}");
        return Task.FromResult(0);
    }
}
