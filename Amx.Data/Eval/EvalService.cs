using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Llm;
using Amx.Data.Llm.Chat;
using Amx.Data.Llm.Offline;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Eval;

/// <summary>What <c>amx eval</c> was asked to do.</summary>
public sealed record EvalRequest
{
    public required DbProfile DbProfile { get; init; }
    public required LlmProfile LlmProfile { get; init; }
    public required string Scope { get; init; }
    public ProfilingMode ProfilingMode { get; init; } = ProfilingMode.Metadata;
    /// <summary>Ask the LLM profile to judge each draft against the human text.</summary>
    public bool Judge { get; init; }
    public int BatchSize { get; init; } = 20;
    public int Concurrency { get; init; } = 4;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
}

/// <summary>One target's draft next to its human comment, with its scores.</summary>
public sealed record EvalTargetScore(string Target, string Kind, string Human, string? Draft, string? Confidence,
    double TokenF1, double RougeL, double? JudgeScore, string? JudgeReason, string? Error);

/// <summary>Mean scores of a group of targets (all, columns, tables, one confidence class).</summary>
public sealed record EvalGroupScore(string Group, int Count, double MeanTokenF1, double MeanRougeL, double ShareF1AtLeastHalf, double? MeanJudge);

public sealed record EvalSummary(string RunId, string Model, string Provider, string InstructionsHash, string ContextFingerprint,
    IReadOnlyList<EvalTargetScore> Targets, IReadOnlyList<EvalGroupScore> Groups, TimeSpan Duration);

