using Amx.Data.Context;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm;

/// <summary>
/// Drafts descriptions for one batch of targets of one table. Implementations are thread-safe: the run
/// orchestration may call <see cref="DraftAsync"/> concurrently for different batches.
/// </summary>
/// <remarks>
/// Contract: per-target problems (a bad answer, a batch that keeps failing with 5xx/429/timeouts) come back as
/// <see cref="DraftOutcome.Error"/>; problems that would fail every batch alike (key refused, endpoint unreachable,
/// model unknown) throw <see cref="Errors.AmxException"/> (exit 1) so the run can stop early.
/// Cancellation of <c>ct</c> throws <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IDescriptionDrafter : IDisposable
{
    Task<DraftBatchResult> DraftAsync(DraftRequest request, CancellationToken ct);

    /// <summary>openai | anthropic | ollama | offline (for <c>llm_provider</c>).</summary>
    string Provider { get; }

    /// <summary>The model asked (for <c>llm_model</c>); <c>offline</c> for the offline drafter.</summary>
    string Model { get; }

    /// <summary>False for a drafter that sends no prompt (offline): no request budget applies, so no prompt is built
    /// just to measure a table.</summary>
    bool SendsPrompts => true;

    /// <summary>True when the outcomes already passed <see cref="ConfidenceRules"/>, so the run does not rate them twice.</summary>
    bool RatesConfidence => false;
}

/// <summary>One thing to describe: the table/view itself or one of its columns.</summary>
/// <param name="Name">Its <c>target_qname</c>.</param>
/// <param name="Kind"><see cref="TargetKinds"/>: TABLE, VIEW, MATERIALIZED_VIEW or COLUMN.</param>
public sealed record DraftTarget(QualifiedName Name, string Kind)
{
    public bool IsColumn => Kind == TargetKinds.Column;

    /// <summary>The target_qname, written once: the run names each target when it queues it and again when it stores its answer.</summary>
    public string Key { get; } = Name.ToString();

    /// <summary>The target for the table itself (its kind is the table's kind).</summary>
    public static DraftTarget ForTable(TableMeta table) => new(table.Name, table.Kind);

    public static DraftTarget ForColumn(TableMeta table, ColumnMeta column) =>
        new(table.Name with { Column = column.Name }, TargetKinds.Column);
}

/// <summary>A batch: the full context of one table and the targets of this batch (all of that table).</summary>
public sealed class DraftRequest
{
    public required TableMeta Table { get; init; }
    public required IReadOnlyList<DraftTarget> Targets { get; init; }
    /// <summary>Alternatives wanted per target (0..n); null: <see cref="DrafterOptions.MaxAlternatives"/>.</summary>
    public int? MaxAlternatives { get; init; }
    /// <summary>Excerpts of the run's context documents chosen for this table (docs/context-and-export.md).</summary>
    public IReadOnlyList<ContextChunk> Context { get; init; } = [];
    /// <summary>For a view: the descriptions of the base columns its columns come from (live comments or this run's
    /// drafts), keyed by qualified column name; they go into the prompt as data.</summary>
    public IReadOnlyDictionary<string, string> BaseDescriptions { get; init; } = new Dictionary<string, string>();

    /// <summary>The table target plus all its columns in ordinal order, cut into batches of <paramref name="batchSize"/>
    /// targets (the table target rides in the first batch).</summary>
    public static IEnumerable<DraftRequest> ForTable(TableMeta table, int batchSize, int? maxAlternatives = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
        var targets = new List<DraftTarget> { DraftTarget.ForTable(table) };
        targets.AddRange(table.Columns.OrderBy(c => c.Ordinal).Select(c => DraftTarget.ForColumn(table, c)));
        return targets.Chunk(batchSize).Select(chunk => new DraftRequest
            { Table = table, Targets = chunk, MaxAlternatives = maxAlternatives });
    }
}

/// <summary>What one target got: a description (with alternatives and a confidence), or an error.</summary>
public sealed class DraftOutcome
{
    public required DraftTarget Target { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Alternatives { get; init; } = [];
    /// <summary><see cref="Confidences"/>; null on failure.</summary>
    public string? Confidence { get; init; }
    /// <summary>Why no description was drafted; null on success.</summary>
    public string? Error { get; init; }

    public bool Succeeded => Error is null;

    public static DraftOutcome Failed(DraftTarget target, string error) => new() { Target = target, Error = error };
}

public readonly record struct TokenUsage(long InputTokens, long OutputTokens)
{
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) =>
        new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens);
}

public sealed class DraftBatchResult
{
    /// <summary>One outcome per requested target, in request order.</summary>
    public required IReadOnlyList<DraftOutcome> Outcomes { get; init; }
    /// <summary>Summed over every request of this batch, retries included.</summary>
    public TokenUsage Usage { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Chat calls made for this batch (1 normally, 2 after a bad answer; 0 offline).</summary>
    public int Calls { get; init; }
    /// <summary>Characters of prompt text (system + user messages) of each call, for the run's metadata.</summary>
    public IReadOnlyList<int> RequestChars { get; init; } = [];
    /// <summary>Whether the endpoint reported token usage for every call.</summary>
    public bool UsageReported { get; init; }
}
