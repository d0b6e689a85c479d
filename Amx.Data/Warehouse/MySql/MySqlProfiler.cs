using System.Data.Common;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.MySql;

/// <summary>MySQL/MariaDB profiling SQL: LIMIT samples; examples as GROUP_CONCAT(DISTINCT HEX(…)) so any byte survives.</summary>
public sealed class MySqlProfiler(MySqlDialect dialect) : TableProfiler(dialect)
{
    static readonly string[] Orderable =
        ["tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "date", "time", "year", "char", "varchar", "enum"];

    protected override async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SET SESSION group_concat_max_len = 1048576";
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected override string SampleSource(TableMeta table, int rows) => $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    protected override string AsText(string quotedColumn, ColumnMeta column) =>
        column.DataType.Contains("blob", StringComparison.OrdinalIgnoreCase) || column.DataType.Contains("binary", StringComparison.OrdinalIgnoreCase)
            || column.DataType.StartsWith("geometry", StringComparison.OrdinalIgnoreCase) || column.DataType.StartsWith("point", StringComparison.OrdinalIgnoreCase)
            ? $"HEX(LEFT({quotedColumn}, {TextWidth / 2}))"
            : $"LEFT(CAST({quotedColumn} AS CHAR), {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"SUBSTRING_INDEX(GROUP_CONCAT(DISTINCT HEX({textExpression}) SEPARATOR ','), ',', {ExampleCount})";

    protected override IEnumerable<string> ParseExamples(object value) => ParseHexList(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Any(t => column.DataType.StartsWith(t, StringComparison.OrdinalIgnoreCase))
            ? $"LEFT(CAST({aggregate}({quotedColumn}) AS CHAR), {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"(SELECT {index} AS i, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) =>
        $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1}) x";
}
