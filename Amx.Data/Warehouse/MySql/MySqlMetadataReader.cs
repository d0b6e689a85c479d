using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// Reads the catalog from <c>information_schema</c> in three queries (TABLES, COLUMNS, key columns). MySQL and
/// MariaDB store "no comment" as an empty string: it is read as null.
/// </summary>
public sealed class MySqlMetadataReader(MySqlDialect dialect) : IMetadataReader
{
    readonly MySqlProfiler _profiler = new(dialect);

    // A literal TABLE_SCHEMA = value lets the server open one database directory instead of all of them.
    static string Filter(Scope? scope, string schemaColumn = "TABLE_SCHEMA", string tableColumn = "TABLE_NAME") =>
        scope is null
            ? $"{schemaColumn} NOT IN ('mysql','information_schema','performance_schema','sys')"
            : $"{schemaColumn} = @schema" + (scope.Table is null ? "" : $" AND {tableColumn} = @table");

    internal static string TablesSql(Scope? scope) => $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS, CREATE_OPTIONS
        FROM information_schema.TABLES
        WHERE TABLE_TYPE IN ('BASE TABLE','VIEW','SYSTEM VERSIONED') AND {Filter(scope)}
        ORDER BY TABLE_SCHEMA, TABLE_NAME
        """;

    // Empty for a user without SHOW VIEW on the view: such a view simply gets no lineage.
    internal static string ViewsSql(Scope? scope) => $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION
        FROM information_schema.VIEWS
        WHERE {Filter(scope)}
        """;

    internal static string ColumnsSql(Scope? scope) => $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
               COLUMN_COMMENT, GENERATION_EXPRESSION
        FROM information_schema.COLUMNS
        WHERE {Filter(scope)}
        """;

    // KEY_COLUMN_USAGE alone: MariaDB hides TABLE_CONSTRAINTS rows from a user with only SELECT on the tables (a
    // member's read-only login), while KEY_COLUMN_USAGE stays visible. The key's kind follows from the row itself:
    // the primary key is always named PRIMARY, a foreign key has a referenced table, the rest are unique keys.
    internal static string KeysSql(Scope? scope) => $"""
        SELECT k.TABLE_SCHEMA, k.TABLE_NAME,
               CASE WHEN k.CONSTRAINT_NAME = 'PRIMARY' THEN 'PRIMARY KEY'
                    WHEN k.REFERENCED_TABLE_NAME IS NOT NULL THEN 'FOREIGN KEY'
                    ELSE 'UNIQUE' END AS CONSTRAINT_TYPE,
               k.CONSTRAINT_NAME, k.COLUMN_NAME,
               k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
        FROM information_schema.KEY_COLUMN_USAGE k
        WHERE {Filter(scope, "k.TABLE_SCHEMA", "k.TABLE_NAME")}
        ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
        """;

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, TablesSql(scope), scope, ct))
            while (await r.ReadAsync(ct))
            {
                var view = r.GetString(2) == "VIEW";
                b.AddTable(r.GetString(0), r.GetString(1), view ? TargetKinds.View : TargetKinds.Table,
                    view ? null : NullIfEmpty(CatalogBuilder.Text(r, 3)), CatalogBuilder.Long(r, 4),
                    partitioned: CatalogBuilder.Text(r, 5)?.Contains("partitioned", StringComparison.OrdinalIgnoreCase) == true);
            }

        await using (var r = await QueryAsync(connection, ViewsSql(scope), scope, ct))
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { } view) view.ViewDefinition = NullIfEmpty(CatalogBuilder.Text(r, 2));

        await using (var r = await QueryAsync(connection, ColumnsSql(scope), scope, ct))
            while (await r.ReadAsync(ct))
            {
                var extra = CatalogBuilder.Text(r, 7) ?? "";
                var generated = NullIfEmpty(CatalogBuilder.Text(r, 9));
                var dflt = CatalogBuilder.Text(r, 6);
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3)), DataType = r.GetString(4),
                    IsNullable = r.GetString(5) == "YES",
                    // MariaDB shows a NULL default as the word NULL; generated columns have no default.
                    Default = generated is not null || dflt == "NULL" ? null : dflt,
                    GeneratedExpression = generated,
                    IsIdentity = extra.Contains("auto_increment", StringComparison.OrdinalIgnoreCase),
                    Comment = NullIfEmpty(CatalogBuilder.Text(r, 8)),
                });
            }

        await using (var r = await QueryAsync(connection, KeysSql(scope), scope, ct))
        {
            // Rows come ordered by constraint and position: start a key at each new constraint, then add its columns.
            (string, string, string)? current = null;
            List<string> cols = [], refCols = [];
            while (await r.ReadAsync(ct))
            {
                if (b.Find(r.GetString(0), r.GetString(1)) is not { } t) continue;
                var type = r.GetString(2);
                var key = (r.GetString(0), r.GetString(1), r.GetString(3));
                if (current != key)
                {
                    current = key;
                    cols = type == "PRIMARY KEY" ? t.PrimaryKey : [];
                    refCols = [];
                    if (type == "UNIQUE") t.UniqueKeys.Add(cols);
                    else if (type == "FOREIGN KEY")
                        t.ForeignKeys.Add(new ForeignKeyMeta
                        {
                            Columns = cols, ReferencedColumns = refCols, References = new QualifiedName(r.GetString(5), r.GetString(6)),
                        });
                }
                cols.Add(r.GetString(4));
                if (!r.IsDBNull(7)) refCols.Add(r.GetString(7));
            }
        }

        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 300;
        if (scope is not null)
        {
            CatalogBuilder.AddText(cmd, "@schema", scope.Schema);
            if (scope.Table is not null) CatalogBuilder.AddText(cmd, "@table", scope.Table);
        }
        return await cmd.ExecuteReaderAsync(ct);
    }
}
