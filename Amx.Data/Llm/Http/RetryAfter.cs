using System.Globalization;
using System.Net.Http.Headers;

namespace Amx.Data.Llm.Http;

/// <summary>Reads how long a server asked us to wait: <c>retry-after-ms</c> (OpenAI) or <c>Retry-After</c>
/// (seconds or an HTTP date).</summary>
public static class RetryAfter
{
    public static TimeSpan? From(HttpResponseMessage? response, DateTimeOffset now)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis)
            && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        return From(response.Headers.RetryAfter, now);
    }

    public static TimeSpan? From(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
