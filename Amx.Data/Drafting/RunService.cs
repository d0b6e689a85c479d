using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Context;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Drafting;

/// <summary>
/// <c>amx run</c>: reads the scope's metadata, drafts every target with bounded concurrency, and commits each
/// finished batch to the history store as it arrives, so a crash or a kill loses no finished answer.
/// </summary>
public sealed class RunService(HistoryStore store, AmxEnvironment env, Action<string> notice, IProgress<RunProgress>? progress = null)
{
    /// <summary>
    /// What <see cref="StartAsync"/> prepared: the run row, its drafter, and the catalog still to read slice by slice
    /// (docs/runs.md#scale) with the first slice's read already under way: nothing here grows with the warehouse except
    /// the sets a resume or --missing-only needs.
    /// </summary>
    sealed record Session(HistoryRun Run, IDescriptionDrafter Drafter, IWarehouseProvider Provider, CatalogSlices Catalog,
        IAsyncEnumerator<Catalog> Slices, Task<bool> FirstSlice,
        HashSet<string> AlreadyDone, HashSet<string>? Covered, string? ResultMetadata, int MaxRequestChars, RunGrounding Grounding,
        ContextLibrary? Library);

    /// <summary>A target still to draft; Name is its target_qname, computed once.</summary>
    sealed record PendingTarget(TableMeta Table, ColumnMeta? Column, DraftTarget Target, string Name, string? Live);

    /// <summary>What <see cref="DraftAsync"/> did.</summary>
    sealed record Drafting(ResultWriter Writer, TokenUsage Usage, int Calls, int Ok, int Failed, string? FirstFailure, TimeSpan Elapsed,
        RequestSizes Sizes, RunGrounding Grounding, int Skipped);

    public async Task<RunSummary> RunAsync(RunRequest req, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Validate(req);
        var session = await StartAsync(req, ct);
        using var drafter = session.Drafter;
        var drafting = await DraftAsync(session, req, clock, ct);
        return await FinishAsync(session, drafting, req, clock, ct);
    }

    /// <summary><c>AMX_SLICE_COLUMNS</c>: columns read and drafted at a time (docs/runs.md#scale); smaller holds less memory.</summary>
    int SliceColumns() => MetadataOptions.ColumnsPerSliceFrom(env.Variable("AMX_SLICE_COLUMNS"));

    static void Validate(RunRequest req)
    {
        if (req.Concurrency < 1) throw AmxException.BadInput("--concurrency must be at least 1");
        if (req.BatchSize < 1) throw AmxException.BadInput("--batch-size must be at least 1");
        // An unset $SCOPE in a script must not widen a run to the whole warehouse (docs/runs.md).
        if (req.Scope is not null && string.IsNullOrWhiteSpace(req.Scope))
            throw AmxException.BadInput("the scope is empty",
                "give a schema, schema.table or schema.table.column (check the variable that should hold it); the whole warehouse: amx run-apply with no scope");
    }

