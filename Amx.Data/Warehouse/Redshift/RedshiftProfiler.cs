using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// Redshift profiling SQL, kept to what Redshift and PostgreSQL both run (so it is tested on a real server): no
/// TABLESAMPLE (Redshift has none: a sample is the first rows LIMIT returns), no array_agg/FILTER, and no LISTAGG,
/// which fails once the distinct values pass 64 KB. Examples are therefore the smallest and largest value as text.
/// </summary>
public sealed class RedshiftProfiler() : TableProfiler(RedshiftDialect.Instance)
{
    // Separates the two examples; a control character no description sample needs.
    const char Separator = '\u001f';

    // Types whose MIN/MAX mean something (numbers, dates and times, text).
    static readonly string[] Orderable =
        ["smallint", "integer", "bigint", "numeric", "real", "double precision", "date", "time", "timestamp", "character"];

    protected override string SampleSource(TableMeta table, int rows) => $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    // VARCHAR(65535) is Redshift's widest text type (VARCHAR alone is 256 bytes there).
    protected override string AsText(string quotedColumn, ColumnMeta column) => $"LEFT(CAST({quotedColumn} AS VARCHAR(65535)), {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"MIN({textExpression}) || CHR({(int)Separator}) || MAX({textExpression})";

    protected override IEnumerable<string> ParseExamples(object value) =>
        ((string)value).Split(Separator).Distinct(StringComparer.Ordinal);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Any(t => column.DataType.StartsWith(t, StringComparison.Ordinal))
            ? $"LEFT(CAST({aggregate}({quotedColumn}) AS VARCHAR(65535)), {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"(SELECT {index}, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT {ExampleCount})";

    protected override string BoundedCount(string tableRef, long limit) =>
        $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1}) x";
}
