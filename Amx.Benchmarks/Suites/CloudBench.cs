using System.Diagnostics;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Snowflake;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// Cloud warehouses (docs/cloud-warehouses.md): the Snowflake metadata read of 2,000 tables × 50 columns (100,000
/// columns) from the loopback fake Snowflake, which answers in the documented partitioned jsonv2 shape
/// (<c>--rows-per-partition</c>, default 5,000: 20 partitions for the columns). In process, over loopback HTTP: the
/// figure is amx's JSON parsing and paging cost plus the fake's own work of building each answer (same process), not
/// network time. Median of 5 warm reads. <c>--profiling sampled|full</c> instead times a profiled read of a smaller
/// catalog (<c>--tables 200 --columns 20</c>, 100 rows each, the fake evaluating every profiling statement): the cost
/// of one statistics statement per table (two in full mode) through the SQL API.
/// </summary>
public sealed class CloudBench : IBenchSuite
{
    public string Name => "cloud";
    public string Description => "Snowflake (fake, loopback): metadata read of 2,000 tables × 50 columns in partitions (≤ 2 s)";

    public async Task RunAsync(BenchContext ctx)
    {
        var profiling = Enum.Parse<Amx.Data.Warehouse.Model.ProfilingMode>(ctx.Option("profiling", "metadata"), ignoreCase: true);
        var profiled = profiling != Amx.Data.Warehouse.Model.ProfilingMode.Metadata;
        var tables = int.Parse(ctx.Option("tables", profiled ? "200" : "2000"));
        var columns = int.Parse(ctx.Option("columns", profiled ? "20" : "50"));
        var rowsPerTable = profiled ? 100 : 0;
        // --cache true: the fake serves repeated reads from serialized answers, leaving amx's parsing and paging cost.
        var cache = bool.Parse(ctx.Option("cache", "true"));
        await using var fake = new FakeSnowflake { RowsPerPartition = int.Parse(ctx.Option("rows-per-partition", "5000")), CacheAnswers = cache };
        // --async-polls N: every statement answers 202 N times first (amx polls after 25 ms, then doubling), standing in
        // for the service's own run time per statement, which loopback does not have.
        var asyncPolls = int.Parse(ctx.Option("async-polls", "0"));
        var types = new[] { "NUMBER", "TEXT", "NUMBER", "TIMESTAMP_NTZ", "BOOLEAN" };
        for (var t = 0; t < tables; t++)
            fake.Tables.Add(new FakeCloudTable
            {
                Schema = "BENCH", Name = $"T{t:D4}", RowCount = 1000 + t, Comment = t % 3 == 0 ? $"Table {t}" : null,
                Columns = Enumerable.Range(0, columns).Select(c => new FakeCloudColumn { Name = $"C{c:D2}", DataType = types[c % types.Length], Comment = c % 4 == 0 ? $"Column {c} of table {t}" : null }).ToList(),
                Rows = Enumerable.Range(0, rowsPerTable).Select(r => Enumerable.Range(0, columns).Select(c => (string?)(types[c % types.Length] switch
                {
                    "NUMBER" => (r * (c + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "BOOLEAN" => r % 2 == 0 ? "true" : "false",
                    "TIMESTAMP_NTZ" => $"2026-01-{1 + r % 28:D2} 10:00:00.000",
                    _ => $"value {r % 17} of column {c}",
                })).ToArray()).ToList(),
            });

        var profile = new DbProfile { Name = "bench", Backend = Backend.Snowflake, Host = "fakeacct.snowflakecomputing.com", Database = fake.Database, User = fake.User, Password = fake.PrivateKeyPem };
        profile.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        var provider = WarehouseProviders.For(Backend.Snowflake);
        await using var conn = provider.CreateConnection(CloudConnectionStrings.Snowflake(profile));
        await conn.OpenAsync();
        var scope = Scope.Parse("BENCH");
        var options = new MetadataOptions { Profiling = profiling, MaskSamples = true };
        var warm = await provider.Metadata.ReadAsync(conn, scope, options);
        fake.AsyncPolls = asyncPolls;
        var read = warm.Tables.Sum(t => t.Columns.Count);
        if (warm.Tables.Count != tables || read != (long)tables * columns)
            throw new InvalidOperationException($"expected {tables} tables / {tables * columns} columns, read {warm.Tables.Count} / {read}");
        var partitions = fake.Requests.Count(r => r.PathAndQuery.Contains("partition="));
        var times = new List<double>();
        var cpu = new List<double>();
        var fakeTimes = new List<double>();
        var self = Process.GetCurrentProcess();
        for (var i = 0; i < 5; i++)
        {
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var fakeBefore = fake.AnswerTime;
            var sw = Stopwatch.StartNew();
            await provider.Metadata.ReadAsync(conn, scope, options);
            times.Add(sw.Elapsed.TotalSeconds);
            fakeTimes.Add((fake.AnswerTime - fakeBefore).TotalSeconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        times.Sort();
        cpu.Sort();
        fakeTimes.Sort();
        if (profiled && warm.Tables.Any(t => t.Columns.Any(c => c.Profile is null or { Note: not null and not "sample of 100 rows" })))
            throw new InvalidOperationException("a table was not profiled: " + warm.Tables.SelectMany(t => t.Columns).First(c => c.Profile?.Note is not null and not "sample of 100 rows").Profile!.Note);
        ctx.Report($"Snowflake {(profiled ? profiling.ToString().ToLowerInvariant() + "-profiled" : "metadata")} read (fake{(cache ? ", answers cached" : "")}), {tables}×{columns}",
            times[2], "s", profiled ? null : 2.0,
            $"async polls {asyncPolls}; min {times[0]:F3} s, max {times[^1]:F3} s; {partitions} partitions fetched per read after the first; CPU time (amx and the fake, one process) median {cpu[2]:F3} s, of which the fake building its answers (wall) median {fakeTimes[2]:F3} s; load average {BenchContext.LoadAverage()}");
    }
}
