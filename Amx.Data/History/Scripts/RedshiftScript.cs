namespace Amx.Data.History.Scripts;

/// <summary>Redshift: names folded to lower case; keys are planner hints only; no indexes, so results are
/// distributed and sorted by run instead.</summary>
public sealed class RedshiftScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured).ToLowerInvariant();

    protected override string Header(string schema) =>
        $"-- amx history store for Amazon Redshift, schema {schema}.\n" +
        "-- Redshift does not enforce PRIMARY KEY constraints and has no indexes: results use DISTKEY/SORTKEY on run_id.\n\n";

    protected override string QuoteSchema(string schema) => schema;

    protected override string TypeName(ColumnType type) => type switch
    {
        ColumnType.Key => "VARCHAR(40)",
        ColumnType.Qname => "VARCHAR(400)",
        ColumnType.Short => "VARCHAR(256)",
        ColumnType.Medium => "VARCHAR(1024)",
        ColumnType.Text => "VARCHAR(65535)",
        ColumnType.Time => "TIMESTAMPTZ",
        ColumnType.Int => "INTEGER",
        ColumnType.Bool => "BOOLEAN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    protected override string PrimaryKey(string name, string[] columns) => $"CONSTRAINT {name} PRIMARY KEY ({string.Join(", ", columns)})";

    protected override string TableOptions(string table) =>
        table == Storage.HistoryModel.ResultsTable ? "\nDISTKEY (run_id)\nSORTKEY (run_id, target_qname)" : "";
}
