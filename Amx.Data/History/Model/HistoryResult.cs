namespace Amx.Data.History.Model;

/// <summary>One row of <c>amx_history_results</c>: a drafted description of one target (docs/history-store.md).</summary>
public class HistoryResult
{
    public string RunId { get; set; } = "";
    /// <summary><c>schema.table</c> or <c>schema.table.column</c>, see <see cref="Warehouse.QualifiedName"/>.</summary>
    public string TargetQname { get; set; } = "";
    /// <summary><see cref="TargetKinds"/>.</summary>
    public string TargetKind { get; set; } = TargetKinds.Column;
    public string? Description { get; set; }
    /// <summary>JSON array of alternative descriptions.</summary>
    public string? Alternatives { get; set; }
    /// <summary>high | medium | low.</summary>
    public string? Confidence { get; set; }
    /// <summary>The live comment seen when drafting (null: no comment).</summary>
    public string? PreviousComment { get; set; }
    /// <summary><see cref="Decisions"/>.</summary>
    public string Decision { get; set; } = Decisions.Pending;
    public string? ReviewedBy { get; set; }
    public DateTime? ReviewedAt { get; set; }
    public bool Applied { get; set; }
    public DateTime? AppliedAt { get; set; }
    public string? AppliedBy { get; set; }
    /// <summary><see cref="ApplyStatuses"/>; null until an apply touched it.</summary>
    public string? ApplyStatus { get; set; }
    public string? Error { get; set; }
    /// <summary>Who reverted this target's comment, and when; <see cref="AppliedAt"/> keeps the original apply time.</summary>
    public DateTime? RevertedAt { get; set; }
    public string? RevertedBy { get; set; }
    /// <summary>Per-result facts as JSON: where an inherited description came from, eval scores, the LLM profile
    /// that drafted it when a resume switched profiles.</summary>
    public string? MetadataJson { get; set; }
}

public static class TargetKinds
{
    public const string Table = "TABLE";
    public const string View = "VIEW";
    public const string MaterializedView = "MATERIALIZED_VIEW";
    public const string Column = "COLUMN";
}

public static class Confidences
{
    public const string High = "high";
    public const string Medium = "medium";
    public const string Low = "low";

    /// <summary>The confidences an accept level takes (all, high, medium; any case), or null for any other word.</summary>
    public static string[]? AcceptedAt(string level) => level.ToLowerInvariant() switch
    {
        "all" => [High, Medium, Low],
        "high" => [High],
        "medium" => [High, Medium],
        _ => null,
    };
}

public static class Decisions
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Edited = "edited";
    public const string Rejected = "rejected";
}

public static class ApplyStatuses
{
    public const string Applied = "applied";
    public const string Conflict = "conflict";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Reverted = "reverted";
}
