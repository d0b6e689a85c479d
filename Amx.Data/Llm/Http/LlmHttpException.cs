using System.Net;

namespace Amx.Data.Llm.Http;

public enum LlmHttpFailure
{
    /// <summary>The endpoint answered with a non-success status (see <see cref="LlmHttpException.Status"/>).</summary>
    Status,
    /// <summary>No answer within the per-request timeout, on every attempt.</summary>
    Timeout,
    /// <summary>No connection (refused, DNS, TLS) on every attempt.</summary>
    Unreachable,
}

/// <summary>
/// Thrown by <see cref="ResilientHttpHandler"/> once its retries are spent. It passes through the SDKs unchanged
/// (or as an inner exception), so the drafter classifies failures the same way for every provider instead of
/// decoding each SDK's own exception types.
/// </summary>
public sealed class LlmHttpException(LlmHttpFailure failure, HttpStatusCode? status, string message, int attempts, Exception? inner = null)
    : Exception(message, inner)
{
    public LlmHttpFailure Failure { get; } = failure;
    public HttpStatusCode? Status { get; } = status;
    public int Attempts { get; } = attempts;

    public bool IsAuthFailure => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    /// <summary>Finds one in <paramref name="e"/> or its inner exceptions.</summary>
    public static LlmHttpException? Find(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 10; depth++)
        {
            if (e is LlmHttpException found) return found;
            if (e is AggregateException agg && agg.InnerExceptions.Count > 0)
                return agg.InnerExceptions.Select(Find).FirstOrDefault(x => x is not null);
            e = e.InnerException;
        }
        return null;
    }
}
