using Amx.Data.Errors;

namespace Amx.Data.Config;

/// <summary>The typed view of <c>config.yml</c> (docs/architecture.md). Unknown keys live on in <see cref="ConfigDocument"/>.</summary>
public sealed class AmxConfig
{
    public const string DefaultHistorySchema = "AMX";

    public int SchemaVersion { get; set; } = 1;
    public Dictionary<string, DbProfile> DbProfiles { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LlmProfile> LlmProfiles { get; } = new(StringComparer.Ordinal);
    public string? ActiveDbProfile { get; set; }
    public string? ActiveLlmProfile { get; set; }
    public bool HistoryStoreEnabled { get; set; }
    public string? HistoryStoreProfile { get; set; }
    public string? HistoryStoreSchema { get; set; }

    /// <summary>Warnings found while reading (plaintext passwords, …), shown once by the host.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The db profile named, or the active one; unknown names list the known ones.</summary>
    public DbProfile GetDbProfile(string? name)
    {
        if (name is not null && string.IsNullOrWhiteSpace(name))
            throw AmxException.BadInput("the db profile name given is empty",
                DbProfiles.Count == 0 ? "add one with: amx add-db-profile NAME --backend …"
                                      : $"give one of: {string.Join(", ", DbProfiles.Keys)}, or leave the flag out to use active_db_profile");
        name ??= ActiveDbProfile;
        if (string.IsNullOrEmpty(name))
            throw AmxException.BadInput("no db profile given and no active_db_profile set",
                DbProfiles.Count == 0
                    ? "add one with: amx add-db-profile NAME --backend …"
                    : $"pass --db-profile with one of: {string.Join(", ", DbProfiles.Keys)}");
        if (DbProfiles.TryGetValue(name, out var profile)) return profile;
        throw AmxException.BadInput($"unknown db profile '{name}'",
            DbProfiles.Count == 0 ? "no db profiles yet; add one with: amx add-db-profile NAME --backend …"
                                  : $"known db profiles: {string.Join(", ", DbProfiles.Keys)}");
    }

    public LlmProfile GetLlmProfile(string? name)
    {
        if (name is not null && string.IsNullOrWhiteSpace(name))
            throw AmxException.BadInput("the llm profile name given is empty",
                LlmProfiles.Count == 0 ? "add one with: amx add-llm-profile NAME --provider offline (no key needed)"
                                       : $"give one of: {string.Join(", ", LlmProfiles.Keys)}, or leave the flag out to use active_llm_profile");
        name ??= ActiveLlmProfile;
        if (string.IsNullOrEmpty(name))
            throw AmxException.BadInput("no llm profile given and no active_llm_profile set",
                "add one with: amx add-llm-profile NAME --provider offline (no key needed)");
        if (LlmProfiles.TryGetValue(name, out var profile)) return profile;
        throw AmxException.BadInput($"unknown llm profile '{name}'",
            LlmProfiles.Count == 0 ? "no llm profiles yet; add one with: amx add-llm-profile NAME --provider …"
                                   : $"known llm profiles: {string.Join(", ", LlmProfiles.Keys)}");
    }
}
