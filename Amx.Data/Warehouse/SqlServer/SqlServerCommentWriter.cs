using System.Data;
using System.Data.Common;
using System.Text;
using Amx.Data.History.Model;

namespace Amx.Data.Warehouse.SqlServer;

/// <summary>
/// <c>MS_Description</c> through <c>sp_addextendedproperty</c> / <c>sp_updateextendedproperty</c>
/// (<c>sp_dropextendedproperty</c> to remove), with the names and the text passed as real parameters.
/// The dry-run rendering declares those parameters with N'' literals in front of the same batch.
/// </summary>
public sealed class SqlServerCommentWriter : CommentWriterBase
{
    internal const string Batch = """
        DECLARE @id int = OBJECT_ID(QUOTENAME(@schema) + N'.' + QUOTENAME(@object));
        DECLARE @minor int = CASE WHEN @column IS NULL THEN 0 ELSE COLUMNPROPERTY(@id, @column, 'ColumnId') END;
        IF @id IS NULL OR @minor IS NULL
            THROW 50001, N'object not found', 1;
        IF @value IS NULL
        BEGIN
            IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 1 AND major_id = @id AND minor_id = @minor AND name = N'MS_Description')
                EXEC sys.sp_dropextendedproperty @name = N'MS_Description', @level0type = N'SCHEMA', @level0name = @schema,
                     @level1type = @level1type, @level1name = @object, @level2type = @level2type, @level2name = @column;
        END
        ELSE IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 1 AND major_id = @id AND minor_id = @minor AND name = N'MS_Description')
            EXEC sys.sp_updateextendedproperty @name = N'MS_Description', @value = @value, @level0type = N'SCHEMA', @level0name = @schema,
                 @level1type = @level1type, @level1name = @object, @level2type = @level2type, @level2name = @column;
        ELSE
            EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = @value, @level0type = N'SCHEMA', @level0name = @schema,
                 @level1type = @level1type, @level1name = @object, @level2type = @level2type, @level2name = @column;
        """;

    public override WarehouseDialect Dialect => SqlServerDialect.Instance;

    static IReadOnlyList<(string Name, string Type, string? Value)> Parameters(QualifiedName target, string kind, string? text) =>
    [
        ("@schema", "sysname", target.Schema),
        ("@object", "sysname", target.Table),
        ("@column", "sysname", target.Column),
        ("@level1type", "varchar(128)", kind == TargetKinds.View ? "VIEW" : "TABLE"),
        ("@level2type", "varchar(128)", target.IsColumn ? "COLUMN" : null),
        ("@value", "nvarchar(4000)", text),
    ];

    public override Task<IReadOnlyList<string>> RenderStatementsAsync(DbConnection? connection, QualifiedName target, string kind, string? text, CancellationToken ct = default)
    {
        var wanted = Validate(new CommentTarget(target, kind), text);
        var sb = new StringBuilder();
        foreach (var (name, type, value) in Parameters(target, kind, wanted))
            sb.Append("DECLARE ").Append(name).Append(' ').Append(type).Append(" = ").Append(SqlServerDialect.Literal(value)).Append(";\n");
        sb.Append(Batch);
        return Task.FromResult<IReadOnlyList<string>>([sb.ToString()]);
    }

    protected override async Task ExecuteWriteAsync(DbConnection connection, DbTransaction? transaction, QualifiedName target, string kind, string? text, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = Batch;
        foreach (var (name, _, value) in Parameters(target, kind, text))
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.DbType = DbType.String;
            p.Size = 4000;
            p.Value = (object?)value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public override async Task<IReadOnlyDictionary<CommentTarget, string?>> ReadLiveCommentsAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<CommentTarget> targets, CancellationToken ct = default)
    {
        var list = targets.Distinct().ToList();
        var result = new Dictionary<CommentTarget, string?>();
        if (list.Count == 0) return result;
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        var rows = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            CatalogBuilder.AddText(cmd, $"@s{i}", list[i].Name.Schema);
            CatalogBuilder.AddText(cmd, $"@t{i}", list[i].Name.Table);
            CatalogBuilder.AddText(cmd, $"@c{i}", list[i].Name.Column);
            rows.Add($"({i}, @s{i}, @t{i}, @c{i})");
        }
        cmd.CommandText = $"""
            SELECT x.i, CAST(ep.value AS nvarchar(max))
            FROM (VALUES {string.Join(", ", rows)}) AS x(i, s, t, c)
            JOIN sys.objects o ON o.object_id = OBJECT_ID(QUOTENAME(x.s) + N'.' + QUOTENAME(x.t))
            LEFT JOIN sys.columns col ON x.c IS NOT NULL AND col.object_id = o.object_id AND col.name = x.c
            LEFT JOIN sys.extended_properties ep ON ep.class = 1 AND ep.major_id = o.object_id
                 AND ep.minor_id = COALESCE(col.column_id, 0) AND ep.name = N'MS_Description'
            WHERE x.c IS NULL OR col.column_id IS NOT NULL
            """;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result[list[r.GetInt32(0)]] = r.IsDBNull(1) ? null : r.GetString(1);
        return result;
    }

    protected override (string Message, string? Hint) Describe(DbException error, CommentTarget target)
    {
        var number = error.GetType().GetProperty("Number")?.GetValue(error) as int?;
        return number switch
        {
            15247 or 229 or 1088 => ($"{target}: permission denied ({error.Message})",
                $"ALTER permission on {target.Name.TableName} (or db_ddladmin) is needed to set MS_Description"),
            50001 => ($"{target}: the object no longer exists", "run amx again to draft the current catalog"),
            _ => ($"{target}: {error.Message}", null),
        };
    }
}
