using System.CommandLine;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.History;

/// <summary><c>amx history stats</c>: runs per state and per person; drafted, accepted and applied counts.</summary>
public sealed class HistoryStatsCommand() : AmxCommand("stats", "Count runs per state and per person, and what was drafted, accepted and applied")
{
    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = await ctx.OpenHistoryAsync(ct);
        await RunLiveness.SweepAsync(store, ct);
        var stats = await store.ReadAsync(r => r.StatsAsync(ct), ct);
        var byState = stats.RunsByState.Select(kv => new { state = kv.Key, runs = kv.Value }).ToList();
        var people = stats.RunsByWho.Keys.Union(stats.AcceptedBy.Keys).Union(stats.AppliedBy.Keys).Order(StringComparer.Ordinal).ToList();
        var perPerson = people.Select(w => new
        {
            who = w,
            runs = stats.RunsByWho.GetValueOrDefault(w),
            drafted = stats.DraftedByWho.GetValueOrDefault(w),
            accepted = stats.AcceptedBy.GetValueOrDefault(w),
            applied = stats.AppliedBy.GetValueOrDefault(w),
        }).ToList();
        ctx.Render(new
        {
            runs_by_state = byState.OrderBy(x => x.state).ToDictionary(x => x.state, x => x.runs),
            people = perPerson,
            totals = new { runs = byState.Sum(x => x.runs), drafted = perPerson.Sum(p => p.drafted), accepted = perPerson.Sum(p => p.accepted), applied = perPerson.Sum(p => p.applied) },
        }, () =>
        {
            var t = new OutputTable("who", "runs", "drafted", "accepted", "applied");
            foreach (var p in perPerson) t.Add(p.who, p.runs.ToString(), p.drafted.ToString(), p.accepted.ToString(), p.applied.ToString());
            t.Footer.Add("runs by state: " + (byState.Count == 0 ? "none" : string.Join(", ", byState.OrderBy(x => x.state).Select(x => $"{x.state} {x.runs}"))));
            return t;
        });
        return 0;
    }
}
