using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Databricks;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store on Databricks (Delta tables in Unity Catalog) through the SQL Statement Execution API: <c>:name</c>
/// parameters. Delta commits optimistically: of two MERGEs that race on a table one commits and the other fails with
/// a concurrent-write error, which amx retries, so run ids, migration rows and claims stay single.
/// </summary>
public sealed class DatabricksHistoryProvider() : SqlApiHistoryProvider(Backend.Databricks, new DatabricksScript(), Product, "TIMESTAMP", "STRING")
{
    public const string Product = "amx-databricks-ddl";

    public override DbConnection CreateConnection(string connectionString) => new DatabricksConnection(connectionString) { AutoCommitTransactions = true };

    /// <summary>Delta's refusal of a commit that lost a race (DELTA_CONCURRENT_APPEND and its kin, ConcurrentAppendException).</summary>
    protected override bool IsConcurrentWriteConflict(Exception e) =>
        Find<HttpSqlException>(e) is { } x && (x.Message.Contains("DELTA_CONCURRENT", StringComparison.Ordinal) || x.Message.Contains("Concurrent", StringComparison.Ordinal));

    /// <summary>Unity Catalog's refusal: INSUFFICIENT_PERMISSIONS / PERMISSION_DENIED, SQLSTATE 42501.</summary>
    public override bool IsPermissionDenied(Exception e) => Find<HttpSqlException>(e) is { } x &&
        (x.SqlState == "42501" || x.VendorCode == "PERMISSION_DENIED" || x.Message.Contains("INSUFFICIENT_PERMISSIONS", StringComparison.Ordinal));

    /// <summary>Unity Catalog privileges for a user or group (<paramref name="principal"/>).</summary>
    public override string GrantStatement(string schema, string principal)
    {
        var to = "TO `" + principal.Replace("`", "``") + "`";
        return $"GRANT USE SCHEMA ON SCHEMA {Script.SchemaName(schema)} {to}; " +
               string.Concat(new[] { HistoryModel.RunsTable, HistoryModel.ResultsTable, HistoryModel.LocksTable }
                   .Select(t => $"GRANT SELECT, MODIFY ON TABLE {QualifiedTable(schema, t)} {to}; ")) +
               $"GRANT SELECT ON TABLE {QualifiedTable(schema, HistoryModel.MigrationsTable)} {to};";
    }
}
