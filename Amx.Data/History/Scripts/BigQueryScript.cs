namespace Amx.Data.History.Scripts;

/// <summary>BigQuery: the schema is a dataset (name kept as given: dataset names are case-sensitive); keys NOT ENFORCED;
/// results clustered by run and target instead of indexes.</summary>
public sealed class BigQueryScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured);

    protected override string Header(string schema) =>
        $"-- amx history store for BigQuery, dataset {schema}.\n" +
        "-- BigQuery keys are NOT ENFORCED and it has no indexes: results are clustered by run_id, target_qname.\n" +
        "-- amx_history_locks holds amx's run claims and apply lease (no session locks over the REST API).\n\n";

    protected override string QuoteSchema(string schema) => $"`{schema}`";

    protected override string Qualify(string schema, string table) => $"`{schema}.{table}`";

    protected override string TypeName(ColumnType type) => type switch
    {
        ColumnType.Key or ColumnType.Qname or ColumnType.Short or ColumnType.Medium or ColumnType.Text => "STRING",
        ColumnType.Time => "TIMESTAMP",
        ColumnType.Int => "INT64",
        ColumnType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    protected override string PrimaryKey(string name, string[] columns) => $"PRIMARY KEY ({string.Join(", ", columns)}) NOT ENFORCED";

    protected override string TableOptions(string table) =>
        table == Storage.HistoryModel.ResultsTable ? "\nCLUSTER BY run_id, target_qname" : "";

    protected override IEnumerable<(string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key)> ExtraTables() => [LocksTable];

    /// <summary>The migration ids this DDL stands for, each inserted once: after the script amx finds the store current.</summary>
    protected override string Epilogue(string schema) => MigrationRows(schema, Providers.BigQueryHistoryProvider.Product);
}
