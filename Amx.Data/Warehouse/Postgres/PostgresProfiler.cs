using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.Postgres;

/// <summary>PostgreSQL profiling SQL: TABLESAMPLE SYSTEM on big tables, LIMIT otherwise; values compared as text.</summary>
public sealed class PostgresProfiler() : TableProfiler(PostgresDialect.Instance)
{
    // Types whose MIN/MAX mean something (numbers, dates and times, text).
    static readonly string[] Orderable =
        ["smallint", "integer", "bigint", "numeric", "real", "double precision", "money", "date", "time", "timestamp", "interval",
         "character", "text", "uuid", "inet"];

    protected override string SampleSource(TableMeta table, int rows)
    {
        var from = Dialect.QuoteTable(table.Name);
        // Block sampling reads a fraction of the pages; aim at ~3x the rows wanted, then cut with LIMIT.
        if (table.Kind is TargetKinds.Table or TargetKinds.MaterializedView && !table.IsPartitioned && table.RowEstimate is { } est && est > rows * 10L)
        {
            var pct = Math.Min(100.0, rows * 300.0 / est);
            from += string.Create(CultureInfo.InvariantCulture, $" TABLESAMPLE SYSTEM ({pct:0.######})");
        }
        return $"SELECT * FROM {from} LIMIT {rows}";
    }

    protected override string AsText(string quotedColumn, ColumnMeta column) => $"left({quotedColumn}::text, {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"(array_agg(DISTINCT {textExpression}) FILTER (WHERE {textExpression} IS NOT NULL))[1:{ExampleCount}]";

    protected override IEnumerable<string> ParseExamples(object value) => (string[])value;

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Any(t => column.DataType.StartsWith(t, StringComparison.Ordinal)) && !column.DataType.EndsWith("[]", StringComparison.Ordinal)
            ? $"left({aggregate}({quotedColumn})::text, {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"(SELECT {index}, {textExpression} AS v, count(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) =>
        $"SELECT count(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1}) x";
}
