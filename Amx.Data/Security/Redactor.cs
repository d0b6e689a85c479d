using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Amx.Data.Security;

/// <summary>
/// Removes secrets from text before it reaches the console, a trace, a log or the history store (docs/security.md).
/// First net: the actual values amx resolved in this process (passwords, API keys, URL user-info, secret-like
/// connection options), whatever their shape. Second net: well-known key shapes and URL user-info.
/// </summary>
public static partial class Redactor
{
    public const string Mask = "[redacted]";

    /// <summary>Values shorter than this are not searched for: masking every "ab" would wreck messages and hide little.</summary>
    public const int MinLength = 4;

    static readonly ConcurrentDictionary<string, byte> Values = new(StringComparer.Ordinal);
    static volatile string[] _ordered = [];

    /// <summary>Remembers a secret value (and its URL-encoded form) for the rest of the process.</summary>
    public static void Register(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        var added = false;
        foreach (var v in new[] { value, value.Trim(), Uri.EscapeDataString(value) })
            if (v.Length >= MinLength && Values.TryAdd(v, 0)) added = true;
        if (!added) return;
        // Longest first, so that a secret containing another one is masked whole.
        _ordered = Values.Keys.OrderByDescending(k => k.Length).ToArray();
    }

    /// <summary>Registers the password of <c>user:password@</c> in a URL (the user name is masked with it when shown).</summary>
    public static void RegisterUrl(string? url)
    {
        if (string.IsNullOrEmpty(url)) return;
        var m = UserInfo().Match(url);
        if (!m.Success) return;
        var info = m.Groups["info"].Value;
        var colon = info.IndexOf(':');
        Register(Uri.UnescapeDataString(colon >= 0 ? info[(colon + 1)..] : info));
        Register(colon >= 0 ? info[(colon + 1)..] : info);
    }

    /// <summary>Connection-string keywords whose values are secrets (<c>--option Password=…</c>).</summary>
    public static bool IsSecretKeyword(string keyword) => SecretKeyword().IsMatch(keyword);

    /// <summary>The text with every known secret value, key-shaped token and URL user-info replaced by <see cref="Mask"/>.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var v in _ordered)
            if (text.Contains(v, StringComparison.Ordinal)) text = text.Replace(v, Mask, StringComparison.Ordinal);
        if (text.Contains("://", StringComparison.Ordinal)) text = UserInfo().Replace(text, "${scheme}" + Mask + "@");
        return KeyShape().Replace(text, m => m.Groups["prefix"].Success ? m.Groups["prefix"].Value + Mask : Mask);
    }

    /// <summary>A URL for display: user-info masked (<c>http://[redacted]@host/v1</c>).</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(url))]
    public static string? MaskUrl(string? url) => url is null ? null : UserInfo().Replace(url, "${scheme}" + Mask + "@");

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?<info>[^/\s@?#]+)@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"pass|pwd|secret|token|key|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyword();

    // Known shapes: OpenAI/Anthropic sk-…, Groq gsk_…, Google AIza…, GitHub/Slack tokens, and whatever follows
    // "Bearer" or an api-key header/field.
    [GeneratedRegex(@"\b(?:sk-[A-Za-z0-9_\-]{8,}|gsk_[A-Za-z0-9]{8,}|AIza[0-9A-Za-z_\-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9\-]{10,})" +
                    @"|(?<prefix>\bBearer\s+)[^\s""',;]+" +
                    @"|(?<prefix>\b(?:x-api-key|api[_-]?key|authorization)[""']?\s*[:=]\s*[""']?(?:Bearer\s+)?)(?!\[redacted\])[^\s""',;]+",
        RegexOptions.IgnoreCase)]
    private static partial Regex KeyShape();
}
