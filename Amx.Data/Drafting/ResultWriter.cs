using System.Data.Common;
using System.Threading.Channels;
using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Model;
using Polly;
using Polly.Retry;

namespace Amx.Data.Drafting;

/// <summary>
/// The single writer of a run's results: drains whatever batches have arrived and commits them together, so
/// commits keep pace with any number of drafting workers. If the shared store stays away after retries, the run
/// and its results continue in the local file and the user is told how to push them later.
/// </summary>
sealed class ResultWriter(HistoryStore store, AmxEnvironment env, HistoryRun run, Action<string> notice)
{
    static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<DbException>().Handle<TimeoutException>().Handle<InvalidOperationException>(),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
        })
        .Build();

    public Channel<List<HistoryResult>> Channel { get; } =
        System.Threading.Channels.Channel.CreateBounded<List<HistoryResult>>(new BoundedChannelOptions(256) { SingleReader = true });

    // An empty batch carrying a completion: it completes once everything queued before it is committed.
    readonly Dictionary<List<HistoryResult>, TaskCompletionSource> _flushes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Waits until every batch handed over so far is committed (views read their bases' drafts back from the store).</summary>
    public async Task FlushAsync()
    {
        var marker = new List<HistoryResult>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushes) _flushes[marker] = done;
        await Channel.Writer.WriteAsync(marker, CancellationToken.None);
        await done.Task;
    }

    /// <summary>Where the run lives now: the configured store, or the local file after a fallback.</summary>
    public HistoryStore ActiveStore { get; private set; } = store;

    public string? FallbackNote { get; private set; }

    /// <summary>True once the run continues in the local file.</summary>
    public bool FellBack => FallbackNote is not null;

    /// <summary>Runs until the channel completes; uses no cancellation so queued answers are always flushed.</summary>
    public async Task RunAsync(CancellationToken _)
    {
        var reader = Channel.Reader;
        var pending = new List<HistoryResult>();
        try
        {
            var flushed = new List<TaskCompletionSource>();
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var rows))
                {
                    pending.AddRange(rows);
                    lock (_flushes)
                        if (_flushes.Remove(rows, out var flush)) flushed.Add(flush);
                }
                await WriteAsync(pending);
                pending = [];
                foreach (var f in flushed) f.TrySetResult();
                flushed.Clear();
            }
        }
        catch (Exception e)
        {
            // Nowhere left to write: close the channel so the drafting workers stop instead of waiting on a full queue.
            Channel.Writer.TryComplete(e);
            lock (_flushes)
                foreach (var f in _flushes.Values) f.TrySetException(e);
            throw;
        }
    }

    async Task WriteAsync(List<HistoryResult> rows)
    {
        try
        {
            await Retry.ExecuteAsync(async ct => await ActiveStore.AddResultsAsync(rows), CancellationToken.None);
        }
        // Whatever keeps the shared store from taking the rows (gone, or a revoked privilege), the drafts go to the local file.
        catch (Exception e) when (ActiveStore.IsShared && e is not OperationCanceledException)
        {
            var local = await HistoryStore.OpenLocalAsync(env);
            await local.ImportRunAsync(run);
            ActiveStore = local;
            FallbackNote = $"the shared history store stayed unreachable ({e.Message.ReplaceLineEndings(" ")}); run {run.RunId} " +
                           $"continues in {env.LocalHistoryPath}. Push it later with: amx history-store migrate";
            notice("warning: " + FallbackNote);
            await local.AddResultsAsync(rows);
        }
    }
}
