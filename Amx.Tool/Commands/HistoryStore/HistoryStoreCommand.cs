using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.Errors;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.HistoryStore;

/// <summary><c>amx history-store</c>: enabled or not, where, the effective schema, whether the tables exist and at which migration.</summary>
public sealed class HistoryStoreCommand : AmxCommand
{
    public HistoryStoreCommand() : base("history-store", "Show where the history store is; enable, disable, script or migrate it")
    {
        Subcommands.Add(new EnableCommand());
        Subcommands.Add(new DisableCommand());
        Subcommands.Add(new ScriptCommand());
        Subcommands.Add(new MigrateCommand());
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var target = HistoryStoreTarget.FromConfig(config, ctx.Env);
        HistoryStoreState? state = null;
        string? error = null;
        IReadOnlyList<string>? schemasWithTables = null;
        try
        {
            state = await HistoryStoreState.InspectAsync(target, ct);
            if (target.IsShared && !state.TablesExist)
                schemasWithTables = await target.Provider.SchemasHoldingHistoryTablesAsync(target.Profile, ct);
        }
        catch (Exception e) when (e is not AmxException && e is not OperationCanceledException)
        {
            error = e.Message.Split('\n')[0].Trim();
        }

        var model = new StatusModel(
            Enabled: config.HistoryStoreEnabled,
            Backend: target.Backend.ToConfigName(),
            Profile: target.IsShared ? target.Profile.Name : null,
            Host: target.IsShared ? target.Profile.Host ?? "localhost" : null,
            Database: target.IsShared ? target.Profile.Database : null,
            Schema: target.IsShared ? target.Schema : null,
            ConfiguredSchema: config.HistoryStoreSchema,
            Path: target.Backend == Backend.Sqlite ? target.Profile.Path : null,
            Location: target.Location,
            Reachable: error is null,
            Error: error,
            SchemaExists: state?.SchemaExists,
            TablesExist: state?.TablesExist,
            Tables: state?.Tables,
            Migration: state?.CurrentMigration,
            PendingMigrations: state?.PendingMigrations,
            UnknownMigrations: state?.UnknownMigrations,
            SchemasWithTables: schemasWithTables);

        ctx.Render(model, () =>
        {
            var t = new OutputTable("field", "value");
            t.Add("history store", config.HistoryStoreEnabled ? "enabled (shared)" : "disabled (per-user local file)");
            if (target.IsShared)
            {
                t.Add("profile", $"{target.Profile.Name} ({model.Backend})");
                t.Add("host/database", target.Profile.Location);
                t.Add("schema", target.Schema.Length == 0 ? "(none: SQLite file)" :
                    config.HistoryStoreSchema is { } s && s != target.Schema ? $"{target.Schema} (configured as {s})" : target.Schema);
            }
            else t.Add("file", target.Profile.Path);
            if (error is not null) t.Add("reachable", $"no: {error}");
            else
            {
                t.Add("tables", state!.TablesExist ? string.Join(", ", state.Tables) : state.Tables.Count == 0 ? "not created yet" : "incomplete: " + string.Join(", ", state.Tables));
                t.Add("migration", state.CurrentMigration ?? "(none)");
                if (state.PendingMigrations.Count > 0 && state.TablesExist) t.Add("pending", string.Join(", ", state.PendingMigrations));
                if (schemasWithTables is not null)
                    t.Add("tables found in", schemasWithTables.Count == 0 ? "no schema" : string.Join(", ", schemasWithTables));
                if (state.UnknownMigrations.Count > 0) t.Add("newer migrations", string.Join(", ", state.UnknownMigrations) + " (upgrade amx)");
            }
            if (!config.HistoryStoreEnabled && !string.IsNullOrWhiteSpace(config.HistoryStoreProfile))
                // The page's "member's history list is empty" case: say why in so many words.
                t.Footer.Add($"history_store_profile {config.HistoryStoreProfile} is set but history_store_enabled is false: this machine " +
                             $"reads and writes only its local file and does not see the team's runs. " +
                             $"Share again: amx history-store enable --profile {config.HistoryStoreProfile}" +
                             (config.HistoryStoreSchema is { } schema ? $" --schema {schema}" : ""));
            else if (!config.HistoryStoreEnabled)
                t.Footer.Add("To share the history with your team: amx history-store enable --profile NAME [--schema AMX]");
            return t;
        });
        return error is null ? 0 : (int)ExitCode.Failed;
    }

    sealed record StatusModel(
        bool Enabled, string Backend, string? Profile, string? Host, string? Database, string? Schema, string? ConfiguredSchema,
        string? Path, string Location, bool Reachable, string? Error, bool? SchemaExists, bool? TablesExist,
        IReadOnlyList<string>? Tables, string? Migration, IReadOnlyList<string>? PendingMigrations, IReadOnlyList<string>? UnknownMigrations,
        IReadOnlyList<string>? SchemasWithTables);
}
