using System.Data.Common;
using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// Reads the catalog in four set-based queries (<see cref="RedshiftCatalogSql"/>): relations and comments from
/// pg_class/pg_description, row estimates from svv_table_info, columns from svv_columns (which alone lists the
/// columns of late-binding views), keys from pg_constraint.
/// </summary>
public sealed class RedshiftMetadataReader : IMetadataReader
{
    readonly RedshiftProfiler _profiler = new();

    public async Task<Catalog> ReadAsync(DbConnection connection, Scope? scope, MetadataOptions options, CancellationToken ct = default)
    {
        var b = new CatalogBuilder(scope, options);
        var lateBinding = new HashSet<QualifiedName>();
        await using (var r = await QueryAsync(connection, RedshiftCatalogSql.Relations, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var isView = r.GetString(2) == "v";
                var definition = CatalogBuilder.Text(r, 4);
                var t = b.AddTable(r.GetString(0), r.GetString(1), isView ? TargetKinds.View : TargetKinds.Table, CatalogBuilder.Text(r, 3), null);
                if (t is null) continue;
                t.ViewDefinition = definition;
                // Not the view text: "with no schema binding" may sit in any view's string literal or comment.
                if (isView && Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture) == 1) lateBinding.Add(t.Name);
            }

        await using (var r = await QueryAsync(connection, RedshiftCatalogSql.RowEstimates, scope, ct))
            while (await r.ReadAsync(ct))
                if (b.Find(r.GetString(0), r.GetString(1)) is { } t && CatalogBuilder.Long(r, 2) is { } rows and >= 0)
                    t.RowEstimate = rows;

        await using (var r = await QueryAsync(connection, RedshiftCatalogSql.Columns, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var column = new ColumnMeta
                {
                    Name = r.GetString(2), Ordinal = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
                    DataType = TypeName(r.GetString(4), Int(r, 5), Int(r, 6), Int(r, 7)),
                    IsNullable = !string.Equals(CatalogBuilder.Text(r, 8), "NO", StringComparison.OrdinalIgnoreCase),
                    Default = CatalogBuilder.Text(r, 9), Comment = CatalogBuilder.Text(r, 10),
                };
                b.AddColumn(r.GetString(0), r.GetString(1), column);
                // Redshift takes no comments on the columns of a late-binding view (the view itself takes one).
                if (lateBinding.Contains(new QualifiedName(r.GetString(0), r.GetString(1)))) column.IsTarget = false;
            }

        var keys = new Dictionary<(string Schema, string Table, string Name), (string Type, List<string> Columns, QualifiedName? Ref, List<string> RefColumns)>();
        await using (var r = await QueryAsync(connection, RedshiftCatalogSql.Keys, scope, ct))
            while (await r.ReadAsync(ct))
            {
                var id = (r.GetString(0), r.GetString(1), r.GetString(3));
                if (!keys.TryGetValue(id, out var k))
                    keys[id] = k = (r.GetString(2), [], r.IsDBNull(6) ? null : new QualifiedName(r.GetString(6), r.GetString(7)), []);
                k.Columns.Add(r.GetString(5));
                if (!r.IsDBNull(8)) k.RefColumns.Add(r.GetString(8));
            }
        foreach (var ((schema, table, _), k) in keys)
        {
            if (b.Find(schema, table) is not { } t) continue;
            switch (k.Type)
            {
                case "p": t.PrimaryKey.AddRange(k.Columns); break;
                case "u": t.UniqueKeys.Add(k.Columns); break;
                case "f" when k.Ref is { } target:
                    t.ForeignKeys.Add(new ForeignKeyMeta { Columns = k.Columns, References = target, ReferencedColumns = k.RefColumns });
                    break;
            }
        }

        var catalog = b.Finish();
        await _profiler.ProfileAsync(connection, catalog, options, ct);
        return catalog;
    }

    /// <summary>The type as PostgreSQL's format_type spells it: svv_columns gives the length and precision apart.</summary>
    public static string TypeName(string dataType, int? maxLength, int? precision, int? scale) => dataType switch
    {
        _ when maxLength is { } n && dataType is "character varying" or "character" => $"{dataType}({n})",
        "numeric" when precision is { } p => $"numeric({p},{scale ?? 0})",
        _ => dataType,
    };

    static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

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
