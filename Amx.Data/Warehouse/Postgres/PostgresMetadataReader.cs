using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Postgres;

/// <summary>
/// Reads the catalog from <c>pg_catalog</c> in three set-based queries (relations, columns, keys), joining
/// <c>pg_description</c> for comments; no information_schema and no per-row <c>col_description</c>.
/// </summary>
public sealed class PostgresMetadataReader : IMetadataReader
{
    // Shared filter: user schemas, the scope's schema/table, relations amx can describe.
    const string RelationFilter = """
        c.relkind IN ('r','p','v','m')
        AND n.nspname <> ALL (ARRAY['pg_catalog','information_schema'])
        AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
        AND (@schema IS NULL OR n.nspname = @schema)
        AND (@table IS NULL OR c.relname = @table)
        """;

    internal const string RelationsSql = $"""
        SELECT n.nspname, c.relname, c.relkind::text, d.description,
               CASE WHEN c.relkind = 'p'
                    THEN (SELECT sum(greatest(ch.reltuples, 0))::bigint FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid WHERE i.inhparent = c.oid)
                    ELSE c.reltuples::bigint END,
               c.relispartition,
               CASE WHEN c.relkind IN ('v','m') THEN pg_get_viewdef(c.oid) END
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
        WHERE {RelationFilter}
        ORDER BY 1, 2
        """;

    internal const string ColumnsSql = $"""
        SELECT n.nspname, c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               -- relid 0: no relation context to build per default (costly over 100k columns); plain defaults need none.
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END,
               CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
               a.attidentity <> '', d.description
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND {RelationFilter}
        """;

    // Primary, unique and foreign keys, plus unique indexes that back no constraint.
    internal const string KeysSql = $"""
        SELECT n.nspname, c.relname, con.contype::text,
               ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
               fn.nspname, fc.relname,
               ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class fc ON fc.oid = con.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE con.contype IN ('p','u','f') AND {RelationFilter}
        UNION ALL
        SELECT n.nspname, c.relname, 'u',
               ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord),
               NULL, NULL, NULL
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL AND i.indpred IS NULL
          AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid)
          AND {RelationFilter}
        """;

    readonly PostgresProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, RelationsSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(2) switch { "v" => TargetKinds.View, "m" => TargetKinds.MaterializedView, _ => TargetKinds.Table };
                var t = b.AddTable(r.GetString(0), r.GetString(1), kind, CatalogBuilder.Text(r, 3), CatalogBuilder.Long(r, 4),
                    partitioned: r.GetString(2) == "p", partition: r.GetBoolean(5));
                if (t is not null) t.ViewDefinition = CatalogBuilder.Text(r, 6);
            }

        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = r.GetInt16(3), DataType = r.GetString(4), IsNullable = !r.GetBoolean(5),
                    Default = CatalogBuilder.Text(r, 6), GeneratedExpression = CatalogBuilder.Text(r, 7), IsIdentity = r.GetBoolean(8),
                    Comment = CatalogBuilder.Text(r, 9),
                });

        await using (var r = await QueryAsync(connection, KeysSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                if (b.Find(r.GetString(0), r.GetString(1)) is not { } t) continue;
                var cols = ((string[])r.GetValue(3)).ToList();
                switch (r.GetString(2))
                {
                    case "p": t.PrimaryKey.AddRange(cols); break;
                    case "u": t.UniqueKeys.Add(cols); break;
                    case "f":
                        t.ForeignKeys.Add(new ForeignKeyMeta
                        {
                            Columns = cols, References = new QualifiedName(r.GetString(4), r.GetString(5)),
                            ReferencedColumns = ((string[])r.GetValue(6)).ToList(),
                        });
                        break;
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
        cmd.CommandTimeout = 300;
        CatalogBuilder.AddText(cmd, "schema", scope?.Schema);
        CatalogBuilder.AddText(cmd, "table", scope?.Table);
        return await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.Default, ct);
    }
}
