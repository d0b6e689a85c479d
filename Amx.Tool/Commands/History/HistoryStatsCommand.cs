using System.CommandLine;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Tool.Hosting;
using Amx.Tool.Output;
using Microsoft.EntityFrameworkCore;

namespace Amx.Tool.Commands.History;

/// <summary><c>amx history stats</c>: runs per state and per person; drafted, accepted and applied counts.</summary>
public sealed class HistoryStatsCommand() : AmxCommand("stats", "Count runs per state and per person, and what was drafted, accepted and applied")
{
    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = await ctx.OpenHistoryAsync(ct);
        await RunLiveness.SweepAsync(store, ct);
        await using var db = store.CreateContext();
        var byState = await db.Runs.GroupBy(r => r.State).Select(g => new { state = g.Key, runs = g.Count() }).ToListAsync(ct);
        var runsByWho = await db.Runs.GroupBy(r => r.Who).Select(g => new { who = g.Key, runs = g.Count() }).ToListAsync(ct);
        var drafted = await db.Runs.Join(db.Results.Where(x => x.Description != null), r => r.RunId, x => x.RunId, (r, x) => r.Who)
            .GroupBy(w => w).Select(g => new { who = g.Key, n = g.Count() }).ToListAsync(ct);
        var accepted = await db.Results.Where(x => x.ReviewedBy != null && (x.Decision == Decisions.Accepted || x.Decision == Decisions.Edited))
            .GroupBy(x => x.ReviewedBy!).Select(g => new { who = g.Key, n = g.Count() }).ToListAsync(ct);
        var applied = await db.Results.Where(x => x.Applied && x.AppliedBy != null)
            .GroupBy(x => x.AppliedBy!).Select(g => new { who = g.Key, n = g.Count() }).ToListAsync(ct);

        var people = runsByWho.Select(x => x.who).Union(accepted.Select(x => x.who)).Union(applied.Select(x => x.who)).Order(StringComparer.Ordinal).ToList();
        var perPerson = people.Select(w => new
        {
            who = w,
            runs = runsByWho.FirstOrDefault(x => x.who == w)?.runs ?? 0,
            drafted = drafted.FirstOrDefault(x => x.who == w)?.n ?? 0,
            accepted = accepted.FirstOrDefault(x => x.who == w)?.n ?? 0,
            applied = applied.FirstOrDefault(x => x.who == w)?.n ?? 0,
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
