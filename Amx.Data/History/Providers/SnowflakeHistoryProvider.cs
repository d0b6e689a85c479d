using System.Data.Common;
using System.Globalization;
using Amx.Data.Config;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Snowflake;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store on Snowflake through the SQL API v2: <c>@name</c> parameters bound by position; MERGE, UPDATE and DELETE on
/// a table run one at a time there, which is what keeps run ids, migration rows and claims single.
/// </summary>
public sealed class SnowflakeHistoryProvider() : SqlApiHistoryProvider(Backend.Snowflake, new SnowflakeScript(), Product, "TIMESTAMP_TZ", "VARCHAR")
{
    public const string Product = "amx-snowflake-ddl";

    public override DbConnection CreateConnection(string connectionString) => new SnowflakeConnection(connectionString) { AutoCommitTransactions = true };

    /// <summary>ISO 8601 text in UTC, which Snowflake casts to the TIMESTAMP_TZ columns (the API's timestamp bindings want epoch text).</summary>
    public override object? StoredTime(DateTime? t) =>
        t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : null;

    /// <summary>Snowflake's "SQL access control error" (003001, SQLSTATE 42501).</summary>
    public override bool IsPermissionDenied(Exception e) => Find<HttpSqlException>(e) is { } x && (x.VendorCode == "003001" || x.SqlState == "42501");

    /// <summary>Snowflake grants to roles: <paramref name="role"/> is the role the member's profile uses.</summary>
    public override string GrantStatement(string schema, string role)
    {
        var to = "TO ROLE \"" + role.Replace("\"", "\"\"") + "\"";
        return $"GRANT USAGE ON SCHEMA {Script.SchemaName(schema)} {to}; " +
               $"GRANT SELECT, INSERT, UPDATE ON TABLE {QualifiedTable(schema, HistoryModel.RunsTable)} {to}; " +
               $"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {QualifiedTable(schema, HistoryModel.ResultsTable)} {to}; " +
               $"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {QualifiedTable(schema, HistoryModel.LocksTable)} {to}; " +
               $"GRANT SELECT ON TABLE {QualifiedTable(schema, HistoryModel.MigrationsTable)} {to};";
    }
}
