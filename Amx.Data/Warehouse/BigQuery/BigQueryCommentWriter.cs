using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.BigQuery;

/// <summary>
/// Descriptions through DDL: <c>ALTER TABLE|VIEW|MATERIALIZED VIEW x SET OPTIONS (description = '…')</c> and
/// <c>ALTER TABLE|VIEW x ALTER COLUMN c SET OPTIONS (description = '…')</c>; <c>description = NULL</c> removes. The
/// DDL reference documents OPTIONS values as literals/constant expressions and does not document query parameters
/// there, so the text is a literal escaped by <see cref="BigQueryDialect.Literal"/> (the read-back verifies it).
/// A column's statement depends on whether its relation is a view, looked up in INFORMATION_SCHEMA.TABLES. Live
/// descriptions: TABLE_OPTIONS (a literal, parsed) and COLUMN_FIELD_PATHS, one statement per dataset and kind.
/// </summary>
public sealed class BigQueryCommentWriter : CommentWriterBase
{
    const int MaxParameters = 250;

    public override WarehouseDialect Dialect => BigQueryDialect.Instance;

    public static string RenderStatement(string? project, QualifiedName target, string kind, string? text, string? relationKind = null)
    {
        var d = BigQueryDialect.Instance;
        var table = d.QuoteTable(project, target);
        var value = text is null ? "NULL" : BigQueryDialect.Literal(text);
        if (kind == TargetKinds.Column)
            return $"ALTER {(relationKind is TargetKinds.View ? "VIEW" : "TABLE")} {table} ALTER COLUMN {d.QuoteIdentifier(target.Column!)} SET OPTIONS (description = {value})";
        var obj = kind switch
        {
            TargetKinds.View => "VIEW",
            TargetKinds.MaterializedView => "MATERIALIZED VIEW",
            _ => "TABLE",
        };
        return $"ALTER {obj} {table} SET OPTIONS (description = {value})";
    }

    static string? ProjectOf(DbConnection? connection) => (connection as HttpSqlConnection)?.Settings.Database;

