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
/// Counts which tables and columns of a scope carry a comment. One catalog read; amx's own tables and partitions are
/// left out (the metadata reader skips them unless asked), as in <c>db inspect</c>.
/// </summary>
public static class CoverageService
{
    public static async Task<CoverageReport> CheckAsync(DbProfile profile, Scope? scope, double? minTables, double? minColumns, CancellationToken ct)
    {
        var provider = WarehouseProviders.For(profile.Backend);
        if (!provider.Dialect.SupportsTableComments && !provider.Dialect.SupportsColumnComments)
            throw AmxException.BadInput($"{profile.Backend.ToConfigName()} has no table or column comments: there is no coverage to check",
                "run the coverage gate against a backend that stores comments (PostgreSQL, MySQL/MariaDB, SQL Server)");
        Catalog catalog;
        await using (var conn = await provider.OpenAsync(profile, ct))
            catalog = await provider.Metadata.ReadAsync(conn, scope, MetadataOptions.Default, ct);
        return Build(profile.Name, scope, catalog, minTables, minColumns);
    }

    public static CoverageReport Build(string profile, Scope? scope, Catalog catalog, double? minTables, double? minColumns)
    {
        var targets = catalog.Targets().ToList();
        var undescribed = targets
            .Where(t => !IsDescribed(t.Column is null ? t.Table.Comment : t.Column.Comment))
            .Select(t => t.Column is null
                ? new UndescribedObject(t.Table.Name.ToString(), t.Table.Kind)
                : new UndescribedObject(new QualifiedName(t.Table.Name.Schema, t.Table.Name.Table, t.Column.Name).ToString(), TargetKinds.Column))
            .OrderBy(u => u.Target, StringComparer.Ordinal)
            .ToList();
        var schemas = targets.GroupBy(t => t.Table.Name.Schema, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SchemaCoverage(g.Key, Count(g.Where(t => t.Column is null), t => t.Table.Comment),
                Count(g.Where(t => t.Column is not null), t => t.Column!.Comment)))
            .ToList();
        var tables = Count(targets.Where(t => t.Column is null), t => t.Table.Comment);
        var columns = Count(targets.Where(t => t.Column is not null), t => t.Column!.Comment);
        return new CoverageReport(profile, scope?.ToString() ?? "*", tables, columns, minTables, minColumns,
            tables.Meets(minTables), columns.Meets(minColumns), schemas, undescribed);
    }

    static CoverageCount Count(IEnumerable<(TableMeta Table, ColumnMeta? Column)> targets, Func<(TableMeta Table, ColumnMeta? Column), string?> comment)
    {
        var list = targets.ToList();
        return new CoverageCount(list.Count(t => IsDescribed(comment(t))), list.Count);
    }

    /// <summary>An empty or blank comment describes nothing (PostgreSQL and MySQL treat '' as no comment).</summary>
    static bool IsDescribed(string? comment) => !string.IsNullOrWhiteSpace(comment);
}
