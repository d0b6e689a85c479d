using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;
using Microsoft.EntityFrameworkCore;

namespace Amx.Data.Drafting;

/// <summary>
/// <c>amx run</c>: reads the scope's metadata, drafts every target with bounded concurrency, and commits each
/// finished batch to the history store as it arrives, so a crash or a kill loses no finished answer.
/// </summary>
public sealed class RunService(HistoryStore store, AmxEnvironment env, Action<string> notice, IProgress<RunProgress>? progress = null)
{
    public async Task<RunSummary> RunAsync(RunRequest req, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (req.Concurrency < 1) throw AmxException.BadInput("--concurrency must be at least 1");
        if (req.BatchSize < 1) throw AmxException.BadInput("--batch-size must be at least 1");
        HistoryRun? resumed = null;
        if (req.ResumeRunId is { } resumeId)
        {
            await RunLiveness.SweepAsync(store, ct);
            resumed = await store.FindRunAsync(resumeId);
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

        Catalog catalog;
        IReadOnlyDictionary<string, string> outsideComments;
        await using (var conn = await provider.OpenAsync(req.DbProfile, ct))
        {
            catalog = await provider.Metadata.ReadAsync(conn, scope, new MetadataOptions
            {
                Profiling = req.ProfilingMode, MaskSamples = req.MaskSamples, NoSamples = req.NoSamples,
            }, ct);
            outsideComments = await InheritancePlan.ReadOutsideCommentsAsync(provider, conn, catalog, ct);
        }

        var targets = catalog.Targets().Select(t => (t.Table, Target: t.Column is null ? DraftTarget.ForTable(t.Table) : DraftTarget.ForColumn(t.Table, t.Column),
                                                     Live: t.Column is null ? t.Table.Comment : t.Column.Comment)).ToList();
        if (targets.Count == 0)
            throw AmxException.BadInput($"nothing to draft in scope '{req.Scope ?? "(whole warehouse)"}' of db profile '{req.DbProfile.Name}'",
                $"list schemas and tables with: amx db inspect --profile {req.DbProfile.Name}");

        // The drafter is built before any run row exists: a missing API key or unknown provider is bad input, not a dead run.
        using var drafter = DrafterFactory.Create(req.LlmProfile, new DrafterOptions
        {
            RequestTimeout = req.RequestTimeout, MaxAlternatives = req.MaxAlternatives,
        });

        var scopeText = scope?.ToString() ?? "*";
        var tableCount = targets.Select(t => t.Table).Distinct().Count();
        HistoryRun run;
        var alreadyDone = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;
        if (resumed is not null)
        {
            run = resumed;
            await using var db = store.CreateContext();
            // Failed targets are drafted again: their rows go so the new answers can be inserted.
            await db.Results.Where(r => r.RunId == run.RunId && r.Description == null).ExecuteDeleteAsync(ct);
            foreach (var q in await db.Results.Where(r => r.RunId == run.RunId).Select(r => r.TargetQname).ToListAsync(ct))
                alreadyDone.Add(q);
            run.State = RunStates.Running;
            run.FinishedAt = null;
            run.LlmProvider = drafter.Provider;
            run.LlmModel = drafter.Model;
            SetProcessMarker(run, tableCount, resuming: true);
            await store.UpdateRunAsync(run);
            notice($"Resuming {run.RunId}: {alreadyDone.Count} of {targets.Count} targets already drafted.");
        }
        else
        {
            if (req.MissingOnly)
            {
                var covered = await CoveredTargetsAsync(scopeText, ct);
                var before = targets.Count;
                targets = targets.Where(t => t.Live is null or "" && !covered.Contains(t.Target.Name.ToString())).ToList();
                skipped = before - targets.Count;
                if (skipped > 0) notice($"--missing-only: skipping {skipped} targets that already have a comment or an accepted draft.");
            }
            await TellAboutTeammatesAsync(scopeText, ct);
            run = new HistoryRun
            {
                Who = env.User, Host = Environment.MachineName, ClientVersion = ClientVersion, StartedAt = DateTime.UtcNow,
                Scope = scopeText, DbProfile = req.DbProfile.Name, DbBackend = req.DbProfile.Backend.ToConfigName(),
                State = RunStates.Running, LlmProvider = drafter.Provider, LlmModel = drafter.Model,
            };
            SetProcessMarker(run, tableCount);
            await store.StartRunAsync(run, ct);
        }

        var liveByTarget = targets.ToDictionary(t => t.Target.Name.ToString(), t => t.Live, StringComparer.Ordinal);
        var pending = targets.Where(t => !alreadyDone.Contains(t.Target.Name.ToString())).ToList();
        var total = pending.Count;
        // Views are drafted after their bases (level by level), so a view column can inherit this run's draft.
        var plan = new InheritancePlan(catalog, liveByTarget, outsideComments);

        var writer = new ResultWriter(store, env, run, notice);
        var writerTask = writer.RunAsync(ct);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeatTask = HeartbeatAsync(run, stopHeartbeat.Token);
        var usage = new TokenUsage();
        int done = 0, failed = 0, calls = 0;
        // What this process knows it wrote, plus what an earlier process had drafted (the failed ones were removed).
        (int Ok, int Failed) Counts() { lock (writer) return (alreadyDone.Count + done - failed, failed); }
        var draftClock = Stopwatch.StartNew();
        async Task WriteAsync(List<HistoryResult> rows, TokenUsage used, int callsMade)
        {
            // Not cancellable: a finished answer is always handed to the writer, even when the run is stopping.
            await writer.Channel.Writer.WriteAsync(rows, CancellationToken.None);
            RunProgress now;
            lock (writer)
            {
                usage += used;
                calls += callsMade;
                done += rows.Count;
                failed += rows.Count(r => r.Description is null);
                foreach (var r in rows) if (r.Description is not null && r.Confidence is not null) plan.Drafted(r.TargetQname, r.Description, r.Confidence);
                now = new RunProgress(done, total, failed);
            }
            progress?.Report(now);
        }
        try
        {
            foreach (var level in pending.GroupBy(t => plan.Level(t.Table)).OrderBy(g => g.Key))
            {
                var toDraft = new List<(TableMeta Table, DraftTarget Target, string? Live)>();
                var inherited = new List<HistoryResult>();
                foreach (var t in level)
                {
                    if (plan.Inherit(t.Table, t.Target) is { } from)
                        inherited.Add(new HistoryResult
                        {
                            RunId = run.RunId, TargetQname = t.Target.Name.ToString(), TargetKind = t.Target.Kind, Description = from.Text,
                            Confidence = from.Confidence, PreviousComment = t.Live, Decision = Decisions.Pending,
                            MetadataJson = JsonSerializer.Serialize(new Dictionary<string, object?> { ["source"] = from.Source, ["source_text"] = from.Origin }),
                        });
                    else toDraft.Add(t);
                }
                if (inherited.Count > 0) await WriteAsync(inherited, default, 0);
                var requests = toDraft.GroupBy(t => t.Table)
                    .SelectMany(g => g.Select(t => t.Target).Chunk(req.BatchSize)
                        .Select(chunk => new DraftRequest
                        {
                            Table = g.Key, Targets = chunk, MaxAlternatives = req.MaxAlternatives, BaseDescriptions = plan.BaseDescriptions(g.Key),
                        }))
                    .ToList();
                await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = req.Concurrency, CancellationToken = ct },
                    async (request, token) =>
                    {
                        var result = await drafter.DraftAsync(request, token);
                        var rows = result.Outcomes.Select(o => ToResult(run.RunId, ConfidenceRules.Apply(o), liveByTarget)).ToList();
                        await WriteAsync(rows, result.Usage, result.Calls);
                    });
            }
        }
        catch (Exception e)
        {
            // Stopped early (key refused, Ctrl+C, nowhere to write): keep what finished, mark the run failed, say why.
            writer.Channel.Writer.TryComplete();
            var writeError = await ErrorOf(writerTask);
            await StopAsync(stopHeartbeat, heartbeatTask);
            run.State = RunStates.Failed;
            run.FinishedAt = DateTime.UtcNow;
            var reason = writeError ?? e;
            try { await FinishAsync(writer, run, req, usage, calls, Counts(), draftClock.Elapsed, clock.Elapsed, reason.Message, ct: CancellationToken.None); }
            catch (Exception) when (writeError is not null) { /* the store is what failed; the sweep marks the run later */ }
            if (writeError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writeError);
            throw;
        }
        writer.Channel.Writer.TryComplete();
        await writerTask;
        await StopAsync(stopHeartbeat, heartbeatTask);