    /// <summary>Starts a new run or takes up an old one: reads the metadata, builds the drafter, writes the run row.</summary>
    async Task<Session> StartAsync(RunRequest req, CancellationToken ct)
    {
        HistoryRun? resumed = null;
        if (req.ResumeRunId is { } resumeId)
        {
            await RunLiveness.SweepAsync(store, ct);
            resumed = await store.FindRunAsync(resumeId);
            Eval.EvalRuns.Refuse(resumed, "run --resume");
            if (resumed.State == RunStates.Running)
                throw AmxException.Conflict($"run {resumed.RunId} is still running (started by {resumed.Who} on {resumed.Host})",
                    "wait for it to finish; a run whose process died is marked failed and can then be resumed");
            if (resumed.State is RunStates.Applied or RunStates.Reviewed)
                throw AmxException.BadInput($"run {resumed.RunId} is {resumed.State}; only a failed or drafted run can be resumed");
            if (req.Scope is not null && Scope.Parse(req.Scope)?.ToString() != resumed.Scope)
                throw AmxException.BadInput($"run {resumed.RunId} covers scope '{resumed.Scope}', not '{req.Scope}'", $"amx run --resume {resumed.RunId}");
            req = req with { Scope = resumed.Scope == "*" ? null : resumed.Scope };
        }
        var scope = Scope.Parse(req.Scope);
        var provider = WarehouseProviders.For(req.DbProfile.Backend);
        var contextPaths = req.ContextPaths.Concat(req.LlmProfile.Context).Distinct(StringComparer.Ordinal).ToList();
        var metadataOptions = new MetadataOptions
        {
            Profiling = req.ProfilingMode, MaskSamples = req.MaskSamples, NoSamples = req.NoSamples, ColumnsPerSlice = SliceColumns(),
        };
        Task<DbConnection> Open(CancellationToken token) => provider.OpenAsync(req.DbProfile, token);
        // Context documents are matched against every table at once: such a run reads its catalog whole.
        var catalog = contextPaths.Count > 0
            ? await CatalogSlices.WholeAsync(provider.Metadata, Open, scope, metadataOptions, ct)
            : await provider.Metadata.ReadSlicesAsync(Open, scope, metadataOptions, ct);
        if (catalog.Targets == 0)
            throw AmxException.BadInput($"nothing to draft in scope '{req.Scope ?? "(whole warehouse)"}' of db profile '{req.DbProfile.Name}'",
                $"list schemas and tables with: amx db inspect --profile {req.DbProfile.Name}");

        var maxRequestChars = req.LlmProfile.MaxRequestChars ?? DrafterOptions.DefaultMaxRequestChars;
        // Context documents are read once per run, before any run row exists (a bad path is bad input).
        var library = contextPaths.Count == 0 ? null : ContextLibrary.Load(contextPaths);
        var grounding = RunGrounding.Of(library, req.ContextBudget, req.LlmProfile.Instructions);

        // The drafter is built before any run row exists: a missing API key or unknown provider is bad input, not a dead run.
        var drafter = DrafterFactory.Create(req.LlmProfile, new DrafterOptions
        {
            RequestTimeout = req.RequestTimeout, ConnectTimeout = req.ConnectTimeout, TotalTimeout = req.TotalTimeout,
            MaxAlternatives = req.MaxAlternatives, StopWhenSilent = true,
            MaxRequestChars = maxRequestChars, Instructions = req.LlmProfile.Instructions, Glossary = library?.Glossary,
        });
        // The first slice is read while the run row is written (and teammates' runs looked up): drafting starts sooner.
        var slices = catalog.Slices.GetAsyncEnumerator(ct);
        var firstSlice = slices.MoveNextAsync().AsTask();
        try
        {
            var scopeText = scope?.ToString() ?? "*";
            var tableCount = catalog.Tables;
            HistoryRun run;
            var alreadyDone = new HashSet<string>(StringComparer.Ordinal);
            HashSet<string>? covered = null;
            string? resultMetadata = null;
            if (resumed is not null)
            {
                run = resumed;
                // Failed targets are drafted again: their rows go so the new answers can be inserted.
                alreadyDone = await store.ForgetFailedAsync(run.RunId, ct);
                var meta = RunMetadata.Read(run.MetadataJson);
                if (req.LlmSwitch)
                {
                    // A deliberate switch: the run keeps the profile it started with; each new result names the one that drafted it.
                    var from = meta.LlmProfile ?? $"{run.LlmProvider} {run.LlmModel}";
                    resultMetadata = new ResultMetadata { LlmProfile = req.LlmProfile.Name, LlmProvider = drafter.Provider, LlmModel = drafter.Model, SwitchedFrom = from }.ToJson();
                    (meta.LlmSwitches ??= []).Add(req.LlmProfile.Name);
                    notice($"note: switching run {run.RunId} from llm profile '{from}' to '{req.LlmProfile.Name}' " +
                           $"({drafter.Provider} {drafter.Model}); the results drafted now record it.");
                }
                else
                {
                    meta.LlmProfile ??= req.LlmProfile.Name;
                }
                run.State = RunStates.Running;
                run.FinishedAt = null;
                // The run goes on: it is no longer interrupted (the count of resumes keeps the story).
                meta.Resumed = (meta.Resumed ?? 0) + 1;
                meta.Interrupted = null;
                meta.Error = null;
                MarkProcess(meta, tableCount);
                run.MetadataJson = meta.ToJson();
                await store.UpdateRunAsync(run);
                notice($"Resuming {run.RunId}: {alreadyDone.Count} of {catalog.Targets} targets already drafted.");
            }
            else
            {
                // --missing-only skips, slice by slice, what has a comment, an accepted draft or a dbt description.
                if (req.MissingOnly) covered = await CoveredTargetsAsync(scopeText, ct);
                await TellAboutTeammatesAsync(scopeText, req.MissingOnly, ct);
                run = new HistoryRun
                {
                    Who = env.User, Host = Environment.MachineName, ClientVersion = ClientVersion, StartedAt = DateTime.UtcNow,
                    Scope = scopeText, DbProfile = req.DbProfile.Name, DbBackend = req.DbProfile.Backend.ToConfigName(),
                    State = RunStates.Running, LlmProvider = drafter.Provider, LlmModel = drafter.Model,
                };
                var meta = new RunMetadata { LlmProfile = req.LlmProfile.Name };
                MarkProcess(meta, tableCount);
                run.MetadataJson = meta.ToJson();
                await store.StartRunAsync(run, ct);
            }

            return new Session(run, drafter, provider, catalog, slices, firstSlice, alreadyDone, covered, resultMetadata, maxRequestChars, grounding, library);
        }
        catch
        {
            drafter.Dispose();
            // A slice read still running must finish before its enumerator can go; the start's error is the one to report.
            try { await firstSlice; } catch (Exception) { }
            await slices.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Drafts slice by slice, every batch with bounded concurrency; the single writer commits answers as they come.
    /// The next slice is read while this one is drafted; a slice is dropped once its answers are handed to the writer.
    /// </summary>
    async Task<Drafting> DraftAsync(Session session, RunRequest req, Stopwatch clock, CancellationToken ct)
    {
        var run = session.Run;
        var total = (int)Math.Min(int.MaxValue, session.Catalog.Targets - session.AlreadyDone.Count);
        var writer = new ResultWriter(store, env, run, notice);
        var writerTask = writer.RunAsync(ct);
        using var heartbeat = new Heartbeat(store, run);
        var usage = new TokenUsage();
        var sizes = new RequestSizes(session.MaxRequestChars);
        int done = 0, failed = 0, calls = 0, skippedCovered = 0, skippedDbt = 0;
        string? firstFailure = null;
        var draftClock = Stopwatch.StartNew();
        ContextIndex? contextIndex = null;
        Drafting Snapshot()
        {
            // What this process knows it wrote, plus what an earlier process had drafted (the failed ones were removed).
            lock (writer) return new Drafting(writer, usage, calls, session.AlreadyDone.Count + done - failed, failed, firstFailure, draftClock.Elapsed,
                sizes, session.Grounding, skippedCovered + skippedDbt);
        }
        async Task WriteAsync(List<HistoryResult> rows, TokenUsage used, int callsMade, DraftBatchResult? result = null)
        {
            // Not cancellable: a finished answer is always handed to the writer, even when the run is stopping.
            await writer.Channel.Writer.WriteAsync(rows, CancellationToken.None);
            RunProgress now;
            lock (writer)
            {
                usage += used;
                calls += callsMade;
                if (result is not null) sizes.Add(result);
                done += rows.Count;
                failed += rows.Count(r => r.Description is null);
                firstFailure ??= rows.FirstOrDefault(r => r.Description is null)?.Error;
                now = new RunProgress(done, total, failed);
            }
            progress?.Report(now);
        }
        async Task DraftSliceAsync(Catalog slice)
        {
            var library = session.Library;
            // Context documents: the catalog was read whole (one slice), so the index sees every table.
            contextIndex ??= library is null ? null : new ContextIndex(library, slice.Tables.Where(t => !t.IsAmxOwned));
            var pending = new List<PendingTarget>();
            foreach (var (table, column) in slice.Targets())
            {
                var target = column is null ? DraftTarget.ForTable(table) : DraftTarget.ForColumn(table, column);
                var live = column is null ? table.Comment : column.Comment;
                var name = target.Key;
                if (session.AlreadyDone.Contains(name)) continue;
                if (session.Covered is { } covered)
                {
                    if (live is not (null or "") || covered.Contains(name)) { skippedCovered++; continue; }
                    // A dbt project given as context: its descriptions count as existing ones (docs/context-and-export.md).
                    if (library is { DbtProjectRoots.Count: > 0 } && library.DescribedInDbt(target.Name)) { skippedDbt++; continue; }
                }
                pending.Add(new PendingTarget(table, column, target, name, live));
            }
            lock (writer) total = (int)Math.Min(int.MaxValue, session.Catalog.Targets - session.AlreadyDone.Count - skippedCovered - skippedDbt);
            if (pending.Count == 0) return;
            var liveByTarget = pending.ToDictionary(t => t.Name, t => t.Live, StringComparer.Ordinal);
            // Views are drafted after their bases (level by level), so a view column can inherit this run's draft.
            IReadOnlyDictionary<string, string>? outside = null;
            if (InheritancePlan.HasLineage(slice))
                await using (var conn = await session.Provider.OpenAsync(req.DbProfile, ct))
                    // Live comments of view bases outside the scope, so their view columns can inherit them (docs/view-lineage.md).
                    outside = await InheritancePlan.ReadOutsideCommentsAsync(session.Provider, conn, slice, ct);
            // Most slices are plain tables: their plan needs no index of tables and comments.
            var plan = outside is null ? new InheritancePlan(new Catalog()) : new InheritancePlan(slice, outside);
            foreach (var level in pending.GroupBy(t => plan.Level(t.Table)).OrderBy(g => g.Key))
            {
                if (level.Key > 0)
                {
                    // The bases' drafts are read back from the store once committed: memory holds none of them.
                    await writer.FlushAsync();
                    var sources = InheritancePlan.Sources(level.Select(t => t.Table).Distinct());
                    plan.UseRunResults(await writer.ActiveStore.RunResultsOfAsync(run.RunId, sources, ct));
                }
                var toDraft = new List<PendingTarget>();
                var inherited = new List<HistoryResult>();
                foreach (var t in level)
                {
                    if (plan.Inherit(t.Column) is { } from)
                        inherited.Add(new HistoryResult
                        {
                            RunId = run.RunId, TargetQname = t.Name, TargetKind = t.Target.Kind, Description = from.Text,
                            Confidence = from.Confidence, PreviousComment = t.Live, Decision = Decisions.Pending,
                            MetadataJson = new ResultMetadata { Source = from.Source, SourceText = from.Origin }.ToJson(),
                        });
                    else toDraft.Add(t);
                }
                if (inherited.Count > 0) await WriteAsync(inherited, default, 0);
                // Requests are made as the workers take them, not all up front.
                var requests = toDraft.GroupBy(t => t.Table)
                    .SelectMany(g =>
                    {
                        var context = contextIndex?.Select(g.Key, req.ContextBudget) ?? [];
                        var bases = plan.BaseDescriptions(g.Key);
                        return DraftBatcher.Batches(g.Key, g.Select(t => t.Target).ToList(), req.BatchSize,
                                session.Drafter.SendsPrompts ? session.MaxRequestChars : null)
                            .Select(chunk => new DraftRequest
                            {
                                Table = g.Key, Targets = chunk, MaxAlternatives = req.MaxAlternatives, Context = context, BaseDescriptions = bases,
                            });
                    });
                await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = req.Concurrency, CancellationToken = ct },
                    async (request, token) =>
                    {
                        var result = await session.Drafter.DraftAsync(request, token);
                        var rated = session.Drafter.RatesConfidence;
                        var rows = result.Outcomes.Select(o => ToResult(run.RunId, rated ? o : ConfidenceRules.Apply(o), liveByTarget, session.ResultMetadata)).ToList();
                        await WriteAsync(rows, result.Usage, result.Calls, result);
                    });
            }
        }
        var slices = session.Slices;
        var next = session.FirstSlice;
        try
        {
            while (await next)
            {
                var slice = slices.Current;
                next = slices.MoveNextAsync().AsTask();
                await DraftSliceAsync(slice);
            }
        }
        catch (Exception e)
        {
            // A slice read still running must finish before its enumerator can go.
            try { await next; } catch (Exception) { /* the first error is the one to report */ }
            await slices.DisposeAsync();
            // Stopped early (key refused, endpoint silent, Ctrl+C, nowhere to write): keep what finished, mark the run failed, say why.
            writer.Channel.Writer.TryComplete();
            var writeError = await ErrorOf(writerTask);
            await heartbeat.StopAsync();
            run.State = RunStates.Failed;
            run.FinishedAt = DateTime.UtcNow;
            var reason = writeError ?? e;
            try { await RecordAsync(Snapshot(), run, req, clock.Elapsed, reason.Message, CancellationToken.None); }
            catch (Exception) when (writeError is not null) { /* the store is what failed; the sweep marks the run later */ }
            if (writeError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writeError);
            throw;
        }
        await slices.DisposeAsync();
        if (skippedCovered > 0) notice($"--missing-only: skipping {skippedCovered} targets that already have a comment or an accepted draft.");
        if (session.Covered is not null && session.Library is { DbtProjectRoots.Count: > 0 })
            notice($"--missing-only: skipping {skippedDbt} targets described in the dbt project given as --context.");
        writer.Channel.Writer.TryComplete();
        await writerTask;
        await heartbeat.StopAsync();
        return Snapshot();
    }

