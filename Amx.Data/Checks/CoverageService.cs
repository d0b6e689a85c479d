using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Checks;

/// <summary>Described out of total; a scope with nothing in it counts as fully described.</summary>
public sealed record CoverageCount(int Described, int Total)
{
    public double Percent => Total == 0 ? 100 : Math.Floor(10000.0 * Described / Total) / 100;

    /// <summary>Exact comparison (no rounding): 79.99 % never passes a bar of 80.</summary>
    public bool Meets(double? minPercent) => minPercent is not { } min || (decimal)Described * 100 >= (decimal)min * Total;
}

public sealed record SchemaCoverage(string Schema, CoverageCount Tables, CoverageCount Columns);

/// <summary>An object without a description: <c>target</c> is its qname, <c>kind</c> TABLE, VIEW, MATERIALIZED_VIEW or COLUMN.</summary>
public sealed record UndescribedObject(string Target, string Kind);

/// <summary>
/// The coverage gate's result (docs/ci-and-cron.md): tables (tables, views, materialized views) and columns counted
/// separately, each against its own bar.
/// </summary>
public sealed record CoverageReport(
    string Profile, string Scope, CoverageCount Tables, CoverageCount Columns, double? MinTables, double? MinColumns,
    bool TablesPass, bool ColumnsPass, IReadOnlyList<SchemaCoverage> Schemas, IReadOnlyList<UndescribedObject> Undescribed)
{
    public bool Pass => TablesPass && ColumnsPass;
}

/// <summary>
/// Counts which tables and columns of a scope carry a comment. The catalog is read in slices (as a run reads it), so
/// a million-column warehouse is never held: only the counts per schema and the names of what is undescribed are
/// kept. amx's own tables and partitions are left out (the metadata reader skips them unless asked), as in
/// <c>db inspect</c>.
/// </summary>
public static class CoverageService
{
    public static async Task<CoverageReport> CheckAsync(DbProfile profile, Scope? scope, double? minTables, double? minColumns, int columnsPerSlice, CancellationToken ct)
    {
        var provider = WarehouseProviders.For(profile.Backend);
        if (!provider.Dialect.SupportsTableComments && !provider.Dialect.SupportsColumnComments)
            throw AmxException.BadInput($"{profile.Backend.ToConfigName()} has no table or column comments: there is no coverage to check",
                "run the coverage gate against a backend that stores comments (PostgreSQL, MySQL/MariaDB, SQL Server)");
        Task<System.Data.Common.DbConnection> Open(CancellationToken token) => provider.OpenAsync(profile, token);
        var slices = await provider.Metadata.ReadSlicesAsync(Open, scope, MetadataOptions.Default with { ColumnsPerSlice = columnsPerSlice }, ct);
        var tally = new Tally();
        await foreach (var slice in slices.Slices.WithCancellation(ct)) tally.Add(slice);
        return tally.Report(profile.Name, scope, minTables, minColumns);
    }

    /// <summary>Counts per schema and the undescribed objects' names, slice after slice.</summary>
    sealed class Tally
    {
        readonly Dictionary<string, int[]> _schemas = new(StringComparer.Ordinal); // tables described, tables, columns described, columns
        readonly List<UndescribedObject> _undescribed = [];

        public void Add(Catalog slice)
        {
            foreach (var (table, column) in slice.Targets())
            {
                var n = _schemas.TryGetValue(table.Name.Schema, out var c) ? c : _schemas[table.Name.Schema] = new int[4];
                var described = IsDescribed(column is null ? table.Comment : column.Comment);
                var at = column is null ? 0 : 2;
                n[at + 1]++;
                if (described) n[at]++;
                else _undescribed.Add(column is null
                    ? new UndescribedObject(table.Name.ToString(), table.Kind)
                    : new UndescribedObject(new QualifiedName(table.Name.Schema, table.Name.Table, column.Name).ToString(), TargetKinds.Column));
            }
        }

        public CoverageReport Report(string profile, Scope? scope, double? minTables, double? minColumns)
        {
            _undescribed.Sort((a, b) => string.CompareOrdinal(a.Target, b.Target));
            var schemas = _schemas.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new SchemaCoverage(kv.Key, new CoverageCount(kv.Value[0], kv.Value[1]), new CoverageCount(kv.Value[2], kv.Value[3])))
                .ToList();
            var tables = new CoverageCount(schemas.Sum(s => s.Tables.Described), schemas.Sum(s => s.Tables.Total));
            var columns = new CoverageCount(schemas.Sum(s => s.Columns.Described), schemas.Sum(s => s.Columns.Total));
            return new CoverageReport(profile, scope?.ToString() ?? "*", tables, columns, minTables, minColumns,
                tables.Meets(minTables), columns.Meets(minColumns), schemas, _undescribed);
        }
    }

    /// <summary>An empty or blank comment describes nothing (PostgreSQL and MySQL treat '' as no comment).</summary>
    static bool IsDescribed(string? comment) => !string.IsNullOrWhiteSpace(comment);
}