        run.State = RunStates.Drafted;
        run.FinishedAt = DateTime.UtcNow;
        var accepted = await FinishAsync(writer, run, req, usage, calls, Counts(), draftClock.Elapsed, clock.Elapsed, null, ct);
        return new RunSummary(run.RunId, run.State, run.OkCount, run.FailCount, skipped, accepted,
            tableCount, clock.Elapsed, writer.FallbackNote);
    }

    static async Task<Exception?> ErrorOf(Task task)
    {
        try { await task; return null; }
        catch (Exception e) { return e; }
    }

    static async Task StopAsync(CancellationTokenSource stopHeartbeat, Task heartbeatTask)
    {
        await stopHeartbeat.CancelAsync();
        await heartbeatTask;
    }

    /// <summary>Counts, accept policy, state and metadata — written last, in one place, to whichever store holds the run.</summary>
    async Task<int> FinishAsync(ResultWriter writer, HistoryRun run, RunRequest req, TokenUsage usage, int calls,
        (int Ok, int Failed) known, TimeSpan draftTime, TimeSpan totalTime, string? error, CancellationToken ct)
    {
        var target = writer.ActiveStore;
        await using var db = target.CreateContext();
        var accepted = 0;
        var minimum = req.Accept switch
        {
            AcceptPolicy.All => new[] { Confidences.High, Confidences.Medium, Confidences.Low },
            AcceptPolicy.Medium => new[] { Confidences.High, Confidences.Medium },
            AcceptPolicy.High => new[] { Confidences.High },
            _ => [],
        };
        if (minimum.Length > 0 && error is null)
        {
            var now = DateTime.UtcNow;
            accepted = await db.Results
                .Where(r => r.RunId == run.RunId && r.Description != null && r.Decision == Decisions.Pending && minimum.Contains(r.Confidence!))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Decision, Decisions.Accepted)
                                          .SetProperty(r => r.ReviewedBy, env.User)
                                          .SetProperty(r => r.ReviewedAt, now), ct);
        }
        if (writer.FellBack)
        {
            // The local file holds only what was written after the fallback; the counts are what this run drafted.
            (run.OkCount, run.FailCount) = known;
        }
        else
        {
            run.OkCount = await db.Results.CountAsync(r => r.RunId == run.RunId && r.Description != null, ct);
            run.FailCount = await db.Results.CountAsync(r => r.RunId == run.RunId && r.Description == null, ct);
        }
        if (error is null && !writer.FellBack && run.OkCount > 0
            && !await db.Results.AnyAsync(r => r.RunId == run.RunId && r.Decision == Decisions.Pending && r.Description != null, ct))
            run.State = RunStates.Reviewed;
        var meta = ReadMetadata(run);
        meta["verb"] = req.Verb;
        meta["profiling_mode"] = req.ProfilingMode.ToString().ToLowerInvariant();
        meta["accept"] = req.Accept.ToString().ToLowerInvariant();
        meta["batch_size"] = req.BatchSize;
        meta["concurrency"] = req.Concurrency;
        meta["missing_only"] = req.MissingOnly;
        meta["input_tokens"] = ReadLong(meta, "input_tokens") + usage.InputTokens;
        meta["output_tokens"] = ReadLong(meta, "output_tokens") + usage.OutputTokens;
        meta["llm_calls"] = ReadLong(meta, "llm_calls") + calls;
        // How many drafts fell in each confidence class (docs/drafting-quality.md): what --accept high would take.
        var byConfidence = await db.Results.Where(r => r.RunId == run.RunId && r.Description != null)
            .GroupBy(r => r.Confidence).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        meta["confidence_counts"] = byConfidence.Where(x => x.Key != null).ToDictionary(x => x.Key!, x => x.Count);
        meta["inherited"] = await db.Results.CountAsync(r => r.RunId == run.RunId && r.MetadataJson != null && r.MetadataJson.Contains("\"source\""), ct);
        meta["draft_seconds"] = Math.Round(draftTime.TotalSeconds, 3);
        meta["total_seconds"] = Math.Round(totalTime.TotalSeconds, 3);
        meta.Remove("pid");
        meta.Remove("pid_started_at");
        meta.Remove("heartbeat_at");
        if (writer.FellBack) meta["local_fallback"] = true;
        if (error is not null) meta["error"] = error;
        run.MetadataJson = JsonSerializer.Serialize(meta);
        await target.UpdateRunAsync(run);
        return accepted;
    }

    static HistoryResult ToResult(string runId, DraftOutcome o, IReadOnlyDictionary<string, string?> live) => new()
    {
        RunId = runId,
        TargetQname = o.Target.Name.ToString(),
        TargetKind = o.Target.Kind,
        Description = o.Description,
        Alternatives = o.Alternatives.Count == 0 ? null : JsonSerializer.Serialize(o.Alternatives),
        Confidence = o.Confidence,
        PreviousComment = live.GetValueOrDefault(o.Target.Name.ToString()),
        Decision = Decisions.Pending,
        Error = o.Error,
    };

    /// <summary>Targets that already have an accepted, edited or applied draft in the history (for --missing-only).</summary>
    async Task<HashSet<string>> CoveredTargetsAsync(string scope, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var q = db.Results.Where(r => r.Applied || r.Decision == Decisions.Accepted || r.Decision == Decisions.Edited);
        // A prefix on whole name parts: scope 'sales' must not take 'sales_archive.x'.
        if (scope != "*") q = q.Where(r => r.TargetQname == scope || r.TargetQname.StartsWith(scope + "."));
        return (await q.Select(r => r.TargetQname).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>In shared mode, names teammates who drafted the same scope in the last 30 days.</summary>
    async Task TellAboutTeammatesAsync(string scope, CancellationToken ct)
    {
        if (!store.IsShared) return;
        var since = DateTime.UtcNow.AddDays(-30);
        await using var db = store.CreateContext();
        var recent = await db.Runs.Where(r => r.Who != env.User && r.StartedAt >= since)
            .Select(r => new { r.Who, r.RunId, r.Scope, r.StartedAt }).ToListAsync(ct);
        var overlapping = recent.Where(r => ScopesOverlap(r.Scope, scope)).OrderByDescending(r => r.StartedAt).ToList();
        foreach (var g in overlapping.GroupBy(r => r.Who))
            notice($"note: {g.Key} drafted this scope recently ({string.Join(", ", g.Take(3).Select(r => r.RunId))}); " +
                   "--missing-only skips what already has a comment or an accepted draft.");
    }

    static bool ScopesOverlap(string a, string b) =>
        a == "*" || b == "*" || a == b || a.StartsWith(b + ".", StringComparison.Ordinal) || b.StartsWith(a + ".", StringComparison.Ordinal);


    /// <summary>Host and pid of the drafting process: lets a later command see that a 'running' run died.</summary>
    static void SetProcessMarker(HistoryRun run, int tables, bool resuming = false)
    {
        var meta = ReadMetadata(run);
        meta["pid"] = Environment.ProcessId;
        meta["pid_host"] = Environment.MachineName;
        meta["pid_started_at"] = RunLiveness.ProcessStartUtc().ToString("O");
        meta["heartbeat_at"] = DateTime.UtcNow.ToString("O");
        meta["tables"] = tables;
        if (resuming)
        {
            // The run goes on: it is no longer interrupted (the count of resumes keeps the story).
            meta["resumed"] = (Metadata.Long(meta, "resumed") ?? 0) + 1;
            meta.Remove("interrupted");
            meta.Remove("error");
        }
        run.MetadataJson = JsonSerializer.Serialize(meta);
    }

    static Dictionary<string, object?> ReadMetadata(HistoryRun run) => Metadata.Read(run.MetadataJson);

    static long ReadLong(Dictionary<string, object?> meta, string key) => Metadata.Long(meta, key) ?? 0;

    /// <summary>Refreshes <c>heartbeat_at</c> while drafting, so other machines can tell a live run from a dead one.</summary>
    async Task HeartbeatAsync(HistoryRun run, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RunLiveness.HeartbeatEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var meta = ReadMetadata(run);
                meta["heartbeat_at"] = DateTime.UtcNow.ToString("O");
                var json = JsonSerializer.Serialize(meta);
                try
                {
                    await using var db = store.CreateContext();
                    await db.Runs.Where(r => r.RunId == run.RunId && r.State == RunStates.Running)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.MetadataJson, json), ct);
                }
                catch (Exception e) when (e is DbException or InvalidOperationException) { /* the writer reports store trouble */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public static string ClientVersion =>
        typeof(RunService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
