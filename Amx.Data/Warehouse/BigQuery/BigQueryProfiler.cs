using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;
using Amx.Data.Warehouse.Profiling;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>
/// BigQuery (GoogleSQL) profiling SQL. BigQuery bills by bytes scanned and <c>LIMIT</c> does not reduce that, so a
/// sampled table is read with <c>TABLESAMPLE SYSTEM (p PERCENT)</c>, which reads (and bills) only the chosen share
/// of the table's storage blocks, then <c>LIMIT n</c> cuts the rows: p is twice n / total_rows (blocks differ in
/// size), at least <see cref="MinPercent"/>, at most 100; without a row count (a table TABLE_STORAGE does not list)
/// it is <see cref="UnknownSizePercent"/>. A table under about 1 GB is one block and is read whole (cheap at that
/// size). Views cannot be block-sampled: they get <c>LIMIT n</c> and are billed for what the view reads. Full mode
/// scans every profiled column; the profile option <c>maximum_bytes_billed</c> bounds each job (BigQueryClient).
/// Values as text: <c>SUBSTR(CAST(x AS STRING), 1, 100)</c>, or <c>TO_JSON_STRING</c> for types CAST cannot turn
/// into text (ARRAY, STRUCT, JSON, GEOGRAPHY, BYTES, RANGE); examples as
/// <c>TO_JSON_STRING(ARRAY_AGG(DISTINCT … IGNORE NULLS ORDER BY … LIMIT 5))</c>. jobs.query returns the result of
/// one statement, so full mode's top values are a second statement per table.
/// </summary>
public sealed class BigQueryProfiler() : TableProfiler(BigQueryDialect.Instance)
{
    /// <summary>Smallest sampling percentage sent: 1 block in 100,000 (~100 TB of 1 GB blocks).</summary>
    public const double MinPercent = 0.001;
    /// <summary>Sampling percentage of a table whose row count is unknown.</summary>
    public const double UnknownSizePercent = 1;

    // INFORMATION_SCHEMA.COLUMNS.data_type names (before any "(" or "<") whose MIN/MAX mean something.
    static readonly HashSet<string> Orderable = new(StringComparer.OrdinalIgnoreCase)
        { "INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64", "STRING", "BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP" };
    // Types CAST(… AS STRING) accepts for every value (BYTES only for valid UTF-8, so it is not here).
    static readonly HashSet<string> Castable = new(StringComparer.OrdinalIgnoreCase)
        { "INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64", "STRING", "BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP", "INTERVAL" };

    protected override bool SupportsMultipleStatements => false;
    // Each statement is a job (an HTTP round trip with polling); a few tables at once, well inside BigQuery's
    // concurrent interactive query quota.
    protected override int ConcurrentTables => 4;

    /// <summary>The base type of a column's data_type: <c>STRING(20)</c> → STRING, <c>ARRAY&lt;INT64&gt;</c> → ARRAY.</summary>
    internal static string BaseType(string dataType)
    {
        var end = dataType.IndexOfAny(['(', '<', ' ']);
        return (end < 0 ? dataType : dataType[..end]).Trim();
    }

    /// <summary>The sampling percentage for about <paramref name="rows"/> rows of a table of <paramref name="total"/> rows.</summary>
    public static double SamplePercent(int rows, long? total)
    {
        if (total is not { } t) return UnknownSizePercent;
        if (t <= 0) return 100;
        var p = 200.0 * rows / t;
        if (p >= 100) return 100;
        return Math.Max(MinPercent, Math.Ceiling(p * 1000) / 1000); // rounded up to 3 decimals, never below the floor
    }

    protected override string SampleSource(TableMeta table, int rows) => table.Kind == TargetKinds.Table
        // The outer query names only the profiled columns, so BigQuery reads (and bills) those columns only.
        ? $"SELECT * FROM {Dialect.QuoteTable(table.Name)} TABLESAMPLE SYSTEM ({SamplePercent(rows, table.RowEstimate).ToString("0.###", CultureInfo.InvariantCulture)} PERCENT) LIMIT {rows}"
        : $"SELECT * FROM {Dialect.QuoteTable(table.Name)} LIMIT {rows}";

    protected override string AsText(string quotedColumn, ColumnMeta column) => Castable.Contains(BaseType(column.DataType))
        ? $"SUBSTR(CAST({quotedColumn} AS STRING), 1, {TextWidth})"
        : $"SUBSTR(TO_JSON_STRING({quotedColumn}), 1, {TextWidth})";

    protected override string ExamplesAggregate(string textExpression) =>
        $"TO_JSON_STRING(ARRAY_AGG(DISTINCT {textExpression} IGNORE NULLS ORDER BY {textExpression} LIMIT {ExampleCount}))";

    protected override IEnumerable<string> ParseExamples(object value) => ParseJsonArray(value);

    protected override string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column) =>
        Orderable.Contains(BaseType(column.DataType))
            ? $"SUBSTR(CAST({aggregate}({quotedColumn}) AS STRING), 1, {TextWidth})"
            : null;

    protected override string TopValuesQuery(int index, string textExpression, string quotedColumn, string source) =>
        $"SELECT * FROM (SELECT {index} AS i, {textExpression} AS v, COUNT(*) AS n FROM {source} s WHERE {quotedColumn} IS NOT NULL GROUP BY {textExpression} ORDER BY n DESC, v LIMIT {ExampleCount})";

    // SELECT 1 reads no column: BigQuery bills (almost) nothing for it.
    protected override string BoundedCount(string tableRef, long limit) => $"SELECT COUNT(*) FROM (SELECT 1 FROM {tableRef} LIMIT {limit + 1})";
}
