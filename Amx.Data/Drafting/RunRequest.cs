using Amx.Data.Config;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Drafting;

/// <summary>Which drafts a run accepts by itself (<c>--accept</c>, docs/history-store.md).</summary>
public enum AcceptPolicy { None, High, Medium, All }

/// <summary>Everything <c>amx run</c> / <c>run-apply</c> was asked to do.</summary>
public sealed record RunRequest
{
    public required DbProfile DbProfile { get; init; }
    public required LlmProfile LlmProfile { get; init; }
    /// <summary>schema, schema.table, schema.table.column; null = the whole warehouse.</summary>
    public string? Scope { get; init; }
    public ProfilingMode ProfilingMode { get; init; } = ProfilingMode.Metadata;
    public AcceptPolicy Accept { get; init; } = AcceptPolicy.None;
    public int BatchSize { get; init; } = 20;
    public int Concurrency { get; init; } = 4;
    public int MaxAlternatives { get; init; } = 2;
    public bool MissingOnly { get; init; }
    public bool MaskSamples { get; init; }
    public bool NoSamples { get; init; }
    /// <summary>Per attempt: from sending the request to the first byte of the answer (<c>--timeout</c>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Opening the TCP/TLS connection (<c>--connect-timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>One LLM call with all its retries and backoff (<c>--total-timeout</c>).</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>A resume that deliberately drafts with <see cref="LlmProfile"/> instead of the run's own profile.</summary>
    public bool LlmSwitch { get; init; }
    /// <summary>Continue this interrupted or failed run: draft only what is missing.</summary>
    public string? ResumeRunId { get; init; }
    /// <summary>Context documents (<c>--context</c>; files or folders), besides the llm profile's <c>context:</c>.</summary>
    public IReadOnlyList<string> ContextPaths { get; init; } = [];
    /// <summary>Characters of context document excerpts per table (<c>--context-budget</c>).</summary>
    public int ContextBudget { get; init; } = Amx.Data.Context.ContextIndex.DefaultBudget;
    /// <summary>The verb that started the run (metadata): run | run-apply | demo.</summary>
    public string Verb { get; init; } = "run";
}

/// <summary>Progress for the host's bar or log lines.</summary>
public readonly record struct RunProgress(int Done, int Total, int Failed);

/// <summary>What a finished run reports.</summary>
/// <param name="Outcomes">The closing tally's outcomes per schema, read from the store after the last write (null when the
/// run fell back to the local file: that file holds only part of it).</param>
public sealed record RunSummary(string RunId, string State, int Ok, int Failed, int SkippedExisting, int Accepted, int Tables, TimeSpan Duration,
    string? LocalFallbackNote, IReadOnlyList<Amx.Data.History.OutcomeCount>? Outcomes = null);
