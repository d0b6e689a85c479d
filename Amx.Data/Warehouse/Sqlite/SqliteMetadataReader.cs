using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Sqlite;

/// <summary>
/// Reads tables and views with their columns in one query (<c>sqlite_master</c> joined with <c>pragma_table_info</c>),
/// and keys in a second (<c>pragma_foreign_key_list</c>, <c>pragma_index_list</c>). SQLite has one schema, <c>main</c>, and no comments.
/// </summary>
public sealed class SqliteMetadataReader : IMetadataReader
{
    internal const string ColumnsSql = """
        SELECT m.type, m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, CASE WHEN m.type = 'view' THEN m.sql END
        FROM sqlite_master m
        JOIN pragma_table_info(m.name) p
        WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
          AND (@table IS NULL OR m.name = @table)
        ORDER BY m.name, p.cid
        """;

    internal const string KeysSql = """
        SELECT m.name, 'f', f.id, f.seq, f."from", f."table", f."to"
        FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
        WHERE m.type = 'table' AND (@table IS NULL OR m.name = @table)
        UNION ALL
        SELECT m.name, 'u', il.name, ii.seqno, ii.name, NULL, NULL
        FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
        WHERE m.type = 'table' AND il."unique" = 1 AND il.origin <> 'pk' AND (@table IS NULL OR m.name = @table)
        ORDER BY 1, 2, 3, 4
        """;

    readonly SqliteProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        if (scope is not null && scope.Schema != SqliteDialect.MainSchema) return b.Finish(); // SQLite's only schema is main
        var pk = new Dictionary<string, SortedDictionary<long, string>>();
        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var table = r.GetString(1);
                var t = b.Find(SqliteDialect.MainSchema, table)
                        ?? b.AddTable(SqliteDialect.MainSchema, table, r.GetString(0) == "view" ? TargetKinds.View : TargetKinds.Table, null, null);
                if (t is null) continue;
                t.ViewDefinition ??= CatalogBuilder.Text(r, 8);
                var name = r.GetString(3);
                b.AddColumn(SqliteDialect.MainSchema, table, new ColumnMeta
                {
                    Name = name, Ordinal = r.GetInt32(2) + 1, DataType = r.GetString(4), IsNullable = r.GetInt64(5) == 0,
                    Default = CatalogBuilder.Text(r, 6),
                });
                if (r.GetInt64(7) > 0)
                {
                    if (!pk.TryGetValue(table, out var cols)) pk[table] = cols = new SortedDictionary<long, string>();
                    cols[r.GetInt64(7)] = name;
                }
            }
        foreach (var (table, cols) in pk) b.Find(SqliteDialect.MainSchema, table)?.PrimaryKey.AddRange(cols.Values);

        await using (var r = await QueryAsync(connection, KeysSql, scope, ct))
        {
            (string, string, string)? current = null;
            List<string> cols = [], refCols = [];
            while (await r.ReadAsync(ct))
            {
                if (b.Find(SqliteDialect.MainSchema, r.GetString(0)) is not { } t) continue;
                var key = (r.GetString(0), r.GetString(1), Convert.ToString(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)!);
                if (current != key)
                {
                    current = key;
                    cols = [];
                    refCols = [];
                    if (key.Item2 == "u") t.UniqueKeys.Add(cols);
                    else t.ForeignKeys.Add(new ForeignKeyMeta { Columns = cols, ReferencedColumns = refCols, References = new QualifiedName(SqliteDialect.MainSchema, r.GetString(5)) });
                }
                cols.Add(r.GetString(4));
                if (!r.IsDBNull(6)) refCols.Add(r.GetString(6));
            }
        }

        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        CatalogBuilder.AddText(cmd, "@table", scope?.Table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
