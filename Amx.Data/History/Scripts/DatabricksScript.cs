namespace Amx.Data.History.Scripts;

/// <summary>Databricks (Delta, Unity Catalog): schema names are stored lower case; keys are informational; no indexes.</summary>
public sealed class DatabricksScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured).ToLowerInvariant();

    protected override string Header(string schema) =>
        $"-- amx history store for Databricks (Delta tables), schema {schema}.\n" +
        "-- Unity Catalog PRIMARY KEY constraints are informational (not enforced); Delta has no secondary indexes.\n" +
        "-- amx_history_locks holds amx's run claims and apply lease (no session locks over the SQL API).\n\n";

    protected override string QuoteSchema(string schema) => $"`{schema}`";

    protected override string TypeName(ColumnType type) => type switch
    {
        ColumnType.Key or ColumnType.Qname or ColumnType.Short or ColumnType.Medium or ColumnType.Text => "STRING",
        ColumnType.Time => "TIMESTAMP",
        ColumnType.Int => "INT",
        ColumnType.Bool => "BOOLEAN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    protected override string PrimaryKey(string name, string[] columns) => $"CONSTRAINT {name} PRIMARY KEY ({string.Join(", ", columns)})";

    // Column defaults (applied DEFAULT FALSE) need this Delta table feature.
    protected override string TableOptions(string table) =>
        "\nUSING DELTA\nTBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')";

    protected override IEnumerable<(string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key)> ExtraTables() => [LocksTable];

    /// <summary>The migration ids this DDL stands for, each inserted once: after the script amx finds the store current.</summary>
    protected override string Epilogue(string schema) => MigrationRows(schema, Providers.DatabricksHistoryProvider.Product);
}
