using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>
/// Databricks profiling SQL: tables sampled with <c>TABLESAMPLE (n ROWS)</c>, views with <c>LIMIT</c>; examples as a
/// JSON array (<c>to_json(slice(array_sort(collect_set(…)), 1, 5))</c>). The Statement Execution API runs one
/// statement per request, so full mode's top values are a second statement per table.
/// </summary>
public sealed class DatabricksProfiler() : TableProfiler(DatabricksDialect.Instance)
{
    // information_schema.columns.data_type values whose MIN/MAX mean something (not ARRAY, MAP, STRUCT, BINARY, VARIANT).
    static readonly string[] Orderable =
        ["TINYINT", "SMALLINT", "INT", "BIGINT", "DECIMAL", "FLOAT", "DOUBLE", "STRING", "CHAR", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP"];

    protected override bool SupportsMultipleStatements => false;
    // Each statement is an HTTP round trip (with polling); a few tables at once keep the warehouse busy. The SQL
    // warehouse queues what exceeds its own concurrency, so 4 stays well inside the defaults (8 on Snowflake).
    protected override int ConcurrentTables => 4;

    protected override string SampleSource(TableMeta table, int rows) => table.Kind == TargetKinds.Table
        ? $"SELECT * FROM {Dialect.QuoteTable(table.Name)} TABLESAMPLE ({rows} ROWS)"
        : $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    protected override string AsText(string quotedColumn, ColumnMeta column) => $"left(CAST({quotedColumn} AS STRING), {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"to_json(slice(array_sort(collect_set({textExpression})), 1, {ExampleCount}))";

    protected override IEnumerable<string> ParseExamples(object value) => ParseJsonArray(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Any(t => column.DataType.Equals(t, StringComparison.OrdinalIgnoreCase) || column.DataType.StartsWith(t + "(", StringComparison.OrdinalIgnoreCase))
            ? $"left(CAST({aggregate.ToLowerInvariant()}({quotedColumn}) AS STRING), {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"SELECT * FROM (SELECT {index} AS i, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY {textExpression} ORDER BY n DESC, v LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) => $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1})";
}
