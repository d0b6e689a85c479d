using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>DuckDB profiling SQL: <c>USING SAMPLE n ROWS</c> (reservoir) samples; examples as hex so any byte survives.</summary>
public sealed class DuckDbProfiler() : TableProfiler(DuckDbDialect.Instance)
{
    // Types whose MIN/MAX mean something; nested types (lists, structs, maps) are left out.
    static readonly string[] Orderable =
        ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
         "DECIMAL", "FLOAT", "DOUBLE", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "VARCHAR", "UUID"];

    protected override string SampleSource(TableMeta table, int rows) =>
        $"SELECT * FROM {Dialect.QuoteTable(table.Name)} USING SAMPLE {rows} ROWS";

    protected override string AsText(string quotedColumn, ColumnMeta column) => $"left(CAST({quotedColumn} AS VARCHAR), {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"array_to_string(list_slice(list(DISTINCT hex({textExpression}) ORDER BY hex({textExpression})), 1, {ExampleCount}), ',')";

    protected override IEnumerable<string> ParseExamples(object value) => ParseHexList(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        !column.DataType.Contains('[') && Orderable.Any(t => column.DataType.StartsWith(t, StringComparison.OrdinalIgnoreCase))
            ? $"left(CAST({aggregate}({quotedColumn}) AS VARCHAR), {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"SELECT * FROM (SELECT {index} AS i, {textExpression} AS v, count(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) => $"SELECT count(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1})";
}
