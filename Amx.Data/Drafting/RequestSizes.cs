using Amx.Data.History;
using Amx.Data.Llm;

namespace Amx.Data.Drafting;

/// <summary>
/// The prompt sizes of a run's LLM requests, for its metadata (docs/llm.md): the budget, how many requests, the
/// largest, the total, and each size while the run is small enough to list them. Not thread-safe: the run adds
/// under its own lock.
/// </summary>
public sealed class RequestSizes(int budget)
{
    /// <summary>Runs with more requests record the summary only, so the metadata stays small.</summary>
    public const int ListedUpTo = 2000;
    readonly List<int> sizes = [];
    bool usageMissing;

    public void Add(DraftBatchResult result)
    {
        sizes.AddRange(result.RequestChars);
        if (result.Calls > 0 && !result.UsageReported) usageMissing = true;
    }

    public void WriteTo(Dictionary<string, object?> meta)
    {
        meta["request_budget_chars"] = budget;
        if (sizes.Count == 0) return;
        var count = (Metadata.Long(meta, "request_count") ?? 0) + sizes.Count;
        var total = (Metadata.Long(meta, "request_chars_total") ?? 0) + sizes.Sum(s => (long)s);
        meta["request_count"] = count;
        meta["request_chars_total"] = total;
        meta["request_chars_max"] = Math.Max(Metadata.Long(meta, "request_chars_max") ?? 0, sizes.Max());
        meta["request_chars_mean"] = total / count;
        if (sizes.Count <= ListedUpTo) meta["request_chars"] = sizes.ToArray();
        else meta.Remove("request_chars");
        // Endpoints that report no usage (some local servers): an estimate at about four characters per token.
        meta["usage_reported"] = !usageMissing;
        if (usageMissing) meta["estimated_input_tokens"] = total / 4;
        else meta.Remove("estimated_input_tokens");
    }
}
