using System.CommandLine;
using System.Globalization;
using Amx.Data.Checks;
using Amx.Data.Errors;
using Amx.Data.Warehouse;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Coverage;

/// <summary>
/// <c>amx coverage [SCOPE] --min-coverage PCT</c>: the documentation coverage gate for CI (docs/ci-and-cron.md).
/// Tables and columns are measured separately; below a bar the command lists the undescribed objects and exits 5.
/// </summary>
public sealed class CoverageCommand : AmxCommand
{
    readonly Argument<string?> _scope = new("SCOPE") { Description = "schema, schema.table or schema.table.column; omit for the whole database", Arity = ArgumentArity.ZeroOrOne };
    readonly Option<double?> _min = new("--min-coverage") { Description = "Fail (exit 5) when tables or columns are described below PCT percent" };
    readonly Option<double?> _minTables = new("--min-table-coverage") { Description = "Bar for tables and views only (overrides --min-coverage)" };
    readonly Option<double?> _minColumns = new("--min-column-coverage") { Description = "Bar for columns only (overrides --min-coverage)" };
    readonly Option<string?> _profile = new("--db-profile", "--profile") { Description = "Database profile (default: the active one)" };

    public CoverageCommand() : base("coverage", "Documentation coverage of tables and columns; with --min-coverage a CI gate (exit 5 below the bar)")
    {
        Arguments.Add(_scope);
        Options.Add(_min);
        Options.Add(_minTables);
        Options.Add(_minColumns);
        Options.Add(_profile);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var min = Percent(parse.GetValue(_min), "--min-coverage");
        var minTables = Percent(parse.GetValue(_minTables), "--min-table-coverage") ?? min;
        var minColumns = Percent(parse.GetValue(_minColumns), "--min-column-coverage") ?? min;
        var scope = Scope.Parse(parse.GetValue(_scope));
        var profile = ctx.Config.GetDbProfile(parse.GetValue(_profile));
        var report = await CoverageService.CheckAsync(profile, scope, minTables, minColumns,
            Amx.Data.Warehouse.MetadataOptions.ColumnsPerSliceFrom(ctx.Env.Variable("AMX_SLICE_COLUMNS")), ct);

        switch (ctx.Globals.Output)
        {
            case OutputFormat.Json:
                // The undescribed list can be the whole warehouse: written item by item, never as one string.
                await JsonOutput.WriteStreamedAsync(ctx.Out, new
                {
                    report.Profile, report.Scope, report.Pass,
                    tables = Json(report.Tables, report.MinTables, report.TablesPass),
                    columns = Json(report.Columns, report.MinColumns, report.ColumnsPass),
                    schemas = report.Schemas.Select(s => new { s.Schema, tables = Json(s.Tables, null, null), columns = Json(s.Columns, null, null) }),
                }, "undescribed", report.Undescribed.ToAsyncEnumerable());
                break;
            case OutputFormat.Table:
                Renderer.For(ctx).Write(ctx.Out, SummaryTable(report));
                break;
            default:
                // csv and md: one row per undescribed object (the list a reviewer works through).
                var t = new StreamedTable(ctx, "target", "kind");
                foreach (var u in report.Undescribed) t.Add(u.Target, u.Kind);
                t.Finish();
                break;
        }

        if (report.Pass) return 0;
        var failing = new List<string>();
        if (!report.TablesPass) failing.Add($"tables {Pct(report.Tables.Percent)}% < {Pct(report.MinTables!.Value)}%");
        if (!report.ColumnsPass) failing.Add($"columns {Pct(report.Columns.Percent)}% < {Pct(report.MinColumns!.Value)}%");
        CommandRunner.ReportError(new AmxException(ExitCode.CheckFailed,
            $"documentation coverage of {ScopeWords(report)} is below the bar: {string.Join(", ", failing)}",
            $"describe the objects listed (amx run {(report.Scope == "*" ? "SCHEMA" : report.Scope)} --missing-only), or lower the bar"), ctx.Err, verbose: false);
        return (int)ExitCode.CheckFailed;
    }

    static object Json(CoverageCount c, double? min, bool? pass) =>
        new { described = c.Described, total = c.Total, percent = c.Percent, min_percent = min, pass };

    /// <summary>The human view: per schema, the totals, then each undescribed object (when there is a bar to meet).</summary>
    static OutputTable SummaryTable(CoverageReport r)
    {
        var t = new OutputTable("schema", "tables described", "tables %", "columns described", "columns %");
        foreach (var s in r.Schemas)
            t.Add(s.Schema, $"{s.Tables.Described}/{s.Tables.Total}", Pct(s.Tables.Percent), $"{s.Columns.Described}/{s.Columns.Total}", Pct(s.Columns.Percent));
        t.Footer.Add($"{ScopeWords(r)}: tables {r.Tables.Described}/{r.Tables.Total} ({Pct(r.Tables.Percent)}%){Bar(r.MinTables, r.TablesPass)}, " +
                     $"columns {r.Columns.Described}/{r.Columns.Total} ({Pct(r.Columns.Percent)}%){Bar(r.MinColumns, r.ColumnsPass)}");
        if (!r.Pass)
        {
            t.Footer.Add($"undescribed ({r.Undescribed.Count}):");
            foreach (var u in r.Undescribed) t.Footer.Add($"  {u.Kind.ToLowerInvariant().Replace('_', ' ')} {u.Target}");
        }
        return t;
    }

    static string ScopeWords(CoverageReport r) => r.Scope == "*" ? $"db profile '{r.Profile}'" : $"'{r.Scope}'";

    static string Bar(double? min, bool pass) => min is null ? "" : pass ? $" ≥ {Pct(min.Value)}% ok" : $" < {Pct(min.Value)}% FAIL";

    static string Pct(double p) => p.ToString("0.##", CultureInfo.InvariantCulture);

    static double? Percent(double? value, string name) => value is null or (>= 0 and <= 100) ? value
        : throw AmxException.BadInput($"{name} must be a percentage between 0 and 100 (got {value.Value.ToString(CultureInfo.InvariantCulture)})", $"{name} 80");
}
