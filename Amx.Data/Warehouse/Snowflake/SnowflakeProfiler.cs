using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// Snowflake profiling SQL: tables sampled with <c>SAMPLE ROW (n ROWS)</c> (Bernoulli, fixed size), views with
/// <c>LIMIT</c>; examples as a JSON array (<c>TO_JSON(ARRAY_SLICE(ARRAY_SORT(ARRAY_AGG(DISTINCT …)), 0, 5))</c>).
/// The SQL API runs one statement per request, so full mode's top values are a second statement per table.
/// </summary>
public sealed class SnowflakeProfiler() : TableProfiler(SnowflakeDialect.Instance)
{
    // INFORMATION_SCHEMA.COLUMNS.DATA_TYPE values whose MIN/MAX mean something (not VARIANT, ARRAY, OBJECT, BINARY, GEO…).
    static readonly string[] Orderable = ["NUMBER", "FLOAT", "TEXT", "BOOLEAN", "DATE", "TIME", "TIMESTAMP"];

    protected override bool SupportsMultipleStatements => false;
    // Each statement is an HTTP round trip (with polling); a few tables at once keep the warehouse busy. The SQL
    // warehouse queues what exceeds its own concurrency, so 4 stays well inside the defaults (8 on Snowflake).
    protected override int ConcurrentTables => 4;

    protected override string SampleSource(TableMeta table, int rows) => table.Kind == TargetKinds.Table
        ? $"SELECT * FROM {Dialect.QuoteTable(table.Name)} SAMPLE ROW ({rows} ROWS)"
        : $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    protected override string AsText(string quotedColumn, ColumnMeta column) => $"LEFT(TO_VARCHAR({quotedColumn}), {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"TO_JSON(ARRAY_SLICE(ARRAY_SORT(ARRAY_AGG(DISTINCT {textExpression})), 0, {ExampleCount}))";

    protected override IEnumerable<string> ParseExamples(object value) => ParseJsonArray(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Any(t => column.DataType.StartsWith(t, StringComparison.OrdinalIgnoreCase))
            ? $"LEFT(TO_VARCHAR({aggregate}({quotedColumn})), {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"SELECT * FROM (SELECT {index} AS i, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY {textExpression} ORDER BY n DESC, v LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) => $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1})";
}
