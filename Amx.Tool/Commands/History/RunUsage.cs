using System.Globalization;
using System.Text.Json;
using Amx.Data.History;

namespace Amx.Tool.Commands.History;

/// <summary><c>history show</c>'s lines about what a run sent: request sizes, tokens, grounding documents, house style.</summary>
static class RunUsage
{
    public static IEnumerable<string> Lines(Dictionary<string, object?> meta)
    {
        var n = CultureInfo.InvariantCulture;
        if (Metadata.Long(meta, "request_count") is { } count and > 0)
            yield return string.Create(n, $"requests {count}   largest {Metadata.Long(meta, "request_chars_max")} chars (budget {Metadata.Long(meta, "request_budget_chars")})   total {Metadata.Long(meta, "request_chars_total")} chars");
        if (Metadata.Long(meta, "llm_calls") is > 0)
        {
            var reported = meta.GetValueOrDefault("usage_reported") is not JsonElement { ValueKind: JsonValueKind.False };
            yield return reported
                ? string.Create(n, $"tokens   {Metadata.Long(meta, "input_tokens")} in   {Metadata.Long(meta, "output_tokens")} out   (as reported by the endpoint)")
                : string.Create(n, $"tokens   not reported by the endpoint; about {Metadata.Long(meta, "estimated_input_tokens")} in (4 chars per token)");
        }
        if (Metadata.String(meta, "instructions_sha256") is { } style)
            yield return $"style    house style instructions sha256 {style}";
        if (meta.GetValueOrDefault("context_documents") is JsonElement { ValueKind: JsonValueKind.Array } docs)
        {
            yield return $"grounded {docs.GetArrayLength()} context document(s):";
            foreach (var d in docs.EnumerateArray())
                yield return $"         {d.GetProperty("path").GetString()}  sha256 {d.GetProperty("sha256").GetString()}";
        }
    }
}
