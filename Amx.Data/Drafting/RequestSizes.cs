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

    public void WriteTo(RunMetadata meta)
    {
        meta.RequestBudgetChars = budget;
        if (sizes.Count == 0) return;
        var count = (meta.RequestCount ?? 0) + sizes.Count;
        var total = (meta.RequestCharsTotal ?? 0) + sizes.Sum(s => (long)s);
        meta.RequestCount = count;
        meta.RequestCharsTotal = total;
        meta.RequestCharsMax = Math.Max(meta.RequestCharsMax ?? 0, sizes.Max());
        meta.RequestCharsMean = total / count;
        meta.RequestChars = sizes.Count <= ListedUpTo ? sizes.ToArray() : null;
        // Endpoints that report no usage (some local servers): an estimate at about four characters per token.
        meta.UsageReported = !usageMissing;
        meta.EstimatedInputTokens = usageMissing ? total / 4 : null;
    }
}
