using Amx.Data.Llm.Http;

namespace Amx.Data.Llm.Providers;

static class LlmHttp
{
    /// <summary>The HttpClient both SDKs are given: our retry/timeout handler, no HttpClient-level timeout.</summary>
    public static HttpClient Client(DrafterOptions options) =>
        new(new ResilientHttpHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Effectively no limit: the SDKs must not cut calls short; <see cref="ResilientHttpHandler"/> times them.</summary>
    public static readonly TimeSpan SdkTimeout = TimeSpan.FromHours(1);
}
