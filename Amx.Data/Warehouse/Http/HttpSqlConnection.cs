using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Amx.Data.Warehouse.Http;

/// <summary>
/// A thin ADO.NET connection over a SQL-over-HTTP API, so the warehouse contracts (which take a
/// <see cref="DbConnection"/>) work unchanged. There is no session: every command is one stateless API call that
/// names the database/warehouse itself. Transactions are not offered to the warehouse writers (they commit each
/// statement); a history store on the API opts into <see cref="AutoCommitTransactions"/>.
/// </summary>
public abstract class HttpSqlConnection(string connectionString) : DbConnection
{
    ConnectionState _state = ConnectionState.Closed;
    IHttpSqlClient? _client;

    [AllowNull]
    public override string ConnectionString { get; set; } = connectionString;
    public override string Database => Settings.Database ?? "";
    public override string DataSource => Settings.BaseUrl.GetLeftPart(UriPartial.Authority);
    public override string ServerVersion => "";
    public override ConnectionState State => _state;
    public override int ConnectionTimeout => 30;

    /// <summary>The profile's fields as the connection string carries them.</summary>
    public CloudSettings Settings => field ??= CloudSettings.Parse(ConnectionString);

    /// <summary>Seconds a statement may run (polling included) before amx cancels it.</summary>
    public TimeSpan StatementTimeout => TimeSpan.FromSeconds(Settings.StatementTimeoutSeconds);

    /// <summary>
    /// Whether BeginTransaction hands out an <see cref="HttpSqlAutoCommitTransaction"/>: the history store's code is shared
    /// with engines that have transactions; here every statement commits as it runs (docs/cloud-warehouses.md says what
    /// that cannot guarantee).
    /// </summary>
    public bool AutoCommitTransactions { get; init; }

    /// <summary>How the API marks parameters; amx's <c>@name</c> parameters are rewritten into it (<see cref="ParameterMarkers"/>).</summary>
    public abstract ParameterMarker Marker { get; }

    internal IHttpSqlClient Client => _client ?? throw new InvalidOperationException("the connection is not open");

    protected abstract IHttpSqlClient CreateClient(CloudSettings settings);

    /// <summary>A cheap statement run on open, so that bad credentials or a wrong host fail at connect time.</summary>
    protected virtual string ProbeSql => "SELECT 1";

    public override void Open() => OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_state == ConnectionState.Open) return;
        CloudSettings settings;
        // A hand-edited config can hold a bad base_url: one clear error, not a crash.
        try { settings = Settings; }
        catch (ArgumentException e) { throw new HttpSqlException($"the profile's connection settings are invalid: {e.Message}", "settings", null, null, e); }
        _client = CreateClient(settings);
        try
        {
            await _client.ExecuteAsync(ProbeSql, [], StatementTimeout, cancellationToken);
        }
        catch
        {
            _client.Dispose();
            _client = null;
            throw;
        }
        _state = ConnectionState.Open;
    }

    public override void Close()
    {
        _client?.Dispose();
        _client = null;
        _state = ConnectionState.Closed;
    }

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException("set the database in the db profile");

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => AutoCommitTransactions
        ? new HttpSqlAutoCommitTransaction(this, isolationLevel)
        : throw new NotSupportedException("amx runs each statement on its own over the SQL HTTP APIs (no transactions)");

    protected override DbCommand CreateDbCommand() => new HttpSqlCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A transaction in name only: the SQL APIs run each request in its own session, so each statement has committed when
/// it returns. Commit has nothing left to do, and Rollback cannot undo: callers write last, after every read and
/// check (the store's code does), so an interruption leaves only statements that did happen.
/// </summary>
public sealed class HttpSqlAutoCommitTransaction(HttpSqlConnection connection, IsolationLevel level) : DbTransaction
{
    public override IsolationLevel IsolationLevel => level;
    protected override DbConnection DbConnection => connection;
    public override void Commit() { }
    public override void Rollback() { }
}
