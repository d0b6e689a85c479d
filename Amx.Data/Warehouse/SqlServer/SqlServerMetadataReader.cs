using System.Data.Common;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.SqlServer;

/// <summary>
/// Reads the catalog from <c>sys.*</c> in four set-based queries (objects with view definitions from
/// <c>sys.sql_modules</c>, columns, keys, view dependencies from <c>sys.sql_expression_dependencies</c>), descriptions
/// from <c>sys.extended_properties</c>. View lineage is read with ScriptDom (<see cref="SqlServerViewParser"/>).
/// </summary>
public sealed class SqlServerMetadataReader : IMetadataReader
{
    const string ObjectFilter = """
        o.type IN ('U', 'V') AND o.is_ms_shipped = 0
        AND s.name NOT IN ('sys', 'INFORMATION_SCHEMA')
        AND (@schema IS NULL OR s.name = @schema)
        AND (@table IS NULL OR o.name = @table)
        """;

    internal const string ObjectsSql = $"""
        SELECT s.name, o.name, o.type,
               CAST(ep.value AS nvarchar(max)),
               (SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = o.object_id AND p.index_id IN (0, 1)),
               CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.indexes i JOIN sys.partition_schemes ps ON ps.data_space_id = i.data_space_id
                                      WHERE i.object_id = o.object_id AND i.index_id IN (0, 1)) THEN 1 ELSE 0 END AS bit),
               m.definition
        FROM sys.objects o
        JOIN sys.schemas s ON s.schema_id = o.schema_id
        LEFT JOIN sys.extended_properties ep ON ep.class = 1 AND ep.major_id = o.object_id AND ep.minor_id = 0 AND ep.name = N'MS_Description'
        LEFT JOIN sys.sql_modules m ON m.object_id = o.object_id AND o.type = 'V'
        WHERE {ObjectFilter}
        ORDER BY s.name, o.name
        """;

    internal const string ColumnsSql = $"""
        SELECT s.name, o.name, c.name, c.column_id,
               TYPE_NAME(c.user_type_id) + CASE
                   WHEN TYPE_NAME(c.user_type_id) IN ('varchar', 'char', 'varbinary', 'binary')
                       THEN '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length AS varchar(10)) END + ')'
                   WHEN TYPE_NAME(c.user_type_id) IN ('nvarchar', 'nchar')
                       THEN '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length / 2 AS varchar(10)) END + ')'
                   WHEN TYPE_NAME(c.user_type_id) IN ('decimal', 'numeric')
                       THEN '(' + CAST(c.precision AS varchar(10)) + ',' + CAST(c.scale AS varchar(10)) + ')'
                   ELSE '' END,
               c.is_nullable, dc.definition, cc.definition, c.is_identity, CAST(ep.value AS nvarchar(max))
        FROM sys.columns c
        JOIN sys.objects o ON o.object_id = c.object_id
        JOIN sys.schemas s ON s.schema_id = o.schema_id
        LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id
        LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
        LEFT JOIN sys.extended_properties ep ON ep.class = 1 AND ep.major_id = c.object_id AND ep.minor_id = c.column_id AND ep.name = N'MS_Description'
        WHERE {ObjectFilter}
        """;

    internal const string KeysSql = $"""
        SELECT s.name, o.name, CASE WHEN i.is_primary_key = 1 THEN 'p' ELSE 'u' END, i.name, ic.key_ordinal, c.name, NULL, NULL, NULL
        FROM sys.indexes i
        JOIN sys.objects o ON o.object_id = i.object_id
        JOIN sys.schemas s ON s.schema_id = o.schema_id
        JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
        JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
        WHERE i.is_unique = 1 AND i.has_filter = 0 AND {ObjectFilter}
        UNION ALL
        SELECT s.name, o.name, 'f', fk.name, fkc.constraint_column_id, c.name, rs.name, ro.name, rc.name
        FROM sys.foreign_keys fk
        JOIN sys.objects o ON o.object_id = fk.parent_object_id
        JOIN sys.schemas s ON s.schema_id = o.schema_id
        JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
        JOIN sys.columns c ON c.object_id = fkc.parent_object_id AND c.column_id = fkc.parent_column_id
        JOIN sys.objects ro ON ro.object_id = fk.referenced_object_id
        JOIN sys.schemas rs ON rs.schema_id = ro.schema_id
        JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
        WHERE {ObjectFilter}
        ORDER BY 1, 2, 4, 5
        """;