/// <summary>
/// <c>amx eval</c>: drafts the targets in scope that already carry a human comment with every comment of their table
/// hidden, scores each draft against the hidden text (<see cref="TextScores"/>), groups the scores by target kind and
/// confidence class (calibration), and records the eval in the history as its own run kind. Writes nothing to the
/// warehouse. See docs/drafting-quality.md.
/// </summary>
public sealed class EvalService(HistoryStore store, AmxEnvironment env, Action<string> notice)
{
    public async Task<EvalSummary> RunAsync(EvalRequest req, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // An offline profile cannot judge: refused before anything is read or recorded.
        using var judge = req.Judge ? Judge.For(req.LlmProfile, req.RequestTimeout) : null;
        var scope = Warehouse.Scope.Parse(req.Scope);
        var provider = WarehouseProviders.For(req.DbProfile.Backend);
        Catalog catalog;
        await using (var conn = await provider.OpenAsync(req.DbProfile, ct))
            catalog = await provider.Metadata.ReadAsync(conn, scope, new MetadataOptions { Profiling = req.ProfilingMode }, ct);

        // The answer key: every target with a non-blank human comment.
        var keyed = catalog.Targets()
            .Select(t => (t.Table, Target: t.Column is null ? DraftTarget.ForTable(t.Table) : DraftTarget.ForColumn(t.Table, t.Column),
                          Human: t.Column is null ? t.Table.Comment : t.Column.Comment))
            .Where(t => !string.IsNullOrWhiteSpace(t.Human)).ToList();
        if (keyed.Count == 0)
            throw AmxException.BadInput($"nothing to evaluate in scope '{req.Scope}': no table or column there has a comment",
                "eval scores drafts against existing human comments; pick a scope whose tables are documented");

        using var drafter = DrafterFactory.Create(req.LlmProfile, new DrafterOptions { RequestTimeout = req.RequestTimeout, MaxAlternatives = 0 });
        var instructionsHash = Sha256(drafter is OfflineDrafter ? "offline:" + OfflineDrafter.Version
            : DraftPrompt.SystemPrompt(0, new DrafterOptions().MaxDescriptionLength));

        // Hide the answer: each table is drafted from a copy whose own comment and column comments are all gone.
        var hidden = keyed.Select(k => k.Table).Distinct().ToDictionary(t => t, HideComments);
        var fingerprint = Fingerprint(hidden.Values);
        var requests = keyed.GroupBy(k => k.Table)
            .SelectMany(g => g.Select(k => k.Target).Chunk(req.BatchSize)
                .Select(chunk => new DraftRequest { Table = hidden[g.Key], Targets = chunk, MaxAlternatives = 0 }))
            .ToList();

        var run = new HistoryRun
        {
            Who = env.User, Host = Environment.MachineName, ClientVersion = Drafting.RunService.ClientVersion, StartedAt = DateTime.UtcNow,
            Scope = scope?.ToString() ?? "*", DbProfile = req.DbProfile.Name, DbBackend = req.DbProfile.Backend.ToConfigName(),
            State = RunStates.Running, LlmProvider = drafter.Provider, LlmModel = drafter.Model, RunKind = RunKinds.Eval,
        };
        await store.StartRunAsync(run, ct);

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, DraftOutcome>(StringComparer.Ordinal);
        var usage = new TokenUsage();
        try
        {
            await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = req.Concurrency, CancellationToken = ct },
                async (request, token) =>
                {
                    var result = await drafter.DraftAsync(request, token);
                    lock (outcomes) usage += result.Usage;
                    foreach (var o in result.Outcomes) outcomes[o.Target.Key] = o;
                });
        }
        catch (Exception e)
        {
            await FailAsync(run, e.Message);
            throw;
        }

        var scores = new List<EvalTargetScore>();
        var unreadable = 0;
        try
        {
            foreach (var k in keyed)
            {
                var name = k.Target.Key;
                var o = outcomes.GetValueOrDefault(name);
                var draft = o?.Description;
                var human = k.Human!;
                var verdict = judge is not null && draft is not null ? await judge.RateAsync(name, human, draft, ct) : null;
                if (verdict is { IsReadable: false }) unreadable++;
                scores.Add(new EvalTargetScore(name, k.Target.Kind, human, draft, o?.Confidence,
                    Math.Round(TextScores.TokenF1(draft, human), 4), Math.Round(TextScores.RougeL(draft, human), 4),
                    verdict?.Score, verdict?.Reason, o?.Error ?? (o is null ? "not drafted" : null)));
            }
        }
        catch (Exception e)
        {
            // A judge that fails (endpoint down, key refused) ends the eval as failed rather than leaving it running.
            await FailAsync(run, "judge: " + e.Message);
            throw;
        }
        if (unreadable > 0)
            notice($"warning: {unreadable} judge answer(s) could not be read as {{\"score\": 0..1, \"reason\": \"…\"}}; " +
                   $"those targets have no judge score (their judge_reason starts '{Judge.Unreadable}') and are left out of the mean.");
        scores.Sort((a, b) => string.CompareOrdinal(a.Target, b.Target));
        var groups = Groups(scores);

        await store.AddResultsAsync(scores.Select(s => new HistoryResult
        {
            RunId = run.RunId, TargetQname = s.Target, TargetKind = s.Kind, Description = s.Draft, Confidence = s.Confidence,
            PreviousComment = s.Human, Decision = Decisions.Pending, Error = s.Error,
            MetadataJson = new ResultMetadata { TokenF1 = s.TokenF1, RougeL = s.RougeL, JudgeScore = s.JudgeScore, JudgeReason = s.JudgeReason }.ToJson(),
        }).ToList(), ct);

        run.State = RunStates.Drafted;
        run.FinishedAt = DateTime.UtcNow;
        run.OkCount = scores.Count(s => s.Draft is not null);
        run.FailCount = scores.Count - run.OkCount;
        var all = groups[0];
        run.MetadataJson = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["verb"] = "eval",
            ["tables"] = hidden.Count,
            ["profiling_mode"] = req.ProfilingMode.ToString().ToLowerInvariant(),
            ["instructions_hash"] = instructionsHash,
            ["context_fingerprint"] = fingerprint,
            ["judge"] = req.Judge,
            ["judge_unreadable"] = req.Judge ? unreadable : null,
            ["mean_token_f1"] = all.MeanTokenF1,
            ["mean_rouge_l"] = all.MeanRougeL,
            ["share_f1_at_least_half"] = all.ShareF1AtLeastHalf,
            ["mean_judge"] = all.MeanJudge,
            ["groups"] = groups.ToDictionary(g => g.Group, g => new { count = g.Count, token_f1 = g.MeanTokenF1, rouge_l = g.MeanRougeL, judge = g.MeanJudge }),
            ["input_tokens"] = usage.InputTokens,
            ["output_tokens"] = usage.OutputTokens,
            ["total_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
        });
        await store.UpdateRunAsync(run, ct);
        notice($"Evaluated {scores.Count} documented targets of {hidden.Count} tables; recorded as {run.RunId} (kind eval).");
        return new EvalSummary(run.RunId, drafter.Model, drafter.Provider, instructionsHash, fingerprint, scores, groups, clock.Elapsed);
    }

    async Task FailAsync(HistoryRun run, string error)
    {
        run.State = RunStates.Failed;
        run.FinishedAt = DateTime.UtcNow;
        run.MetadataJson = JsonSerializer.Serialize(new Dictionary<string, object?> { ["verb"] = "eval", ["error"] = error });
        await store.UpdateRunAsync(run, CancellationToken.None);
    }

    /// <summary>all, then columns and tables, then each confidence class present (high, medium, low).</summary>
    public static List<EvalGroupScore> Groups(IReadOnlyList<EvalTargetScore> scores)
    {
        var groups = new List<EvalGroupScore> { Group("all", scores) };
        groups.Add(Group("columns", scores.Where(s => s.Kind == TargetKinds.Column).ToList()));
        groups.Add(Group("tables", scores.Where(s => s.Kind != TargetKinds.Column).ToList()));
        foreach (var c in new[] { Confidences.High, Confidences.Medium, Confidences.Low })
        {
            var of = scores.Where(s => s.Confidence == c).ToList();
            if (of.Count > 0) groups.Add(Group("confidence " + c, of));
        }
        return groups;
    }

    static EvalGroupScore Group(string name, IReadOnlyList<EvalTargetScore> s)
    {
        if (s.Count == 0) return new EvalGroupScore(name, 0, 0, 0, 0, null);
        var judged = s.Where(x => x.JudgeScore is not null).ToList();
        return new EvalGroupScore(name, s.Count, Math.Round(s.Average(x => x.TokenF1), 4), Math.Round(s.Average(x => x.RougeL), 4),
            Math.Round(s.Count(x => x.TokenF1 >= 0.5) / (double)s.Count, 4),
            judged.Count == 0 ? null : Math.Round(judged.Average(x => x.JudgeScore!.Value), 4));
    }

    /// <summary>A copy of the table without any comment: the drafter must not see the answer key.</summary>
    public static TableMeta HideComments(TableMeta t)
    {
        var copy = new TableMeta
        {
            Name = t.Name, Kind = t.Kind, Comment = null, RowEstimate = t.RowEstimate, IsPartitioned = t.IsPartitioned,
            IsPartition = t.IsPartition, IsAmxOwned = t.IsAmxOwned, IsTarget = t.IsTarget, ViewDefinition = t.ViewDefinition,
        };
        foreach (var c in t.Columns)
            copy.Columns.Add(new ColumnMeta
            {
                Name = c.Name, Ordinal = c.Ordinal, DataType = c.DataType, IsNullable = c.IsNullable, Default = c.Default, Comment = null,
                IsTarget = c.IsTarget, IsIdentity = c.IsIdentity, GeneratedExpression = c.GeneratedExpression, Profile = c.Profile,
                Lineage = c.Lineage,
            });
        copy.PrimaryKey.AddRange(t.PrimaryKey);
        copy.ForeignKeys.AddRange(t.ForeignKeys);
        copy.UniqueKeys.AddRange(t.UniqueKeys);
        return copy;
    }

    /// <summary>What the drafter saw, hashed: names, kinds, types, keys (comments are hidden, so not part of it).</summary>
    static string Fingerprint(IEnumerable<TableMeta> tables)
    {
        var sb = new StringBuilder();
        foreach (var t in tables.OrderBy(t => t.Name.ToString(), StringComparer.Ordinal))
        {
            sb.Append(t.Name).Append('|').Append(t.Kind).Append('|').Append(string.Join(',', t.PrimaryKey)).Append('\n');
            foreach (var c in t.Columns) sb.Append(' ').Append(c.Name).Append(':').Append(c.DataType).Append(':').Append(c.Default).Append('\n');
            foreach (var f in t.ForeignKeys) sb.Append(" fk ").Append(string.Join(',', f.Columns)).Append("->").Append(f.References).Append('\n');
        }
        return Sha256(sb.ToString());
    }

    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