    public override async Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var wanted = Validate(new CommentTarget(target, kind), text);
        string? relation = null;
        if (kind == TargetKinds.Column && connection is not null)
            relation = (await RelationKindsAsync(connection, target.Schema, [target.Table], ct)).GetValueOrDefault(target.Table);
        return [RenderStatement(ProjectOf(connection), target, kind, wanted, relation)];
    }

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        string? relation = null;
        if (kind == TargetKinds.Column)
            relation = (await RelationKindsAsync(connection, target.Schema, [target.Table], ct)).GetValueOrDefault(target.Table);
        await RunAsync(connection, RenderStatement(ProjectOf(connection), target, kind, text, relation), ct);
    }

    static async Task RunAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One lookup of the relation kinds per dataset, then one statement per target (each commits alone).</summary>
    protected override async Task ExecuteManyAsync(DbConnection connection, IReadOnlyList<CommentWrite> writes,
        IDictionary<CommentTarget, CommentWriteException> failures, CancellationToken ct)
    {
        var kinds = new Dictionary<(string, string), string>();
        foreach (var bySchema in writes.Where(w => w.Target.Kind == TargetKinds.Column).GroupBy(w => w.Target.Name.Schema))
        {
            try
            {
                foreach (var (table, kind) in await RelationKindsAsync(connection, bySchema.Key, bySchema.Select(w => w.Target.Name.Table).Distinct().ToArray(), ct))
                    kinds[(bySchema.Key, table)] = kind;
            }
            catch (DbException e)
            {
                foreach (var w in bySchema) failures[w.Target] = Failure(e, w.Target);
            }
        }
        var project = ProjectOf(connection);
        foreach (var w in writes)
        {
            if (failures.ContainsKey(w.Target)) continue;
            var relation = kinds.GetValueOrDefault((w.Target.Name.Schema, w.Target.Name.Table));
            try { await RunAsync(connection, RenderStatement(project, w.Target.Name, w.Target.Kind, w.Text, relation), ct); }
            catch (DbException e) { failures[w.Target] = Failure(e, w.Target); }
        }
    }

    static async Task<Dictionary<string, string>> RelationKindsAsync(DbConnection connection, string dataset, IReadOnlyList<string> tables, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in tables.Chunk(MaxParameters))
            await foreach (var row in QueryAsync(connection, "SELECT table_name, table_type FROM {Q}.INFORMATION_SCHEMA.TABLES WHERE table_name IN", dataset, chunk, ct))
                result[row[0]!] = BigQueryMetadataReader.KindOf(row[1] ?? "");
        return result;
    }

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var result = new Dictionary<CommentTarget, string?>();
        foreach (var bySchema in targets.Distinct().GroupBy(t => t.Name.Schema))
        {
            try { await ReadDatasetAsync(connection, bySchema, result, ct); }
            // A dataset that is gone: its INFORMATION_SCHEMA is "not found", and its targets are missing (no entry),
            // as a dropped schema's are on the other backends.
            catch (HttpSqlException e) when (e.VendorCode == "notFound" && e.Message.Contains("Not found: Dataset", StringComparison.Ordinal)) { }
        }
        return result;
    }

    static async Task ReadDatasetAsync(DbConnection connection, IGrouping<string, CommentTarget> bySchema, Dictionary<CommentTarget, string?> result, CancellationToken ct)
    {
        var relations = bySchema.Where(t => t.Kind != TargetKinds.Column).ToDictionary(t => t.Name.Table);
        foreach (var chunk in relations.Keys.Chunk(MaxParameters))
            await foreach (var row in QueryAsync(connection, RelationsLiveSql, bySchema.Key, chunk, ct))
                if (relations.TryGetValue(row[0]!, out var t)) result[t] = BigQueryMetadataReader.Description(row[1]);
        var columns = bySchema.Where(t => t.Kind == TargetKinds.Column).ToDictionary(t => (t.Name.Table, t.Name.Column!));
        foreach (var chunk in columns.Keys.Select(k => k.Table).Distinct().Chunk(MaxParameters))
            await foreach (var row in QueryAsync(connection, "SELECT table_name, column_name, description FROM {Q}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS WHERE field_path = column_name AND table_name IN", bySchema.Key, chunk, ct))
                if (columns.TryGetValue((row[0]!, row[1]!), out var t)) result[t] = row[2] is { Length: > 0 } d ? d : null;
    }

    // TABLES drives the read so that a relation without a description is there (NULL), not taken for a dropped one.
    const string RelationsLiveSql = """
        SELECT t.table_name, o.option_value FROM {Q}.INFORMATION_SCHEMA.TABLES t
        LEFT JOIN {Q}.INFORMATION_SCHEMA.TABLE_OPTIONS o ON o.table_schema = t.table_schema AND o.table_name = t.table_name AND o.option_name = 'description'
        WHERE t.table_name IN
        """;

    /// <summary><paramref name="select"/> ends with <c>… IN</c>; the list of bound table names is appended.</summary>
    static async IAsyncEnumerable<string?[]> QueryAsync(DbConnection connection, string select, string dataset, string[] tables,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        var q = BigQueryMetadataReader.Qualifier(BigQueryMetadataReader.SettingsOf(connection), dataset);
        cmd.CommandText = select.Replace("{Q}", q, StringComparison.Ordinal) +
            $" ({string.Join(", ", tables.Select((_, i) => "@t" + i.ToString(CultureInfo.InvariantCulture)))})";
        for (var i = 0; i < tables.Length; i++) CatalogBuilder.AddText(cmd, "t" + i.ToString(CultureInfo.InvariantCulture), tables[i]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var row = new string?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetString(i);
            yield return row;
        }
    }

    /// <summary>By the reason in Google's error body: notFound, accessDenied, invalidQuery/invalid.</summary>
    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target) => (error as HttpSqlException)?.VendorCode switch
    {
        "notFound" => ($"{target}: does not exist or the account cannot see it ({error.Message})", "check the name, the profile's project and location (amx db inspect)"),
        "accessDenied" => ($"{target}: the account may not change its description ({error.Message})",
            "grant bigquery.tables.update on the dataset (e.g. roles/bigquery.dataEditor) to the service account"),
        _ => ($"{target}: {error.Message}", null),
    };
}
