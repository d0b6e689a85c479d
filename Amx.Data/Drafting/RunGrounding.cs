using System.Security.Cryptography;
using System.Text;
using Amx.Data.Context;
using Amx.Data.History;

namespace Amx.Data.Drafting;

/// <summary>What grounded a run, for its metadata: each context document (path, SHA-256) and the house style's hash
/// (docs/context-and-export.md), so a reviewer knows what the model saw.</summary>
public sealed record RunGrounding(IReadOnlyList<ContextDocumentRef>? Documents, int? Budget, int? GlossaryTerms, string? InstructionsSha256)
{
    public static RunGrounding Of(ContextLibrary? library, int budget, string? instructions) => new(
        library?.Documents.Select(d => new ContextDocumentRef(d.Path, d.Sha256, d.Chunks)).ToList(),
        library is null ? null : budget,
        library?.Glossary.Count,
        string.IsNullOrWhiteSpace(instructions) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(instructions.Trim()))));

    public void WriteTo(RunMetadata meta)
    {
        if (Documents is not null)
        {
            meta.ContextDocuments = [.. Documents];
            meta.ContextBudgetChars = Budget;
            meta.GlossaryTerms = GlossaryTerms;
        }
        if (InstructionsSha256 is not null) meta.InstructionsSha256 = InstructionsSha256;
    }
}