    /// <summary>Ends the run: <c>failed</c> with the cause when nothing at all was drafted, else <c>drafted</c> (or
    /// <c>reviewed</c> when --accept decided everything).</summary>
    async Task<RunSummary> FinishAsync(Session session, Drafting d, RunRequest req, Stopwatch clock, CancellationToken ct)
    {
        var run = session.Run;
        run.FinishedAt = DateTime.UtcNow;
        if (d.Ok == 0 && d.Failed > 0)
        {
            run.State = RunStates.Failed;
            var cause = $"no target was drafted: {d.FirstFailure ?? "every request failed"}";
            await RecordAsync(d, run, req, clock.Elapsed, cause, ct);
            throw AmxException.Failed($"run {run.RunId} failed: {cause}",
                $"check the llm profile '{req.LlmProfile.Name}' and its endpoint; then draft what is missing with: amx run --resume {run.RunId}");
        }
        run.State = RunStates.Drafted;
        var (accepted, outcomes) = await RecordAsync(d, run, req, clock.Elapsed, null, ct);
        return new RunSummary(run.RunId, run.State, run.OkCount, run.FailCount, d.Skipped, accepted,
            session.Catalog.Tables, clock.Elapsed, d.Writer.FallbackNote, d.Writer.FellBack ? null : outcomes);
    }

