using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Http;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// <c>COMMENT ON TABLE|VIEW|MATERIALIZED VIEW|COLUMN … IS '…'</c>; COMMENT takes no bindings, so the text is a
/// literal escaped by <see cref="SnowflakeDialect.Literal"/>. Removing sets <c>IS ''</c> (read back as no comment).
/// Names are schema-qualified; the database is the one each API call names. Every statement commits on its own
/// (the SQL API has no session), so each target succeeds or fails alone. Live comments are read in one statement
/// per schema and kind.
/// </summary>
public sealed class SnowflakeCommentWriter : StatementCommentWriter
{
    const int MaxBindings = 500;

    public override WarehouseDialect Dialect => SnowflakeDialect.Instance;

    public static string RenderStatement(QualifiedName target, string kind, string? text)
    {
        var d = SnowflakeDialect.Instance;
        var obj = kind switch
        {
            TargetKinds.Column => $"COLUMN {d.QuoteTable(target)}.{d.QuoteIdentifier(target.Column!)}",
            TargetKinds.View => $"VIEW {d.QuoteTable(target)}",
            TargetKinds.MaterializedView => $"MATERIALIZED VIEW {d.QuoteTable(target)}",
            _ => $"TABLE {d.QuoteTable(target)}",
        };
        return $"COMMENT ON {obj} IS {SnowflakeDialect.Literal(text ?? "")}";
    }

    protected override string Statement(QualifiedName target, string kind, string? text) => RenderStatement(target, kind, text);

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var result = new Dictionary<CommentTarget, string?>();
        var all = targets.Distinct().ToList();
        foreach (var bySchema in all.GroupBy(t => t.Name.Schema))
        {
            var relations = bySchema.Where(t => t.Kind != TargetKinds.Column).ToDictionary(t => t.Name.Table);
            foreach (var chunk in relations.Keys.Chunk(MaxBindings))
                await foreach (var row in QueryAsync(connection, "SELECT TABLE_NAME, COMMENT FROM INFORMATION_SCHEMA.TABLES", bySchema.Key, chunk, ct))
                    if (relations.TryGetValue(row[0]!, out var t)) result[t] = row[^1] is { Length: > 0 } c ? c : null;

            var columns = bySchema.Where(t => t.Kind == TargetKinds.Column).ToDictionary(t => (t.Name.Table, t.Name.Column!));
            foreach (var chunk in columns.Keys.Select(k => k.Table).Distinct().Chunk(MaxBindings))
                await foreach (var row in QueryAsync(connection, "SELECT TABLE_NAME, COLUMN_NAME, COMMENT FROM INFORMATION_SCHEMA.COLUMNS", bySchema.Key, chunk, ct))
                    if (columns.TryGetValue((row[0]!, row[1]!), out var t)) result[t] = row[^1] is { Length: > 0 } c ? c : null;
        }
        return result;
    }

    static async IAsyncEnumerable<string?[]> QueryAsync(DbConnection connection, string select, string schema, string[] tables,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"{select} WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ({string.Join(", ", tables.Select(_ => "?"))})";
        CatalogBuilder.AddText(cmd, "1", schema);
        for (var i = 0; i < tables.Length; i++) CatalogBuilder.AddText(cmd, (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), tables[i]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var row = new string?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetString(i);
            yield return row;
        }
    }

    /// <summary>Snowflake's codes: 002003 object missing or not authorized, 003001 insufficient privileges.</summary>
    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target)
    {
        var code = (error as HttpSqlException)?.VendorCode;
        return code switch
        {
            "002003" => ($"{target}: does not exist or the role cannot see it ({error.Message})", "check the name and the profile's role (amx db inspect)"),
            "003001" => ($"{target}: the role may not comment it ({error.Message})", "grant OWNERSHIP (or MODIFY on a column's table) to the profile's role, or use a role that has it"),
            _ => ($"{target}: {error.Message}", null),
        };
    }
}
