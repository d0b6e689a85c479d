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
    /// <summary>Snowflake: BASE TABLE, VIEW, MATERIALIZED VIEW; Databricks: MANAGED, EXTERNAL, VIEW; BigQuery: BASE TABLE, VIEW.</summary>
    public string Type { get; init; } = "BASE TABLE";
    public string? Comment { get; set; }
    public long? RowCount { get; init; }
    public string? ViewDefinition { get; init; }
    public List<FakeCloudColumn> Columns { get; init; } = [];
}

