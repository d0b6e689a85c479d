using System.CommandLine;
using Amx.Data.Drafting;
using Amx.Data.Errors;
using Amx.Data.Warehouse.Model;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.Drafting;

/// <summary>The drafting options shared by <c>run</c> and <c>run-apply</c>.</summary>
public sealed class RunOptions
{
    public readonly Option<string> ProfilingMode = new("--profiling-mode")
    {
        Description = "metadata (no table reads), sampled (a bounded sample) or full (exact statistics)",
        DefaultValueFactory = _ => "metadata",
    };
    public readonly Option<string?> LlmProfile = new("--llm-profile") { Description = "LLM profile (default: active_llm_profile)" };
    public readonly Option<string?> DbProfile = new("--db-profile") { Description = "Database profile (default: active_db_profile)" };
    public readonly Option<string> Accept;
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Columns per LLM request", DefaultValueFactory = _ => 20 };
    public readonly Option<int> Concurrency = new("--concurrency") { Description = "LLM requests in flight at once", DefaultValueFactory = _ => 4 };
    public readonly Option<int> MaxAlternatives = new("--alternatives") { Description = "Alternative descriptions per target", DefaultValueFactory = _ => 2 };
    public readonly Option<bool> MissingOnly = new("--missing-only") { Description = "Skip targets that already have a comment or an accepted draft" };
    public readonly Option<bool> MaskSamples = new("--mask-samples") { Description = "Mask sampled values before they reach the LLM (letters→a/A, digits→9)" };
    public readonly Option<bool> NoSamples = new("--no-samples") { Description = "Send no sampled values to the LLM (statistics only)" };
    public readonly Option<string[]> Context = new("--context") { Description = "Context documents (file or folder; repeatable): Markdown, text, CSV glossaries, YAML (dbt), SQL" };
    public readonly Option<int> ContextBudget = new("--context-budget") { Description = "Characters of document excerpts per table", DefaultValueFactory = _ => Amx.Data.Context.ContextIndex.DefaultBudget };
    public readonly Option<int> Timeout = new("--timeout") { Description = "Seconds an LLM request may wait for the answer to start (per attempt)", DefaultValueFactory = _ => 120 };
    public readonly Option<int> ConnectTimeout = new("--connect-timeout") { Description = "Seconds to open a connection to the LLM endpoint", DefaultValueFactory = _ => 10 };
    public readonly Option<int> TotalTimeout = new("--total-timeout") { Description = "Seconds one LLM request may take in all, retries included", DefaultValueFactory = _ => 300 };

    public RunOptions(string acceptDefault)
    {
        Accept = new Option<string>("--accept")
        {
            Description = "Accept drafts by confidence: none, high, medium (high+medium) or all",
            DefaultValueFactory = _ => acceptDefault,
        };
    }

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { ProfilingMode, LlmProfile, DbProfile, Accept, BatchSize, Concurrency, MaxAlternatives, MissingOnly, MaskSamples, NoSamples, Context, ContextBudget, Timeout, ConnectTimeout, TotalTimeout })
            command.Options.Add(o);
    }

    /// <param name="runLlmProfile">A resumed run's own llm profile: used unless --llm-profile switches deliberately.</param>
    public RunRequest ToRequest(CommandContext ctx, ParseResult parse, string? scope, string verb, string? defaultDbProfile = null,
        Func<Amx.Data.Config.LlmProfile>? runLlmProfile = null) => new()
    {
        DbProfile = ctx.Config.GetDbProfile(parse.GetValue(DbProfile) ?? defaultDbProfile),
        LlmProfile = parse.GetValue(LlmProfile) is { } llm ? ctx.Config.GetLlmProfile(llm) : runLlmProfile?.Invoke() ?? ctx.Config.GetLlmProfile(null),
        LlmSwitch = runLlmProfile is not null && parse.GetValue(LlmProfile) is not null,
        Scope = scope,
        ProfilingMode = ParseMode(parse.GetValue(ProfilingMode)),
        Accept = ParseAccept(parse.GetValue(Accept)),
        BatchSize = Positive(parse.GetValue(BatchSize), "--batch-size"),
        Concurrency = Positive(parse.GetValue(Concurrency), "--concurrency"),
        MaxAlternatives = Math.Max(0, parse.GetValue(MaxAlternatives)),
        MissingOnly = parse.GetValue(MissingOnly),
        MaskSamples = parse.GetValue(MaskSamples),
        NoSamples = parse.GetValue(NoSamples),
        RequestTimeout = TimeSpan.FromSeconds(Positive(parse.GetValue(Timeout), "--timeout")),
        ConnectTimeout = TimeSpan.FromSeconds(Positive(parse.GetValue(ConnectTimeout), "--connect-timeout")),
        TotalTimeout = TimeSpan.FromSeconds(Positive(parse.GetValue(TotalTimeout), "--total-timeout")),
        ContextPaths = parse.GetValue(Context) ?? [],
        ContextBudget = Math.Max(0, parse.GetValue(ContextBudget)),
        Verb = verb,
    };

    static int Positive(int value, string name) =>
        value >= 1 ? value : throw AmxException.BadInput($"{name} must be at least 1 (got {value})");

    public static ProfilingMode ParseMode(string? text) => text?.ToLowerInvariant() switch
    {
        "metadata" => Amx.Data.Warehouse.Model.ProfilingMode.Metadata,
        "sampled" => Amx.Data.Warehouse.Model.ProfilingMode.Sampled,
        "full" => Amx.Data.Warehouse.Model.ProfilingMode.Full,
        _ => throw AmxException.BadInput($"unknown profiling mode '{text}'", "use metadata, sampled or full"),
    };

    public static AcceptPolicy ParseAccept(string? text) => text?.ToLowerInvariant() switch
    {
        "none" => AcceptPolicy.None,
        "high" => AcceptPolicy.High,
        "medium" => AcceptPolicy.Medium,
        "all" => AcceptPolicy.All,
        _ => throw AmxException.BadInput($"unknown --accept '{text}'", "use none, high, medium or all"),
    };
}
