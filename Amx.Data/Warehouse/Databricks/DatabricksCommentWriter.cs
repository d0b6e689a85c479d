using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Databricks;

/// <summary>
/// <c>COMMENT ON TABLE|COLUMN … IS '…'</c> on Unity Catalog (views and materialized views are commented with
/// COMMENT ON TABLE too; <c>COMMENT ON COLUMN</c> needs a current SQL warehouse channel); <c>IS NULL</c> removes.
/// COMMENT takes no parameters, so the text is a literal escaped by <see cref="DatabricksDialect.Literal"/>. Each
/// statement commits on its own. Live comments: one statement per schema and kind with named parameters.
/// </summary>
public sealed class DatabricksCommentWriter : StatementCommentWriter
{
    const int MaxParameters = 250;

    public override WarehouseDialect Dialect => DatabricksDialect.Instance;

    public static string RenderStatement(QualifiedName target, string kind, string? text)
    {
        var d = DatabricksDialect.Instance;
        var obj = kind == TargetKinds.Column ? $"COLUMN {d.QuoteTable(target)}.{d.QuoteIdentifier(target.Column!)}" : $"TABLE {d.QuoteTable(target)}";
        return $"COMMENT ON {obj} IS {(text is null ? "NULL" : DatabricksDialect.Literal(text))}";
    }

    protected override string Statement(QualifiedName target, string kind, string? text) => RenderStatement(target, kind, text);

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var result = new Dictionary<CommentTarget, string?>();
        foreach (var bySchema in targets.Distinct().GroupBy(t => t.Name.Schema))
        {
            var relations = bySchema.Where(t => t.Kind != TargetKinds.Column).ToDictionary(t => t.Name.Table);
            foreach (var chunk in relations.Keys.Chunk(MaxParameters))
                await foreach (var row in QueryAsync(connection, "SELECT table_name, comment FROM information_schema.tables", bySchema.Key, chunk, ct))
                    if (relations.TryGetValue(row[0]!, out var t)) result[t] = row[^1];
            var columns = bySchema.Where(t => t.Kind == TargetKinds.Column).ToDictionary(t => (t.Name.Table, t.Name.Column!));
            foreach (var chunk in columns.Keys.Select(k => k.Table).Distinct().Chunk(MaxParameters))
                await foreach (var row in QueryAsync(connection, "SELECT table_name, column_name, comment FROM information_schema.columns", bySchema.Key, chunk, ct))
                    if (columns.TryGetValue((row[0]!, row[1]!), out var t)) result[t] = row[^1];
        }
        return result;
    }

    static async IAsyncEnumerable<string?[]> QueryAsync(DbConnection connection, string select, string schema, string[] tables,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"{select} WHERE table_schema = :schema AND table_name IN ({string.Join(", ", tables.Select((_, i) => $":t{i}"))})";
        CatalogBuilder.AddText(cmd, "schema", schema);
        for (var i = 0; i < tables.Length; i++) CatalogBuilder.AddText(cmd, "t" + i.ToString(CultureInfo.InvariantCulture), tables[i]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var row = new string?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetString(i);
            yield return row;
        }
    }

    /// <summary>By SQLSTATE: 42P01 table or view not found, 42703 column not found, 42501 insufficient privileges.</summary>
    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target) => error.SqlState switch
    {
        "42P01" or "42703" => ($"{target}: does not exist or the user cannot see it ({error.Message})", "check the name and the profile's catalog (amx db inspect)"),
        "42501" => ($"{target}: the user may not comment it ({error.Message})", "commenting needs MODIFY on the table (or ownership) in Unity Catalog: GRANT MODIFY ON TABLE … TO …"),
        _ => ($"{target}: {error.Message}", null),
    };
}
