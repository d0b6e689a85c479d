using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Amx.Data.Warehouse.BigQuery;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store on BigQuery (a dataset) through the REST API's jobs.query: <c>@name</c> parameters as amx writes them.
/// BigQuery runs mutating DML on a table one at a time and fails one of two that conflict ("could not serialize
/// access … due to concurrent update"), which amx retries, so run ids, migration rows and claims stay single.
/// </summary>
public sealed class BigQueryHistoryProvider() : SqlApiHistoryProvider(Backend.BigQuery, new BigQueryScript(), Product, "TIMESTAMP", "STRING")
{
    public const string Product = "amx-bigquery-ddl";

    public override DbConnection CreateConnection(string connectionString) => new BigQueryConnection(connectionString) { AutoCommitTransactions = true };

    /// <summary>Schemata and cross-dataset tables live in a region's views: the profile's location, or BigQuery's default (US).</summary>
    protected override string InformationSchema(HttpSqlConnection conn, string view) =>
        $"{Project(conn)}.`region-{conn.Settings.Location?.ToLowerInvariant() ?? "us"}`.INFORMATION_SCHEMA.{view}";

    /// <summary>A dataset's own tables view.</summary>
    protected override string TablesView(HttpSqlConnection conn, string schema) => $"{Project(conn)}.`{schema.Replace("`", "")}`.INFORMATION_SCHEMA.TABLES";

    static string Project(HttpSqlConnection conn) => $"`{conn.Settings.Database?.Replace("`", "")}`";

    protected override bool IsConcurrentWriteConflict(Exception e) =>
        Find<HttpSqlException>(e) is { } x && x.Message.Contains("concurrent update", StringComparison.OrdinalIgnoreCase);

    public override bool IsPermissionDenied(Exception e) => Find<HttpSqlException>(e)?.VendorCode == "accessDenied";

    /// <summary>BigQuery's DCL: the data editor role on the dataset for a principal such as <c>user:alice@example.com</c>.</summary>
    public override string GrantStatement(string schema, string principal) =>
        $"GRANT `roles/bigquery.dataEditor` ON SCHEMA {Script.SchemaName(schema)} TO \"{principal.Replace("\"", "\\\"")}\";";
}
