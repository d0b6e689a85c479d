using System.Data;
using System.Data.Common;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse;

/// <summary>Assembles a <see cref="Catalog"/> from the per-kind result sets of a metadata read.</summary>
internal sealed class CatalogBuilder(Scope? scope, MetadataOptions options)
{
    readonly Dictionary<(string, string), TableMeta> _tables = new();
    public Catalog Catalog { get; } = new() { Scope = scope };

    /// <summary>Adds a table unless options leave it out (partitions, amx's own tables); returns it or null.</summary>
    public TableMeta? AddTable(string schema, string table, string kind, string? comment, long? rowEstimate, bool partitioned = false, bool partition = false)
    {
        var amx = WarehouseDialect.IsAmxTable(table);
        if (amx && !options.IncludeAmxTables) return null;
        if (partition && !options.IncludePartitions) return null;
        var t = new TableMeta
        {
            Name = new QualifiedName(schema, table), Kind = kind, Comment = comment,
            RowEstimate = rowEstimate is < 0 ? null : rowEstimate, IsPartitioned = partitioned, IsPartition = partition,
            IsAmxOwned = amx, IsTarget = !amx && scope?.Column is null,
        };
        _tables[(schema, table)] = t;
        Catalog.Tables.Add(t);
        return t;
    }

    public TableMeta? Find(string schema, string table) => _tables.GetValueOrDefault((schema, table));

    public void AddColumn(string schema, string table, ColumnMeta column)
    {
        if (Find(schema, table) is not { } t) return;
        column.IsTarget = !t.IsAmxOwned && (scope?.Column is null || scope.Column == column.Name);
        t.Columns.Add(column);
    }

    /// <summary>Drops what a column scope does not reach (tables without the column) and sorts columns.</summary>
    /// <param name="parseView">The dialect's view-definition reader, when the generic one cannot read it (SQL Server).</param>
    public Catalog Finish(Func<TableMeta, Lineage.ViewLineage.Select?>? parseView = null)
    {
        foreach (var t in Catalog.Tables) t.Columns.Sort((a, b) => a.Ordinal.CompareTo(b.Ordinal));
        if (scope?.Column is { } col) Catalog.Tables.RemoveAll(t => t.Columns.All(c => c.Name != col));
        Lineage.ViewLineage.Apply(Catalog, parseView);
        return Catalog;
    }

    public static void AddText(DbCommand cmd, string name, string? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = DbType.String;
        p.Value = (object?)value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    public static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
    public static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
}