    // What each view references, as SQL Server bound it at CREATE VIEW: places unqualified table names in their schema,
    // and (schema-bound views only: referenced_minor_id > 0) the columns used. Same-database references only.
    internal const string ViewDependenciesSql = $"""
        SELECT s.name, o.name, COALESCE(rs.name, d.referenced_schema_name), COALESCE(ro.name, d.referenced_entity_name), rc.name
        FROM sys.sql_expression_dependencies d
        JOIN sys.objects o ON o.object_id = d.referencing_id
        JOIN sys.schemas s ON s.schema_id = o.schema_id
        LEFT JOIN sys.objects ro ON ro.object_id = d.referenced_id
        LEFT JOIN sys.schemas rs ON rs.schema_id = ro.schema_id
        LEFT JOIN sys.columns rc ON rc.object_id = d.referenced_id AND rc.column_id = d.referenced_minor_id AND d.referenced_minor_id > 0
        WHERE o.type = 'V' AND d.referenced_class = 1 AND d.referenced_server_name IS NULL AND d.referenced_database_name IS NULL
          AND {ObjectFilter}
        """;

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        await using (var r = await QueryAsync(connection, ObjectsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddTable(r.GetString(0), r.GetString(1), r.GetString(2).Trim() == "V" ? TargetKinds.View : TargetKinds.Table,
                    CatalogBuilder.Text(r, 3), CatalogBuilder.Long(r, 4), partitioned: r.GetBoolean(5))
                    ?.ViewDefinition = CatalogBuilder.Text(r, 6);

        await using (var r = await QueryAsync(connection, ColumnsSql, scope, ct))
            while (await r.ReadAsync(ct))
                b.AddColumn(r.GetString(0), r.GetString(1), new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = r.GetInt32(3), DataType = r.GetString(4), IsNullable = r.GetBoolean(5),
                    Default = CatalogBuilder.Text(r, 6), GeneratedExpression = CatalogBuilder.Text(r, 7), IsIdentity = r.GetBoolean(8),
                    Comment = CatalogBuilder.Text(r, 9),
                });

        await using (var r = await QueryAsync(connection, KeysSql, scope, ct))
        {
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
                    cols = type == "p" ? t.PrimaryKey : [];
                    refCols = [];
                    if (type == "u") t.UniqueKeys.Add(cols);
                    else if (type == "f")
                        t.ForeignKeys.Add(new ForeignKeyMeta { Columns = cols, ReferencedColumns = refCols, References = new QualifiedName(r.GetString(6), r.GetString(7)) });
                }
                cols.Add(r.GetString(5));
                if (!r.IsDBNull(8)) refCols.Add(r.GetString(8));
            }
        }

        var dependencies = new Dictionary<QualifiedName, List<SqlServerViewParser.Dependency>>();
        await using (var r = await QueryAsync(connection, ViewDependenciesSql, scope, ct))
            while (await r.ReadAsync(ct))
            {
                if (r.IsDBNull(2) || r.IsDBNull(3)) continue;
                var view = new QualifiedName(r.GetString(0), r.GetString(1));
                if (!dependencies.TryGetValue(view, out var list)) dependencies[view] = list = [];
                list.Add(new SqlServerViewParser.Dependency(r.GetString(2), r.GetString(3), CatalogBuilder.Text(r, 4)));
            }

        var parser = new SqlServerViewParser(dependencies.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<SqlServerViewParser.Dependency>)kv.Value));
        var catalog = b.Finish(parser.Parse);
        if (options.Profiling != ProfilingMode.Metadata)
            foreach (var c in catalog.Tables.SelectMany(t => t.Columns))
                c.Profile = new ColumnProfile { Note = "profiling is not available on SQL Server yet (metadata only)" };
        return catalog;
    }

    static async Task<DbDataReader> QueryAsync(DbConnection connection, string sql, Scope? scope, CancellationToken ct)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 300;
        CatalogBuilder.AddText(cmd, "@schema", scope?.Schema);
        CatalogBuilder.AddText(cmd, "@table", scope?.Table);
        return await cmd.ExecuteReaderAsync(ct);
    }
}
