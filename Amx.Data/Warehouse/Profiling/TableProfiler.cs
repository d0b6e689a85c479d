using System.Data.Common;
using System.Globalization;
using System.Text;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Profiling;

/// <summary>
/// Profiles tables for <c>--profiling-mode sampled|full</c>: one statement per table covering all its columns
/// (full mode adds the top values as a second result set of the same command, or a second command where the API runs
/// one statement per request). Each backend supplies the SQL pieces.
/// </summary>
public abstract class TableProfiler(WarehouseDialect dialect)
{
    protected const int ExampleCount = 5;
    protected const int TextWidth = 100;

    protected WarehouseDialect Dialect { get; } = dialect;

    // --- the dialect's pieces ---------------------------------------------------------------
    /// <summary>FROM source of a bounded sample (a subquery, aliased by the caller).</summary>
    protected abstract string SampleSource(TableMeta table, int rows);
    /// <summary>The column as text, cut to <see cref="TextWidth"/> characters.</summary>
    protected abstract string AsText(string quotedColumn, ColumnMeta column);
    /// <summary>An aggregate giving up to a few distinct example values (parsed by <see cref="ParseExamples"/>).</summary>
    protected abstract string ExamplesAggregate(string textExpression);
    protected abstract IEnumerable<string> ParseExamples(object value);
    /// <summary>MIN/MAX as text, or null when the type has no meaningful order.</summary>
    protected abstract string? MinMaxAsText(string aggregate, string quotedColumn, ColumnMeta column);
    /// <summary>A derived table with the 5 most frequent values of one column: columns (i, v, n).</summary>
    protected abstract string TopValuesQuery(int index, string textExpression, string quotedColumn, string source);
    /// <summary>Number of rows, counting at most limit + 1 (so a huge view is not counted in full).</summary>
    protected abstract string BoundedCount(string tableRef, long limit);
    /// <summary>
    /// False where a command runs one statement only (the cloud SQL HTTP APIs): full mode's top values are then a
    /// second command per table (still one for all its columns) instead of a second result set.
    /// </summary>
    protected virtual bool SupportsMultipleStatements => true;
    /// <summary>Session settings a profiling query needs (e.g. group_concat_max_len); run once.</summary>
    protected virtual Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Tables profiled at once on the one connection: 1 for driver connections (one statement at a time); more where
    /// each statement is its own HTTP request and the round trip, not the work, dominates (the cloud SQL APIs).
    /// </summary>
    protected virtual int ConcurrentTables => 1;

