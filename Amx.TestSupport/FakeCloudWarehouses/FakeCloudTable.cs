namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>The in-memory catalog the fake cloud warehouses serve and comment.</summary>
public sealed class FakeCloudColumn
{
    public required string Name { get; init; }
    public string DataType { get; init; } = "TEXT";
    public bool Nullable { get; init; } = true;
    public string? Default { get; init; }
    public string? Comment { get; set; }
}

public sealed class FakeCloudTable
{
    public required string Schema { get; init; }
    public required string Name { get; init; }
    /// <summary>Snowflake: BASE TABLE, VIEW, MATERIALIZED VIEW; Databricks: MANAGED, EXTERNAL, VIEW; BigQuery: BASE TABLE, VIEW, EXTERNAL.</summary>
    public string Type { get; init; } = "BASE TABLE";
    public string? Comment { get; set; }
    public long? RowCount { get; init; }
    public string? ViewDefinition { get; init; }
    public List<FakeCloudColumn> Columns { get; init; } = [];
    /// <summary>Data for profiling statements: one array per row, values as text in column order, null = SQL NULL.</summary>
    public List<string?[]> Rows { get; init; } = [];
    /// <summary>Informational keys (column names; constraint names are derived: T_PK, T_UK1, T_FK1 …).</summary>
    public List<string> PrimaryKey { get; init; } = [];
    public List<List<string>> UniqueKeys { get; init; } = [];
    public List<FakeCloudForeignKey> ForeignKeys { get; init; } = [];
}

/// <summary>A foreign key to <see cref="ReferencedSchema"/>.<see cref="ReferencedTable"/> (its primary key columns, in order).</summary>
public sealed record FakeCloudForeignKey(List<string> Columns, string ReferencedSchema, string ReferencedTable, List<string> ReferencedColumns);

