namespace Amx.Data.Warehouse.Http;

/// <summary>How a column's JSON text is turned into a CLR value by <see cref="HttpSqlDataReader"/>.</summary>
public enum HttpSqlValueKind { Text, Integer, Decimal, Double, Boolean }

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
}

/// <summary>A parameter as the APIs bind it: a name (or position) and a text value (null: SQL NULL).</summary>
public sealed record HttpSqlBinding(string Name, string? Value, HttpSqlValueKind Kind);

/// <summary>The client of one vendor API: runs one statement with its bindings.</summary>
public interface IHttpSqlClient : IDisposable
{
    Task<HttpSqlResult> ExecuteAsync(string sql, IReadOnlyList<HttpSqlBinding> bindings, TimeSpan timeout, CancellationToken ct);
}
