using System.Diagnostics;
using System.Net;
using Amx.Data.Errors;
using Amx.Data.Llm.Http;
using Microsoft.Extensions.AI;

namespace Amx.Data.Llm.Chat;

/// <summary>What a chat drafter needs to know about its endpoint (for error messages and feature use).</summary>
/// <param name="Endpoint">Base URL, shown in errors.</param>
/// <param name="ApiKeyEnv">The variable holding the key, named in hints (never its value).</param>
/// <param name="StructuredOutput">Whether to send the JSON schema as the response format.</param>
public sealed record ChatEndpoint(string Provider, string Model, string Endpoint, string? ApiKeyEnv, bool StructuredOutput);

/// <summary>
/// Drafts through any <see cref="IChatClient"/> (the OpenAI-compatible and Anthropic providers differ only in the
/// client they build). One call per batch; a bad answer (not JSON, missing or invalid targets, a malformed HTTP
/// body) is asked again once in the same conversation, then the targets still bad fail with the reason.
/// Transport retries live below, in <see cref="ResilientHttpHandler"/>. Thread-safe: no per-call state is kept
/// except the sticky switch-off of structured output for endpoints that reject it.
/// </summary>
public sealed class ChatDrafter(IChatClient client, ChatEndpoint endpoint, DrafterOptions options, IDisposable? owned = null) : IDescriptionDrafter
{
    volatile bool structuredOutput = endpoint.StructuredOutput;
    // Set by the first answer: until then a timeout means the endpoint is not answering at all, not one slow batch.
    volatile bool answered;

    public string Provider => endpoint.Provider;
    public string Model => endpoint.Model;

    public async Task<DraftBatchResult> DraftAsync(DraftRequest request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var maxAlternatives = Math.Max(0, request.MaxAlternatives ?? options.MaxAlternatives);
        var system = DraftPrompt.SystemPrompt(maxAlternatives, options.MaxDescriptionLength, options.Instructions);
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, system),
            new(ChatRole.User, DraftPrompt.UserMessage(request, maxAlternatives, options.MaxRequestChars - system.Length)),
        };
        var requestChars = new List<int>();
        var usageReported = true;
        // Wide-table batches hold up to twice --batch-size targets: leave room for every answer.
        var maxOutput = Math.Max(options.MaxOutputTokens, Math.Min(MaxOutputCap, request.Targets.Count * OutputTokensPerTarget));
        var done = new Dictionary<DraftTarget, DraftOutcome>();
        IReadOnlyCollection<DraftTarget> pending = request.Targets.Distinct().ToList();
        var usage = new TokenUsage();
        var calls = 0;
        var retriedBadAnswer = false;

        while (pending.Count > 0)
        {
            ChatResponse response;
            try
            {
                calls++;
                requestChars.Add(messages.Sum(m => m.Text.Length));
                response = await client.GetResponseAsync(messages, ChatOptions(maxOutput), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) when (LlmHttpException.Find(e) is { } http)
            {
                if (http.Status == HttpStatusCode.BadRequest && structuredOutput && MentionsFormat(http.Message))
                {
                    // Many OpenAI-compatible servers reject json_schema; fall back to JSON by instruction.
                    structuredOutput = false;
                    continue;
                }
                ThrowIfRunWide(http);
                Fail(done, pending, http.Message);
                break;
            }
            catch (Exception e) when (e is not AmxException)
            {
                // The SDK could not read the HTTP body: a malformed answer like any other.
                var why = $"the endpoint sent a malformed response ({Short(e.Message)})";
                if (retriedBadAnswer) { Fail(done, pending, why); break; }
                retriedBadAnswer = true;
                continue;
            }

            answered = true;
            usage += new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            usageReported &= response.Usage?.InputTokenCount is not null;
            var text = response.Text;
            var parsed = DraftAnswerParser.Parse(text, pending, maxAlternatives, options.MaxDescriptionLength);
            foreach (var d in parsed.Drafts) done[d.Key] = d.Value;
            pending = parsed.Problems.Keys.ToList();
            if (pending.Count == 0) break;
            if (retriedBadAnswer)
            {
                foreach (var p in parsed.Problems) done[p.Key] = DraftOutcome.Failed(p.Key, $"bad answer after one retry: {p.Value}");
                break;
            }
            retriedBadAnswer = true;
            messages.Add(new ChatMessage(ChatRole.Assistant, string.IsNullOrEmpty(text) ? "(empty)" : text));
            messages.Add(new ChatMessage(ChatRole.User, DraftPrompt.Correction(parsed.Problems)));
        }

        return new DraftBatchResult
        {
            Outcomes = request.Targets.Select(t => done.TryGetValue(t, out var o) ? o : DraftOutcome.Failed(t, "not drafted")).ToList(),
            Usage = usage,
            Duration = clock.Elapsed,
            Calls = calls,
            RequestChars = requestChars,
            UsageReported = usageReported && calls > 0,
        };
    }

    const int OutputTokensPerTarget = 160, MaxOutputCap = 8192;

    ChatOptions ChatOptions(int maxOutput) => new()
    {
        ResponseFormat = structuredOutput ? DraftPrompt.ResponseFormat : ChatResponseFormat.Json,
        MaxOutputTokens = maxOutput,
    };

    /// <summary>Failures that every batch would hit alike stop the run (exit 1) rather than fail each target.</summary>
    void ThrowIfRunWide(LlmHttpException http)
    {
        if (http.IsAuthFailure)
            throw AmxException.Failed($"LLM endpoint refused the API key ({http.Message})",
                endpoint.ApiKeyEnv is { } env
                    ? $"check that ${env} holds a valid key for {endpoint.Endpoint} (export {env}=…), or set api_key_env in the llm profile"
                    : $"the llm profile has no api_key_env; add one with: amx add-llm-profile NAME --provider {endpoint.Provider} --api-key-env VAR",
                http);
        if (http.Failure == LlmHttpFailure.Unreachable)
            throw AmxException.Failed($"LLM endpoint unreachable: {http.Message}",
                $"check base_url of the llm profile ({endpoint.Endpoint}) and that the server is running", http);
        if (http.Failure == LlmHttpFailure.Timeout && !answered && options.StopWhenSilent)
            throw AmxException.Failed($"LLM endpoint {endpoint.Endpoint} did not answer: {http.Message}",
                "check that the server behind the llm profile's base_url is up and serving the model; a slow model needs a larger --timeout (and --total-timeout)",
                http);
        if (http.Status == HttpStatusCode.NotFound)
            throw AmxException.Failed($"LLM endpoint has no such model or path: {http.Message}",
                $"check model '{endpoint.Model}' and base_url '{endpoint.Endpoint}' of the llm profile", http);
    }

    static void Fail(Dictionary<DraftTarget, DraftOutcome> done, IEnumerable<DraftTarget> pending, string error)
    {
        foreach (var t in pending) done[t] = DraftOutcome.Failed(t, error);
    }

    static bool MentionsFormat(string message) =>
        message.Contains("format", StringComparison.OrdinalIgnoreCase) || message.Contains("schema", StringComparison.OrdinalIgnoreCase);

    static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    public void Dispose()
    {
        client.Dispose();
        owned?.Dispose();
    }
}
