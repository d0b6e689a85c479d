using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;

namespace Amx.Data.Drafting;

/// <summary>Which profiles a resumed run continues with: its own, never whatever is active now (docs/runs.md).</summary>
public static class RunResume
{
    /// <summary>The llm profile the run drafted with; bad input when it is gone or now means another model.</summary>
    public static LlmProfile LlmProfileOf(HistoryRun run, AmxConfig config)
    {
        var recorded = RunMetadata.Read(run.MetadataJson).LlmProfile;
        LlmProfile? found;
        if (recorded is not null)
        {
            found = config.LlmProfiles.GetValueOrDefault(recorded);
            if (found is not null && !SameModel(found, run)) found = null;
        }
        else
        {
            // Runs recorded before the profile name was kept: the one profile with the run's provider and model.
            var matches = config.LlmProfiles.Values.Where(p => SameModel(p, run)).ToList();
            found = matches.Count == 1 ? matches[0] : null;
        }
        return found ?? throw AmxException.BadInput(
            $"run {run.RunId} was drafted with llm profile '{recorded ?? "?"}' ({run.LlmProvider} {run.LlmModel}), which is not in the config " +
            (recorded is not null && config.LlmProfiles.ContainsKey(recorded) ? "any more with that provider and model" : "any more"),
            $"add it back (amx add-llm-profile {recorded ?? "NAME"} --provider {run.LlmProvider} --model {run.LlmModel} …), " +
            $"or switch deliberately: amx run --resume {run.RunId} --llm-profile NAME (each result records the profile that drafted it)");
    }

    static bool SameModel(LlmProfile p, HistoryRun run) =>
        string.Equals(p.Provider.Trim(), run.LlmProvider, StringComparison.OrdinalIgnoreCase)
        && (p.Model is null || run.LlmModel is null || p.Model == run.LlmModel || p.Provider.Trim().Equals("offline", StringComparison.OrdinalIgnoreCase));
}
