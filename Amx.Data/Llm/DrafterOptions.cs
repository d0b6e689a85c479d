namespace Amx.Data.Llm;

public sealed class DrafterOptions
{
    /// <summary>Per HTTP attempt: from sending the request until the answer starts (status line and headers). A model
    /// that is slow to start is waited for this long; reading the body is bounded by <see cref="TotalTimeout"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Opening a connection (TCP and TLS): a host that does not accept is given up on quickly.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>One call, all attempts and backoff included: the most a single batch can cost.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>Retries after an attempt timed out: an endpoint that did not answer once rarely answers the next time,
    /// and each try costs a whole <see cref="RequestTimeout"/>.</summary>
    public int MaxTimeoutRetries { get; init; } = 1;
    /// <summary>Stop the whole run (throw) when requests time out before the endpoint has answered even once: an
    /// endpoint that accepts and never answers is not a per-target problem. Off for single drafting calls.</summary>
    public bool StopWhenSilent { get; init; }
    /// <summary>Retries on 429 / 408 / 5xx / timeouts / connection errors (not counting the first attempt).</summary>
    public int MaxRetries { get; init; } = 4;
    /// <summary>First backoff delay; doubled each retry, with jitter. A Retry-After header wins over it.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A Retry-After longer than this is cut to it (a server asking for an hour should not hang a run).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Default alternatives per target when the request does not say.</summary>
    public int MaxAlternatives { get; init; } = 2;
    /// <summary>Longest description accepted; longer answers count as bad. 1024 is MySQL's column-comment limit,
    /// the tightest of the supported backends.</summary>
    public int MaxDescriptionLength { get; init; } = 1024;
    /// <summary>Output-token budget per call (Anthropic requires one); raised for big wide-table batches.</summary>
    public int MaxOutputTokens { get; init; } = 4096;
    /// <summary>Default request budget: characters of prompt text (system + user message) per call, about 6,000 tokens.</summary>
    public const int DefaultMaxRequestChars = 24_000;
    /// <summary>Characters of prompt text per call (llm profile <c>max_request_chars</c>); see docs/llm.md.</summary>
    public int MaxRequestChars { get; init; } = DefaultMaxRequestChars;
    /// <summary>The llm profile's house style, sent with every batch.</summary>
    public string? Instructions { get; init; }
    /// <summary>Terms from the run's CSV glossaries; the offline drafter uses their definitions.</summary>
    public Amx.Data.Context.Glossary? Glossary { get; init; }
}
