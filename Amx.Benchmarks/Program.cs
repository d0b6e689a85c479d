using System.Reflection;
using Amx.Benchmarks.Infrastructure;

// amx benchmark suite: builds its own synthetic warehouses and prints figures beside their targets.
// Usage: dotnet run -c Release --project Amx.Benchmarks -- [SUITE…] [--pg CONNSTR] [--mariadb CONNSTR] [--key value…]
// No suite: all of them. Connection strings also come from AMX_BENCH_PG / AMX_BENCH_MARIADB (default: throwaway servers).

var suites = typeof(IBenchSuite).Assembly.GetTypes()
    .Where(t => typeof(IBenchSuite).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

var names = args.TakeWhile(a => !a.StartsWith("--")).ToList();
var options = new Dictionary<string, string>();
var rest = args.Skip(names.Count).ToList();
for (var i = 0; i + 1 < rest.Count; i += 2) options[rest[i].TrimStart('-')] = rest[i + 1];

if (names.Contains("list") || names.Contains("help"))
{
    foreach (var s in suites) Console.WriteLine($"{s.Name,-12} {s.Description}");
    return 0;
}
var chosen = names.Count == 0 ? suites : suites.Where(s => names.Contains(s.Name)).ToList();
if (chosen.Count != Math.Max(names.Count, chosen.Count) || (names.Count > 0 && chosen.Count != names.Count))
{
    Console.Error.WriteLine($"unknown suite; known: {string.Join(", ", suites.Select(s => s.Name))}");
    return 2;
}

await using var ctx = new BenchContext(options);
Console.Error.WriteLine($"amx under test: {ctx.AmxUnderTest ?? "portable build beside the benchmark"} (choose with --amx installed|PATH)");
var crashed = new List<string>();
foreach (var suite in chosen)
{
    ctx.CurrentSuite = suite.Name;
    Console.Error.WriteLine($"== {suite.Name}: {suite.Description}");
    try { await suite.RunAsync(ctx); }
    catch (Exception e)
    {
        crashed.Add(suite.Name);
        Console.Error.WriteLine($"  {suite.Name} failed: {e.Message}");
    }
}

Console.WriteLine();
Console.WriteLine($"| suite | figure | value | target | |");
Console.WriteLine($"|---|---|---|---|---|");
foreach (var f in ctx.Figures)
    Console.WriteLine($"| {f.Suite} | {f.Name} | {BenchContext.Format(f.Value)} {f.Unit} | {(f.Target is { } t ? $"≤ {BenchContext.Format(t)} {f.Unit}" : "")} | {(f.Met switch { true => "OK", false => "MISSED", null => "" })}{(f.Note is null ? "" : " " + f.Note)} |");
foreach (var c in crashed) Console.WriteLine($"| {c} | (suite failed, see stderr) | | | |");
return crashed.Count > 0 ? 1 : 0;
