using System.CommandLine;
using Amx.Data.Ask;
using Amx.Data.History;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Ask;

/// <summary><c>amx ask "QUESTION"</c>: answers from the live catalog and the latest descriptions, citing targets.</summary>
public sealed class AskCommand : AmxCommand
{
    readonly Argument<string> _question = new("QUESTION") { Description = "e.g. \"which column holds a customer's email?\"" };
    readonly Option<string?> _db = new("--db-profile") { Description = "Database profile (default: active_db_profile)" };
    readonly Option<string?> _llm = new("--llm-profile") { Description = "LLM profile (default: active; offline ranks without a model)" };
    readonly Option<int> _top = new("--top") { Description = "How many catalog entries to cite", DefaultValueFactory = _ => 5 };

    public AskCommand() : base("ask", "Ask a question about the catalog")
    {
        Arguments.Add(_question);
        Options.Add(_db);
        Options.Add(_llm);
        Options.Add(_top);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var profile = config.GetDbProfile(parse.GetValue(_db));
        var llm = parse.GetValue(_llm) is { } name ? config.GetLlmProfile(name)
            : config.ActiveLlmProfile is null ? new Amx.Data.Config.LlmProfile { Name = "offline", Provider = "offline" } : config.GetLlmProfile(null);
        var answer = await new AskService(await ctx.OpenHistoryAsync(ct)).AskAsync(parse.GetValue(_question)!, profile, llm, Math.Max(1, parse.GetValue(_top)), ct);
        ctx.Render(new
        {
            question = answer.Question, provider = answer.Provider, answer = answer.Answer,
            matches = answer.Hits.Select(h => new { target = h.Target, kind = h.Kind, data_type = h.DataType, description = h.Description, source = h.Source, score = h.Score }),
        }, () =>
        {
            var t = new OutputTable("target", "type", "description", "score");
            foreach (var h in answer.Hits) t.Add(h.Target, h.DataType ?? h.Kind.ToLowerInvariant(), h.Description, h.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            if (answer.Answer is not null) { t.Footer.Add(""); t.Footer.Add(answer.Answer); }
            if (answer.Hits.Count == 0) t.Footer.Add($"Nothing in {profile.Name}'s catalog matches \"{answer.Question}\". Try other words, or draft descriptions first: amx run SCHEMA");
            return t;
        });
        return 0;
    }
}
