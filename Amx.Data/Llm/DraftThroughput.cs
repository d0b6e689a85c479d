using System.Diagnostics;

namespace Amx.Data.Llm;

/// <summary>
/// Drafts many batches with bounded concurrency and reports throughput against the ideal
/// (calls × latency ÷ concurrency). A measuring aid for benchmarks; the run orchestration owns the real loop.
/// </summary>
public static class DraftThroughput
{
    public sealed record Report(int Batches, int Targets, int Failed, int Calls, TokenUsage Usage, TimeSpan Elapsed)
    {
        /// <summary>The best possible wall time if every call took <paramref name="latency"/>.</summary>
        public TimeSpan Ideal(TimeSpan latency, int concurrency) =>
            TimeSpan.FromTicks(latency.Ticks * (long)Math.Ceiling(Calls / (double)concurrency));

        public string Describe(TimeSpan latency, int concurrency)
        {
            var ideal = Ideal(latency, concurrency);
            var ratio = ideal > TimeSpan.Zero ? Elapsed / ideal : double.NaN;
            return $"{Targets} targets in {Batches} batches ({Calls} calls, {Failed} failed): {Elapsed.TotalSeconds:0.00} s; " +
                   $"ideal {ideal.TotalSeconds:0.00} s at {latency.TotalMilliseconds:0} ms × concurrency {concurrency}; ratio {ratio:0.00}×";
        }
    }

    public static async Task<Report> MeasureAsync(IDescriptionDrafter drafter, IReadOnlyList<DraftRequest> batches, int concurrency, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var results = new DraftBatchResult[batches.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, batches.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (i, token) => results[i] = await drafter.DraftAsync(batches[i], token));
        clock.Stop();
        return new Report(
            batches.Count,
            results.Sum(r => r.Outcomes.Count),
            results.Sum(r => r.Outcomes.Count(o => !o.Succeeded)),
            results.Sum(r => r.Calls),
            results.Aggregate(new TokenUsage(), (u, r) => u + r.Usage),
            clock.Elapsed);
    }
}
