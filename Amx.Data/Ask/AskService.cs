using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Ask;

/// <summary>A catalog entry that matched a question.</summary>
public sealed record AskHit(string Target, string Kind, string? DataType, string? Description, string? Source, double Score);

public sealed record AskAnswer(string Question, IReadOnlyList<AskHit> Hits, string? Answer, string Provider);

/// <summary>
/// <c>amx ask</c>: ranks the catalog's tables and columns (live names, types and comments plus the latest
/// descriptions in the history) against a question with BM25. The offline provider returns the ranking; an LLM
/// profile gets the top entries as context and answers, citing them.
/// </summary>
public sealed class AskService(HistoryStore store)
{
    public async Task<AskAnswer> AskAsync(string question, DbProfile profile, LlmProfile llm, int top, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(question)) throw AmxException.BadInput("the question is empty", "amx ask \"which column holds a customer's email?\"");
        var provider = WarehouseProviders.For(profile.Backend);
        Catalog catalog;
        await using (var conn = await provider.OpenAsync(profile, ct))
            catalog = await provider.Metadata.ReadAsync(conn, null, new MetadataOptions { Profiling = ProfilingMode.Metadata }, ct);

        var latest = await LatestDescriptionsAsync(ct);
        var index = new Bm25Index<AskHit>();
        foreach (var (table, column) in catalog.Targets())
        {
            var name = column is null ? table.Name : table.Name with { Column = column.Name };
            var qname = name.ToString();
            var described = latest.GetValueOrDefault(qname);
            var live = column is null ? table.Comment : column.Comment;
            var description = !string.IsNullOrEmpty(live) ? live : described.Description;
            var source = !string.IsNullOrEmpty(live) ? "comment" : described.RunId;
            var hit = new AskHit(qname, column is null ? table.Kind : TargetKinds.Column, column?.DataType, description, source, 0);
            // Names weigh double: the column is what users ask for.
            var text = $"{name.Table} {column?.Name} {name.Table} {column?.Name} {column?.DataType} {description}" +
                       (column is null ? "" : $" {table.Comment}");
            index.Add(hit, text);
        }
        var hits = index.Search(question, top).Select(x => x.Item with { Score = Math.Round(x.Score, 3) }).ToList();
        if (llm.Provider == "offline" || hits.Count == 0)
            return new AskAnswer(question, hits, null, llm.Provider);
        var answer = await CatalogAnswerer.AnswerAsync(llm, question, hits, ct);
        return new AskAnswer(question, hits, answer, llm.Provider);
    }

    /// <summary>The newest description per target in the history, preferring applied and accepted ones.</summary>
    async Task<Dictionary<string, (string? Description, string? RunId)>> LatestDescriptionsAsync(CancellationToken ct)
    {
        var rows = await store.ReadAsync(r => r.DescribedResultsAsync(ct), ct);
        return rows.GroupBy(r => r.Target, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g =>
            {
                var best = g.OrderByDescending(r => r.Applied).ThenByDescending(r => r.Decision != Decisions.Pending).ThenByDescending(r => r.StartedAt).First();
                return ((string?)best.Description, (string?)best.RunId);
            }, StringComparer.Ordinal);
    }
}