    static async Task<Exception?> ErrorOf(Task task)
    {
        try { await task; return null; }
        catch (Exception e) { return e; }
    }

    /// <summary>Counts, accept policy, state and metadata — written last, in one place, to whichever store holds the run.
    /// Returns how many drafts --accept took, and the tally's outcomes per schema.</summary>
    async Task<(int Accepted, IReadOnlyList<OutcomeCount> Outcomes)> RecordAsync(Drafting d, HistoryRun run, RunRequest req, TimeSpan totalTime, string? error, CancellationToken ct)
    {
        var writer = d.Writer;
        var target = writer.ActiveStore;
        var accepted = 0;
        var minimum = Confidences.AcceptedAt(req.Accept.ToString()) ?? [];
        if (minimum.Length > 0 && error is null)
            accepted = await target.AcceptLevelsAsync(run.RunId, minimum, env.User, DateTime.UtcNow, ct);
        // One grouped read gives every count below (plain SQL: a run needs none of EF's cold start).
        var tally = await target.ReadAsync(r => r.RunTallyAsync(run.RunId, ct), ct);
        if (writer.FellBack)
        {
            // The local file holds only what was written after the fallback; the counts are what this run drafted.
            (run.OkCount, run.FailCount) = (d.Ok, d.Failed);
        }
        else
        {
            (run.OkCount, run.FailCount) = (tally.Ok, tally.Failed);
        }
        if (error is null && !writer.FellBack && run.OkCount > 0 && tally.PendingDescribed == 0)
            run.State = RunStates.Reviewed;
        var meta = RunMetadata.Read(run.MetadataJson);
        meta.Verb = req.Verb;
        meta.ProfilingMode = req.ProfilingMode.ToString().ToLowerInvariant();
        meta.Accept = req.Accept.ToString().ToLowerInvariant();
        meta.BatchSize = req.BatchSize;
        meta.Concurrency = req.Concurrency;
        meta.MissingOnly = req.MissingOnly;
        meta.RequestTimeoutSeconds = req.RequestTimeout.TotalSeconds;
        meta.InputTokens = (meta.InputTokens ?? 0) + d.Usage.InputTokens;
        meta.OutputTokens = (meta.OutputTokens ?? 0) + d.Usage.OutputTokens;
        meta.LlmCalls = (meta.LlmCalls ?? 0) + d.Calls;
        meta.TotalTokens = meta.InputTokens + meta.OutputTokens;
        d.Sizes.WriteTo(meta);
        // How many drafts fell in each confidence class (docs/drafting-quality.md): what --accept high would take.
        meta.ConfidenceCounts = tally.ByConfidence;
        meta.Inherited = tally.Inherited;
        d.Grounding.WriteTo(meta);
        meta.DraftSeconds = Math.Round(d.Elapsed.TotalSeconds, 3);
        meta.TotalSeconds = Math.Round(totalTime.TotalSeconds, 3);
        meta.ClearProcess();
        if (writer.FellBack) meta.LocalFallback = true;
        meta.Error = error;
        run.MetadataJson = meta.ToJson();
        await target.UpdateRunAsync(run);
        return (accepted, tally.Outcomes);
    }

