using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.HistoryStore;

/// <summary>
/// <c>amx history-store enable</c>: creates the shared tables (lead) or points the config at existing ones (member).
/// Prints the DDL first; creating anything needs a yes on a terminal or --yes.
/// </summary>
public sealed class EnableCommand : AmxCommand
{
    readonly Option<string?> _profile = new("--profile") { Description = "DB profile that hosts the store (default: history_store_profile, else the active profile)" };
    readonly Option<string?> _schema = new("--schema") { Description = "Schema for the tables (default: history_store_schema, else AMX); on MySQL/MariaDB a database" };
    readonly Option<bool> _yes = new("--yes", "-y") { Description = "Create without asking" };
    readonly Option<bool> _dryRun = new("--dry-run") { Description = "Print what would be done; change nothing" };

    public EnableCommand() : base("enable", "Create or join the shared history store and point the config at it")
    {
        Options.Add(_profile);
        Options.Add(_schema);
        Options.Add(_yes);
        Options.Add(_dryRun);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var profileName = parse.GetValue(_profile) ?? config.HistoryStoreProfile ?? config.ActiveDbProfile;
        var schemaGiven = parse.GetValue(_schema) ?? config.HistoryStoreSchema ?? AmxConfig.DefaultHistorySchema;
        if (string.IsNullOrWhiteSpace(schemaGiven))
            throw AmxException.BadInput("--schema is empty", "pass a schema name, e.g. --schema AMX");
        var target = HistoryStoreTarget.Shared(config, profileName, schemaGiven);
        var dryRun = parse.GetValue(_dryRun);

        HistoryStoreState state;
        try { state = await HistoryStoreState.InspectAsync(target, ct); }
        catch (Exception e) when (e is not AmxException && e is not OperationCanceledException)
        {
            throw AmxException.Failed($"cannot connect to {target.Profile.Location} (profile {target.Profile.Name}): {e.Message.Split('\n')[0].Trim()}",
                "check the profile's host, port, user and password variable", e);
        }
        if (state.UnknownMigrations.Count > 0) throw HistoryStoreErrors.NewerStore(target, state.UnknownMigrations);

        if (state.UpToDate)
            ctx.Info($"Found the history store {target.Location} (migration {state.CurrentMigration}): nothing to create.");
        else
        {
            ctx.Info(state.TablesExist
                ? $"The history store {target.Location} needs migration {string.Join(", ", state.PendingMigrations)}. About to run:"
                : $"About to create {target.TablesName} in {target.Profile.Location}" +
                  (state.SchemaExists ? $" (schema '{target.Schema}' exists: it is used as it is)" : "") + ":");
            ctx.Out.WriteLine(HistoryScripts.For(target.Provider, target.Schema));
        }

        if (dryRun)
        {
            ctx.Info("Dry run: nothing was changed (no DDL run, config not written).");
            return 0;
        }
        if (!state.UpToDate && !parse.GetValue(_yes))
        {
            if (!ctx.IsInteractive)
                throw AmxException.BadInput("enabling the history store creates tables and needs confirmation",
                    "rerun with --yes (or --dry-run to only print the DDL)");
            if (!ctx.Confirm("Proceed?")) { ctx.Info("Cancelled: nothing was changed."); return 0; }
        }

        var outcome = await HistoryStoreSetup.EnableAsync(target, ct);

        config.HistoryStoreEnabled = true;
        config.HistoryStoreProfile = target.Profile.Name;
        config.HistoryStoreSchema = schemaGiven.Trim();
        ctx.SaveConfig();

        ctx.Out.WriteLine(outcome.CreatedNothing
            ? $"✓ History store now points at: {target.Location}."
            : $"✓ History store enabled: {target.Location}" +
              (outcome.SchemaCreated ? $" (created schema {target.Schema}" : " (") +
              (outcome.SchemaCreated ? ", " : "") + $"applied {string.Join(", ", outcome.AppliedMigrations)}).");
        if (target.Schema.Length > 0 && !string.Equals(target.Schema, schemaGiven.Trim(), StringComparison.Ordinal))
            ctx.Info($"Effective schema name: {target.Schema} (normalised from '{schemaGiven.Trim()}').");
        // Runs drafted before the switch stay in the local file until pushed; say so, once, here.
        if (File.Exists(ctx.Env.LocalHistoryPath))
        {
            var local = await Amx.Data.History.HistoryStore.OpenLocalAsync(ctx.Env, ct);
            var runs = (await local.ReadAsync(r => r.AllRunsAsync(ct), ct)).Count;
            if (runs > 0)
                ctx.Info($"This machine's local history ({ctx.Env.LocalHistoryPath}) holds {runs} run{(runs == 1 ? "" : "s")} " +
                         "the team does not see yet. Copy them into the shared store with: amx history-store migrate");
        }
        return 0;
    }
}