    public async Task ProfileAsync(DbConnection connection, Catalog catalog, MetadataOptions options, CancellationToken ct)
    {
        if (options.Profiling == ProfilingMode.Metadata) return;
        await PrepareAsync(connection, ct);
        // Context tables of a sliced read (bases of views, profiled with their own slice) hold no target.
        var tables = catalog.Tables.Where(t => !t.IsAmxOwned && t.Columns.Count > 0 && (t.IsTarget || t.Columns.Any(c => c.IsTarget))).ToList();
        if (ConcurrentTables <= 1)
        {
            foreach (var table in tables)
            {
                ct.ThrowIfCancellationRequested();
                await ProfileOrNoteAsync(connection, table, options, ct);
            }
        }
        else
            await Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentTables, CancellationToken = ct },
                async (table, token) => await ProfileOrNoteAsync(connection, table, options, token));
    }

    async Task ProfileOrNoteAsync(DbConnection connection, TableMeta table, MetadataOptions options, CancellationToken ct)
    {
        try
        {
            await ProfileTableAsync(connection, table, options, ct);
        }
        catch (DbException e)
        {
            foreach (var c in table.Columns) c.Profile = new ColumnProfile { Note = $"profiling failed: {FirstLine(e.Message)}" };
        }
    }

    async Task ProfileTableAsync(DbConnection connection, TableMeta table, MetadataOptions o, CancellationToken ct)
    {
        var tableRef = Dialect.QuoteTable(table.Name);
        string source;
        if (o.Profiling == ProfilingMode.Full)
        {
            var rows = table.Kind == TargetKinds.Table && table.RowEstimate is { } est && est < o.FullProfileRowLimit / 2
                ? est
                : await ScalarLongAsync(connection, BoundedCount(tableRef, o.FullProfileRowLimit), ct);
            if (rows > o.FullProfileRowLimit)
            {
                foreach (var c in table.Columns)
                    c.Profile = new ColumnProfile
                    {
                        Note = $"full profiling skipped: more than {o.FullProfileRowLimit:N0} rows (use --profiling-mode sampled, or raise the row limit)",
                    };
                return;
            }
            source = tableRef;
        }
        else source = SampleSource(table, o.SampleRows);

        var withValues = !o.NoSamples;
        var select = new StringBuilder("SELECT COUNT(*)");
        var top = new List<string>();
        var layout = new List<(ColumnMeta Column, bool MinMax, bool Examples)>();
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var c = table.Columns[i];
            var q = "s." + Dialect.QuoteIdentifier(c.Name);
            var text = AsText(q, c);
            select.Append(CultureInfo.InvariantCulture, $", COUNT({q}), COUNT(DISTINCT {text})");
            var minMax = withValues && o.Profiling == ProfilingMode.Full ? (Min: MinMaxAsText("MIN", q, c), Max: MinMaxAsText("MAX", q, c)) : (null, null);
            if (minMax.Min is not null) select.Append(", ").Append(minMax.Min).Append(", ").Append(minMax.Max);
            var examples = withValues;
            if (examples) select.Append(", ").Append(ExamplesAggregate(text));
            if (withValues && o.Profiling == ProfilingMode.Full) top.Add(TopValuesQuery(i, text, q, source));
            layout.Add((c, minMax.Min is not null, examples));
        }
        select.Append(" FROM ").Append(o.Profiling == ProfilingMode.Full ? source : $"({source})").Append(" s");

        await using var cmd = connection.CreateCommand();
        var topSql = string.Join("\nUNION ALL\n", top);
        var topApart = top.Count > 0 && !SupportsMultipleStatements;
        cmd.CommandText = top.Count == 0 || topApart ? select.ToString() : select + ";\n" + topSql;
        cmd.CommandTimeout = 600;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return;
        var total = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        var ord = 1;
        foreach (var (c, hasMinMax, hasExamples) in layout)
        {
            var p = new ColumnProfile { RowsSeen = total };
            var nonNull = Convert.ToInt64(reader.GetValue(ord++), CultureInfo.InvariantCulture);
            var distinct = Convert.ToInt64(reader.GetValue(ord++), CultureInfo.InvariantCulture);
            p.NullRatio = total == 0 ? null : (double)(total - nonNull) / total;
            p.DistinctEstimate = o.Profiling == ProfilingMode.Sampled && distinct == nonNull && nonNull > 0 && table.RowEstimate > total
                ? (long)Math.Round(table.RowEstimate.Value * (double)nonNull / total) // looks unique: scale to the table
                : distinct;
            if (hasMinMax)
            {
                p.Min = Clean(reader.IsDBNull(ord) ? null : Convert.ToString(reader.GetValue(ord), CultureInfo.InvariantCulture), o); ord++;
                p.Max = Clean(reader.IsDBNull(ord) ? null : Convert.ToString(reader.GetValue(ord), CultureInfo.InvariantCulture), o); ord++;
            }
            if (hasExamples)
            {
                if (!reader.IsDBNull(ord))
                    p.Examples.AddRange(ParseExamples(reader.GetValue(ord)).Take(ExampleCount).Select(v => Clean(v, o)!));
                ord++;
            }
            if (o.Profiling == ProfilingMode.Sampled) p.Note = $"sample of {total:N0} rows";
            c.Profile = p;
        }
        if (topApart)
        {
            await using var topCmd = connection.CreateCommand();
            topCmd.CommandText = topSql;
            topCmd.CommandTimeout = 600;
            await using var topReader = await topCmd.ExecuteReaderAsync(ct);
            await ReadTopValuesAsync(topReader, table, o, ct);
        }
        else if (top.Count > 0 && await reader.NextResultAsync(ct))
            await ReadTopValuesAsync(reader, table, o, ct);
    }

    static async Task ReadTopValuesAsync(DbDataReader reader, TableMeta table, MetadataOptions o, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            var i = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            var v = reader.IsDBNull(1) ? "" : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)!;
            table.Columns[i].Profile?.TopValues.Add((Clean(v, o)!, Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)));
        }
    }

    static string? Clean(string? value, MetadataOptions o) => value is null ? null : o.MaskSamples ? SampleMasker.Mask(value) : value;

    static async Task<long> ScalarLongAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 600;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>A JSON array of strings as text (the cloud APIs' TO_JSON of an array aggregate).</summary>
    protected static IEnumerable<string> ParseJsonArray(object value)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "[]");
        return doc.RootElement.EnumerateArray()
            .Select(e => e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
    }

    /// <summary>Decodes a comma-separated list of hex-encoded UTF-8 values (MySQL/SQLite GROUP_CONCAT(DISTINCT HEX(…))).</summary>
    protected static IEnumerable<string> ParseHexList(object value)
    {
        var text = value as string ?? (value is byte[] b ? Encoding.UTF8.GetString(b) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (item.Length % 2 != 0) continue; // cut off by a length limit
            byte[] bytes;
            try { bytes = Convert.FromHexString(item); } catch (FormatException) { continue; }
            yield return Encoding.UTF8.GetString(bytes);
        }
    }
}