    static HistoryResult ToResult(string runId, DraftOutcome o, IReadOnlyDictionary<string, string?> live, string? metadata)
    {
        var name = o.Target.Key;
        return new()
        {
            RunId = runId,
            TargetQname = name,
            TargetKind = o.Target.Kind,
            Description = o.Description,
            Alternatives = o.Alternatives.Count == 0 ? null : MetadataJson.StringList(o.Alternatives),
            Confidence = o.Confidence,
            PreviousComment = live.GetValueOrDefault(name),
            Decision = Decisions.Pending,
            Error = o.Error,
            MetadataJson = metadata,
        };
    }

    /// <summary>Targets that already have an accepted, edited or applied draft in the history (for --missing-only).</summary>
    Task<HashSet<string>> CoveredTargetsAsync(string scope, CancellationToken ct) =>
        store.ReadAsync(r => r.CoveredTargetsAsync(scope, ct), ct);

    /// <summary>In shared mode, one summary of teammates' recent runs of an overlapping scope: how many by whom, the latest.</summary>
    async Task TellAboutTeammatesAsync(string scope, bool missingOnly, CancellationToken ct)
    {
        if (!store.IsShared) return;
        var recent = await store.ReadAsync(r => r.RecentRunsOfOthersAsync(env.User, DateTime.UtcNow.AddDays(-30), ct), ct);
        var overlapping = recent.Where(r => ScopesOverlap(r.Scope, scope)).OrderByDescending(r => r.StartedAt).ToList();
        if (overlapping.Count == 0) return;
        var byWho = overlapping.GroupBy(r => r.Who).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        var runs = overlapping.Count == 1 ? "1 run" : $"{overlapping.Count} runs";
        notice($"note: teammates drafted this scope in the last 30 days: {runs} ({string.Join(", ", byWho)}); latest {overlapping[0].RunId}." +
               (missingOnly ? "" : " --missing-only skips what already has a comment or an accepted draft."));
    }

