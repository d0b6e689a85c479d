namespace Amx.Tool.Output;

/// <summary>"2 hours ago" for tables; json always carries the absolute UTC time.</summary>
public static class RelativeTime
{
    public static string Ago(DateTime utc, DateTime? now = null, bool brief = false)
    {
        var span = (now ?? DateTime.UtcNow) - DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        if (span < TimeSpan.FromSeconds(45)) return "just now";
        var (n, unit) = span switch
        {
            _ when span < TimeSpan.FromMinutes(60) => ((int)Math.Max(1, span.TotalMinutes), brief ? "min" : "minute"),
            _ when span < TimeSpan.FromHours(24) => ((int)span.TotalHours, brief ? "hr" : "hour"),
            _ when span < TimeSpan.FromDays(30) => ((int)span.TotalDays, "day"),
            _ when span < TimeSpan.FromDays(365) => ((int)(span.TotalDays / 30), brief ? "mo" : "month"),
            _ => ((int)(span.TotalDays / 365), brief ? "yr" : "year"),
        };
        var plural = n == 1 || brief && unit is "min" or "hr" or "mo" or "yr" ? "" : "s";
        return $"{n} {unit}{plural} ago";
    }
}
