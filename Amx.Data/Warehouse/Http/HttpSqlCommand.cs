using System.Collections;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Amx.Data.Warehouse.Http;

/// <summary>One statement sent to the API with its parameters as the API's bindings (never spliced into the SQL).</summary>
public sealed class HttpSqlCommand(HttpSqlConnection connection) : DbCommand
{
    readonly HttpSqlParameterCollection _parameters = new();

    [AllowNull] public override string CommandText { get; set; } = "";
    public override int CommandTimeout { get; set; }
    public override CommandType CommandType { get; set; } = CommandType.Text;
    public override bool DesignTimeVisible { get; set; }
    public override UpdateRowSource UpdatedRowSource { get; set; }
    protected override DbConnection? DbConnection { get => connection; set => throw new NotSupportedException(); }
    protected override DbParameterCollection DbParameterCollection => _parameters;
    protected override DbTransaction? DbTransaction { get; set; }

    public override void Cancel() { }
    public override void Prepare() { }
    protected override DbParameter CreateDbParameter() => new HttpSqlParameter();

    IReadOnlyList<HttpSqlBinding> Bindings(IReadOnlyList<HttpSqlParameter> parameters) => parameters.Select(p => new HttpSqlBinding(
        p.ParameterName, p.Value is null or DBNull ? null : p.Value is bool b ? (b ? "true" : "false") : Convert.ToString(p.Value, CultureInfo.InvariantCulture),
        p.DbType switch
        {
            DbType.Int16 or DbType.Int32 or DbType.Int64 => HttpSqlValueKind.Integer,
            DbType.Boolean => HttpSqlValueKind.Boolean,
            DbType.Decimal => HttpSqlValueKind.Decimal,
            DbType.Double or DbType.Single => HttpSqlValueKind.Double,
            DbType.DateTime or DbType.DateTime2 or DbType.DateTimeOffset => HttpSqlValueKind.Timestamp,
            // The store binds without a DbType: a flag or a count keeps its type (engines that do not cast text into a column need it).
            _ => p.Value switch { bool => HttpSqlValueKind.Boolean, int or long or short => HttpSqlValueKind.Integer, _ => HttpSqlValueKind.Text },
        })).ToList();

    TimeSpan Timeout => CommandTimeout > 0 ? TimeSpan.FromSeconds(CommandTimeout) : connection.StatementTimeout;

    async Task<HttpSqlResult> RunAsync(CancellationToken ct)
    {
        var (sql, parameters) = ParameterMarkers.Rewrite(CommandText, _parameters.Items, connection.Marker);
        return await connection.Client.ExecuteAsync(sql, Bindings(parameters), Timeout, ct);
    }

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken ct) =>
        new HttpSqlDataReader(await RunAsync(ct));

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
        ExecuteDbDataReaderAsync(behavior, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken ct)
    {
        var r = await RunAsync(ct);
        return r.RowsAffected > int.MaxValue ? int.MaxValue : (int)r.RowsAffected;
    }

    public override int ExecuteNonQuery() => ExecuteNonQueryAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<object?> ExecuteScalarAsync(CancellationToken ct)
    {
        await using var r = new HttpSqlDataReader(await RunAsync(ct));
        return await r.ReadAsync(ct) && r.FieldCount > 0 ? r.GetValue(0) : null;
    }

    public override object? ExecuteScalar() => ExecuteScalarAsync(CancellationToken.None).GetAwaiter().GetResult();
}

public sealed class HttpSqlParameter : DbParameter
{
    public override DbType DbType { get; set; } = DbType.String;
    public override ParameterDirection Direction { get; set; } = ParameterDirection.Input;
    public override bool IsNullable { get; set; } = true;
    [AllowNull] public override string ParameterName { get; set; } = "";
    public override int Size { get; set; }
    [AllowNull] public override string SourceColumn { get; set; } = "";
    public override bool SourceColumnNullMapping { get; set; }
    public override object? Value { get; set; }
    public override void ResetDbType() => DbType = DbType.String;
}

/// <summary>An ordered list of parameters: Snowflake binds by position, Databricks and BigQuery by name.</summary>
public sealed class HttpSqlParameterCollection : DbParameterCollection
{
    internal List<HttpSqlParameter> Items { get; } = [];

    public override int Count => Items.Count;
    public override object SyncRoot => Items;
    public override int Add(object value) { Items.Add((HttpSqlParameter)value); return Items.Count - 1; }
    public override void AddRange(Array values) { foreach (var v in values) Add(v!); }
    public override void Clear() => Items.Clear();
    public override bool Contains(object value) => Items.Contains((HttpSqlParameter)value);
    public override bool Contains(string value) => IndexOf(value) >= 0;
    public override void CopyTo(Array array, int index) => ((ICollection)Items).CopyTo(array, index);
    public override IEnumerator GetEnumerator() => Items.GetEnumerator();
    public override int IndexOf(object value) => Items.IndexOf((HttpSqlParameter)value);
    public override int IndexOf(string parameterName) => Items.FindIndex(p => p.ParameterName == parameterName);
    public override void Insert(int index, object value) => Items.Insert(index, (HttpSqlParameter)value);
    public override void Remove(object value) => Items.Remove((HttpSqlParameter)value);
    public override void RemoveAt(int index) => Items.RemoveAt(index);
    public override void RemoveAt(string parameterName) => Items.RemoveAt(IndexOf(parameterName));
    protected override DbParameter GetParameter(int index) => Items[index];
    protected override DbParameter GetParameter(string parameterName) => Items[IndexOf(parameterName)];
    protected override void SetParameter(int index, DbParameter value) => Items[index] = (HttpSqlParameter)value;
    protected override void SetParameter(string parameterName, DbParameter value) => Items[IndexOf(parameterName)] = (HttpSqlParameter)value;
}
