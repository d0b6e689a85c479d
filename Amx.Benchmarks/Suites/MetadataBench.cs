using System.Data.Common;
using System.Diagnostics;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using MySqlConnector;
using Npgsql;

namespace Amx.Benchmarks.Suites;

/// <summary>Metadata read of the synthetic warehouse (2,000 tables × 50 columns), in-process, median of 5 warm reads.</summary>
public sealed class MetadataBench : IBenchSuite
{
    public string Name => "metadata";
    public string Description => "metadata read of 2,000 tables × 50 columns (PostgreSQL ≤ 1 s, MariaDB ≤ 2 s)";

    public async Task RunAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("tables", "2000"));
        var columns = int.Parse(ctx.Option("columns", "50"));
        await using (var pg = new NpgsqlConnection(await SyntheticWarehouse.EnsurePostgresAsync(ctx.PostgresAdmin, tables, columns)))
        {
            await pg.OpenAsync();
            await TimeAsync(ctx, "PostgreSQL", WarehouseProviders.For(Backend.PostgreSql), pg, SyntheticWarehouse.PgSchema, tables, columns, 1.0);
        }
        await using (var my = new MySqlConnection(await SyntheticWarehouse.EnsureMariaDbAsync(ctx.MariaDbAdmin, tables, columns)))
        {
            await my.OpenAsync();
            await TimeAsync(ctx, "MariaDB", WarehouseProviders.For(Backend.MariaDb), my, SyntheticWarehouse.Database, tables, columns, 2.0);
        }
    }

    static async Task TimeAsync(BenchContext ctx, string label, IWarehouseProvider provider, DbConnection conn, string schema, int tables, int columns, double target)
    {
        var scope = Scope.Parse(schema);
        var warm = await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default); // warms caches and JIT
        var readColumns = warm.Tables.Sum(t => t.Columns.Count);
        if (warm.Tables.Count != tables || readColumns != (long)tables * columns)
            throw new InvalidOperationException($"{label}: expected {tables} tables / {tables * columns} columns, read {warm.Tables.Count} / {readColumns}");
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        ctx.Report($"{label} metadata read, {tables}×{columns}", times[2], "s", target, $"min {times[0]:F3} s, max {times[^1]:F3} s");
    }
}
