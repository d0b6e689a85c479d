using Amx.Data.History.Storage;
using Npgsql;

namespace Amx.Data.History.Providers;

/// <summary>
/// The store's catalog checks on the PostgreSQL protocol, shared by PostgreSQL and Redshift (whose pg_namespace and
/// pg_class are PostgreSQL's): readable by every role, unlike information_schema, which hides tables one has no right on.
/// </summary>
static class PgCatalog
{
    public static async Task<bool> SchemaExistsAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = $1", conn) { Parameters = { new() { Value = schema } } };
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public static async Task<IReadOnlyList<string>> HistoryTablesAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = $1 AND c.relkind IN ('r','p') AND c.relname LIKE 'amx\\_history\\_%' ORDER BY 1", conn)
        { Parameters = { new() { Value = schema } } };
        return await HistoryProvider.ReadStrings(cmd, ct);
    }

    public static async Task<IReadOnlyList<string>> SchemasHoldingHistoryTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            $"WHERE c.relname IN ('{HistoryModel.RunsTable}','{HistoryModel.ResultsTable}') ORDER BY 1", conn);
        return await HistoryProvider.ReadStrings(cmd, ct);
    }

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
