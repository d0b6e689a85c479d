namespace Amx.Data.History.Scripts;

/// <summary>Redshift: names folded to lower case; keys are planner hints only; no indexes, so results are
/// distributed and sorted by run instead.</summary>
public sealed class RedshiftScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured).ToLowerInvariant();

    protected override string Header(string schema) =>
        $"-- amx history store for Amazon Redshift, schema {schema}.\n" +
        "-- Redshift does not enforce PRIMARY KEY constraints and has no indexes: results use DISTKEY/SORTKEY on run_id.\n" +
        "-- amx_history_locks is what amx LOCKs (Redshift has no advisory locks) and where it keeps run claims.\n\n";

    /// <summary>A plain lower-case name as it is; anything else double-quoted (amx also runs this DDL itself).</summary>
    protected override string QuoteSchema(string schema) =>
        System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_$]*$") ? schema : "\"" + schema.Replace("\"", "\"\"") + "\"";

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

    /// <summary>What amx LOCKs to serialise writers (no advisory locks on Redshift) and where it keeps run claims.</summary>
    protected override IEnumerable<(string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key)> ExtraTables() => [LocksTable];

    /// <summary>The migration ids this DDL stands for, each inserted once: after the script amx finds the store current.</summary>
    protected override string Epilogue(string schema) => MigrationRows(schema, Providers.RedshiftHistoryProvider.ProductVersion);

    protected override string TableOptions(string table) =>
        table == Storage.HistoryModel.ResultsTable ? "\nDISTKEY (run_id)\nSORTKEY (run_id, target_qname)" : "";
}
