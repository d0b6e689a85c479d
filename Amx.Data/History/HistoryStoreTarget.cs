using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Providers;
using Amx.Data.History.Storage;

namespace Amx.Data.History;

/// <summary>Where the history lives: a provider, the profile it connects with, and the effective schema name.</summary>
public sealed record HistoryStoreTarget(HistoryProvider Provider, DbProfile Profile, string Schema, bool IsShared)
{
    public const string LocalProfileName = "(local)";

    /// <summary>Backends that cannot host the store, and why (docs/history-store.md).</summary>
    public static readonly IReadOnlyDictionary<string, string> RefusedHosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["duckdb"] = "DuckDB is a single-writer file: teammates cannot write to it at the same time",
        ["clickhouse"] = "ClickHouse cannot update single rows transactionally, which review and apply need",
    };

    public Backend Backend => Provider.Backend;
    public string? ModelSchema => Provider.ModelSchema(Schema);
    public string ConnectionString => Provider.StoreConnectionString(Profile, Schema);

    /// <summary>Tables as users name them: <c>amx.amx_history_*</c>, or just the table prefix on SQLite.</summary>
    public string TablesName => Schema.Length == 0 ? "amx_history_*" : $"{Schema}.amx_history_*";

    /// <summary>Human description (never a secret): what and where.</summary>
    public string Location => IsShared
        ? $"{TablesName} in {Profile.Location} (profile {Profile.Name}, {Backend.ToConfigName()})"
        : $"local file {Profile.Path}";

    public HistoryDbContext CreateContext() => Provider.CreateContext(ConnectionString, ModelSchema);

    /// <summary>The per-user SQLite file <c>$AMX_HOME/history.db</c>.</summary>
    public static HistoryStoreTarget Local(AmxEnvironment env) =>
        new(new SqliteHistoryProvider(),
            new DbProfile { Name = LocalProfileName, Backend = Backend.Sqlite, Path = env.LocalHistoryPath }, "", IsShared: false);

    /// <summary>A shared store on a db profile; the schema normalised for that backend.</summary>
    public static HistoryStoreTarget Shared(AmxConfig config, string? profileName, string? schema)
    {
        if (string.IsNullOrWhiteSpace(profileName))
            throw AmxException.BadInput("no profile for the history store",
                config.DbProfiles.Count == 0 ? "add one with: amx add-db-profile NAME --backend postgresql …"
                                             : $"pass --profile with one of: {string.Join(", ", config.DbProfiles.Keys)}");
        var profile = config.GetDbProfile(profileName);
        var provider = HistoryProvider.For(profile.Backend);
        return new HistoryStoreTarget(provider, profile, provider.EffectiveSchema(schema), IsShared: true);
    }

    /// <summary>The store the config points at: the shared one when enabled, else the local file.</summary>
    public static HistoryStoreTarget FromConfig(AmxConfig config, AmxEnvironment env)
    {
        if (!config.HistoryStoreEnabled) return Local(env);
        if (string.IsNullOrWhiteSpace(config.HistoryStoreProfile))
            throw AmxException.BadInput("history_store_enabled is true but history_store_profile is not set",
                "run: amx history-store enable --profile NAME");
        if (!config.DbProfiles.ContainsKey(config.HistoryStoreProfile))
            throw AmxException.BadInput($"history_store_profile '{config.HistoryStoreProfile}' is not a known db profile",
                $"add it with amx add-db-profile {config.HistoryStoreProfile} …, or run: amx history-store disable");
        return Shared(config, config.HistoryStoreProfile, config.HistoryStoreSchema);
    }
}