    static bool ScopesOverlap(string a, string b) =>
        a == "*" || b == "*" || a == b || a.StartsWith(b + ".", StringComparison.Ordinal) || b.StartsWith(a + ".", StringComparison.Ordinal);


    /// <summary>Host and pid of the drafting process: lets a later command see that a 'running' run died.</summary>
    static void MarkProcess(RunMetadata meta, int tables)
    {
        meta.Pid = Environment.ProcessId;
        meta.PidHost = Environment.MachineName;
        meta.PidStartedAt = RunLiveness.ProcessStartUtc();
        meta.HeartbeatAt = DateTime.UtcNow;
        meta.Tables = tables;
    }

    /// <summary>
    /// Refreshes <c>heartbeat_at</c> while drafting, so other machines can tell a live run from a dead one. It stops
    /// when its timer is disposed (the wait then ends quietly); only a refresh still in flight is cancelled. A cancelled
    /// wait would throw, and a process's first exception loads the stack-trace machinery at the end of every run.
    /// </summary>
    sealed class Heartbeat : IDisposable
    {
        readonly PeriodicTimer _timer = new(RunLiveness.HeartbeatEvery);
        readonly CancellationTokenSource _inFlight = new();
        readonly Task _loop;

        public Heartbeat(HistoryStore store, HistoryRun run) => _loop = BeatAsync(store, run);

        async Task BeatAsync(HistoryStore store, HistoryRun run)
        {
            while (await _timer.WaitForNextTickAsync())
            {
                var meta = RunMetadata.Read(run.MetadataJson);
                meta.HeartbeatAt = DateTime.UtcNow;
                var json = meta.ToJson();
                try { await store.HeartbeatAsync(run.RunId, json, _inFlight.Token); }
                catch (OperationCanceledException) { return; }
                catch (Exception e) when (e is DbException or InvalidOperationException) { /* the writer reports store trouble */ }
            }
        }

        public async Task StopAsync()
        {
            _timer.Dispose();
            if (!_loop.IsCompleted) await _inFlight.CancelAsync();
            await _loop;
        }

        public void Dispose()
        {
            _timer.Dispose();
            _inFlight.Dispose();
        }
    }

    public static string ClientVersion =>
        typeof(RunService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
