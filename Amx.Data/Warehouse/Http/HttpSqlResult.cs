namespace Amx.Data.Warehouse.Http;

/// <summary>How a column's JSON text is turned into a CLR value by <see cref="HttpSqlDataReader"/>.</summary>
/// <remarks><see cref="EpochTimestamp"/> is read (Snowflake's epoch text); <see cref="Timestamp"/> is bound (ISO 8601 text typed as a timestamp).</remarks>
public enum HttpSqlValueKind { Text, Integer, Decimal, Double, Boolean, EpochTimestamp, Timestamp }

public sealed record HttpSqlColumn(string Name, string TypeName, HttpSqlValueKind Kind);

/// <summary>
/// One statement's result as the APIs return it: the columns, then rows page by page (a Snowflake partition, a
/// Databricks chunk, a BigQuery page). Values stay the JSON text the API sent (all three send cells as strings)
/// until the reader asks for them. <see cref="NextPageAsync"/> returns null after the last page.
/// </summary>
public sealed class HttpSqlResult(IReadOnlyList<HttpSqlColumn> columns, IReadOnlyList<string?[]> firstPage,
    Func<CancellationToken, Task<IReadOnlyList<string?[]>?>>? nextPage, long rowsAffected = -1)
{
    public IReadOnlyList<HttpSqlColumn> Columns { get; } = columns;
    public IReadOnlyList<string?[]> FirstPage { get; } = firstPage;
    public long RowsAffected { get; } = rowsAffected;

    public Task<IReadOnlyList<string?[]>?> NextPageAsync(CancellationToken ct) =>
        nextPage is null ? Task.FromResult<IReadOnlyList<string?[]>?>(null) : nextPage(ct);

    public static HttpSqlResult Empty { get; } = new([], [], null);

    /// <summary>Rows sent as a JSON array of arrays (Snowflake jsonv2 <c>data</c>, Databricks <c>JSON_ARRAY</c>): each cell a
    /// string or null; other JSON values keep their raw text. Cells beyond <paramref name="width"/> are ignored.</summary>
    public static List<string?[]> JsonRows(System.Text.Json.JsonElement array, int width)
    {
        if (array.ValueKind != System.Text.Json.JsonValueKind.Array) return [];
        var rows = new List<string?[]>(array.GetArrayLength());
        foreach (var row in array.EnumerateArray())
        {
            var cells = new string?[width];
            var i = 0;
            foreach (var cell in row.EnumerateArray())
            {
                if (i >= width) break;
                cells[i++] = cell.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.Null => null,
                    System.Text.Json.JsonValueKind.String => cell.GetString(),
                    _ => cell.GetRawText(),
                };
            }
            rows.Add(cells);
        }
        return rows;
    }
}

/// <summary>A parameter as the APIs bind it: a name (or position) and a text value (null: SQL NULL).</summary>
public sealed record HttpSqlBinding(string Name, string? Value, HttpSqlValueKind Kind);

/// <summary>The client of one vendor API: runs one statement with its bindings.</summary>
public interface IHttpSqlClient : IDisposable
{
    Task<HttpSqlResult> ExecuteAsync(string sql, IReadOnlyList<HttpSqlBinding> bindings, TimeSpan timeout, CancellationToken ct);
}
