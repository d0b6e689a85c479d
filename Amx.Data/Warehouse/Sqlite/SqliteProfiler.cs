using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.Sqlite;

/// <summary>SQLite profiling SQL: LIMIT samples; examples as group_concat(DISTINCT hex(…)).</summary>
public sealed class SqliteProfiler() : TableProfiler(SqliteDialect.Instance)
{
    protected override string SampleSource(TableMeta table, int rows) => $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    protected override string AsText(string quotedColumn, ColumnMeta column) => $"substr(CAST({quotedColumn} AS TEXT), 1, {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) => $"group_concat(DISTINCT hex({textExpression}))";

    protected override IEnumerable<string> ParseExamples(object value) => ParseHexList(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        column.DataType.Contains("BLOB", StringComparison.OrdinalIgnoreCase) ? null : $"substr(CAST({aggregate}({quotedColumn}) AS TEXT), 1, {TextWidth})";

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"SELECT * FROM (SELECT {index} AS i, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) => $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1})";
}
