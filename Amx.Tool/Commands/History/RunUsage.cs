using System.Globalization;
using Amx.Data.History;

namespace Amx.Tool.Commands.History;

/// <summary><c>history show</c>'s lines about what a run sent: request sizes, tokens, grounding documents, house style.</summary>
static class RunUsage
{
    public static IEnumerable<string> Lines(RunMetadata meta)
    {
        var n = CultureInfo.InvariantCulture;
        if (meta.RequestCount is > 0)
            yield return string.Create(n, $"requests {meta.RequestCount}   largest {meta.RequestCharsMax} chars (budget {meta.RequestBudgetChars})   total {meta.RequestCharsTotal} chars");
        if (meta.LlmCalls is > 0)
            yield return meta.UsageReported != false
                ? string.Create(n, $"tokens   {meta.InputTokens} in   {meta.OutputTokens} out   (as reported by the endpoint)")
                : string.Create(n, $"tokens   not reported by the endpoint; about {meta.EstimatedInputTokens} in (4 chars per token)");
        if (meta.InstructionsSha256 is { } style)
            yield return $"style    house style instructions sha256 {style}";
        if (meta.ContextDocuments is { } docs)
        {
            yield return $"grounded {docs.Count} context document(s):";
            foreach (var d in docs)
                yield return $"         {d.Path}  sha256 {d.Sha256}";
        }
    }
}
