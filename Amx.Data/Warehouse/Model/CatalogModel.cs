using Amx.Data.History.Model;

namespace Amx.Data.Warehouse.Model;

/// <summary>What a metadata read returns: the tables, views and columns in scope, with their live comments.</summary>
public sealed class Catalog
{
    public List<TableMeta> Tables { get; } = [];

    /// <summary>The scope that was read (null = whole warehouse).</summary>
    public Scope? Scope { get; set; }

    /// <summary>Tables and columns to draft: in scope, not amx's own.</summary>
    public IEnumerable<(TableMeta Table, ColumnMeta? Column)> Targets()
    {
        foreach (var t in Tables)
        {
            if (t.IsAmxOwned) continue;
            if (t.IsTarget) yield return (t, null);
            foreach (var c in t.Columns.Where(c => c.IsTarget)) yield return (t, c);
        }
    }
}

/// <summary>A table, view or materialized view.</summary>
public sealed class TableMeta
{
    public required QualifiedName Name { get; init; }
    /// <summary><see cref="TargetKinds"/>: TABLE, VIEW or MATERIALIZED_VIEW.</summary>
    public required string Kind { get; init; }
    /// <summary>Live comment; null when there is none (distinct from an empty comment).</summary>
    public string? Comment { get; set; }
    public long? RowEstimate { get; set; }
    public bool IsPartitioned { get; set; }
    /// <summary>A partition of a partitioned table (only read when asked).</summary>
    public bool IsPartition { get; set; }
    /// <summary>One of amx's own <c>amx_history_*</c> tables: shown by <c>db inspect</c>, never drafted.</summary>
    public bool IsAmxOwned { get; set; }
    /// <summary>False when the scope is one of its columns: the table is context, not a target.</summary>
    public bool IsTarget { get; set; } = true;
    public List<ColumnMeta> Columns { get; } = [];
    public List<string> PrimaryKey { get; } = [];
    public List<ForeignKeyMeta> ForeignKeys { get; } = [];
    /// <summary>Column sets with a unique constraint or unique index.</summary>
    public List<List<string>> UniqueKeys { get; } = [];
    /// <summary>A view's defining query as the catalog returns it (null for tables, or when the catalog hides it).</summary>
    public string? ViewDefinition { get; set; }
}

public sealed class ColumnMeta
{
    public required string Name { get; init; }
    public required int Ordinal { get; init; }
    /// <summary>The type as the catalog shows it (e.g. <c>character varying(80)</c>, <c>int unsigned</c>).</summary>
    public required string DataType { get; init; }
    public bool IsNullable { get; init; }
    public string? Default { get; init; }
    public string? Comment { get; set; }
    /// <summary>False for the other columns of a column-scoped read (context only).</summary>
    public bool IsTarget { get; set; } = true;
    /// <summary>Identity / auto-increment column.</summary>
    public bool IsIdentity { get; init; }
    /// <summary>Generation expression of a computed column.</summary>
    public string? GeneratedExpression { get; init; }
    /// <summary>Statistics from <c>--profiling-mode sampled|full</c>; null in metadata mode.</summary>
    public ColumnProfile? Profile { get; set; }
    /// <summary>For a view column: the base column it passes through, or the inputs it is derived from (docs/view-lineage.md).</summary>
    public ColumnLineage? Lineage { get; set; }
}

/// <summary>Where a view column comes from.</summary>
public enum LineageKind
{
    /// <summary>The base column itself, maybe renamed: its description is the view column's.</summary>
    PassThrough,
    /// <summary>An expression or aggregate over <see cref="ColumnLineage.Sources"/>.</summary>
    Derived,
}

public sealed class ColumnLineage
{
    public required LineageKind Kind { get; init; }
    /// <summary>Base columns (qualified names with their column): exactly one for a pass-through.</summary>
    public required IReadOnlyList<QualifiedName> Sources { get; init; }
    /// <summary>The select-list expression, when the definition could be read (derived columns).</summary>
    public string? Expression { get; init; }

    public QualifiedName? Source => Kind == LineageKind.PassThrough && Sources.Count == 1 ? Sources[0] : null;
}

public sealed class ForeignKeyMeta
{
    public required List<string> Columns { get; init; }
    public required QualifiedName References { get; init; }
    public required List<string> ReferencedColumns { get; init; }
}

/// <summary>Column statistics; which fields are set depends on the profiling mode.</summary>
public sealed class ColumnProfile
{
    public long? RowsSeen { get; set; }
    public double? NullRatio { get; set; }
    public long? DistinctEstimate { get; set; }
    public string? Min { get; set; }
    public string? Max { get; set; }
    /// <summary>Up to 5 example values (masked when <c>--mask-samples</c>).</summary>
    public List<string> Examples { get; } = [];
    /// <summary>Most frequent values with counts (full mode).</summary>
    public List<(string Value, long Count)> TopValues { get; } = [];
    /// <summary>Why profiling was skipped or partial (e.g. row limit exceeded).</summary>
    public string? Note { get; set; }
}

public enum ProfilingMode { Metadata, Sampled, Full }
