namespace Amx.Data.History.Model;

/// <summary>One row of <c>amx_history_runs</c> (docs/history-store.md). Times are UTC.</summary>
public class HistoryRun
{
    public string RunId { get; set; } = "";
    public string Who { get; set; } = "";
    public string? Host { get; set; }
    public string? ClientVersion { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string Scope { get; set; } = "";
    public string? DbProfile { get; set; }
    public string? DbBackend { get; set; }
    public string? LlmProvider { get; set; }
    public string? LlmModel { get; set; }
    /// <summary><see cref="RunStates"/>.</summary>
    public string State { get; set; } = RunStates.Running;
    public int OkCount { get; set; }
    public int FailCount { get; set; }
    public DateTime? AppliedAt { get; set; }
    public string? AppliedBy { get; set; }
    /// <summary>Flags, profiling mode, token usage, durations, the pid/host of the drafting process.</summary>
    public string? MetadataJson { get; set; }
    /// <summary><see cref="RunKinds"/>: draft runs and eval runs share the table.</summary>
    public string RunKind { get; set; } = RunKinds.Draft;
    /// <summary>Who reverted the run's applied comments, and when (null: never reverted).</summary>
    public DateTime? RevertedAt { get; set; }
    public string? RevertedBy { get; set; }
}

public static class RunKinds
{
    public const string Draft = "draft";
    public const string Eval = "eval";
}

public static class RunStates
{
    public const string Running = "running";
    public const string Drafted = "drafted";
    public const string Reviewed = "reviewed";
    public const string Applied = "applied";
    public const string Failed = "failed";
}
