namespace Amx.Data.History.Scripts;

/// <summary>
/// Snowflake: unquoted names are stored upper case, so the schema is upper-cased; keys are recorded, not enforced; no
/// indexes. amx runs this DDL itself when the store is enabled on Snowflake (SnowflakeHistoryProvider).
/// </summary>
public sealed class SnowflakeScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured).ToUpperInvariant();

    protected override string Header(string schema) =>
        $"-- amx history store for Snowflake, schema {schema}.\n" +
        "-- Snowflake records PRIMARY KEY constraints without enforcing them and has no secondary indexes.\n" +
        "-- amx_history_locks holds amx's run claims and apply lease (Snowflake has no advisory locks).\n\n";

    /// <summary>A plain upper-case name as it is; anything else double-quoted (amx also runs this DDL itself).</summary>
    protected override string QuoteSchema(string schema) =>
        System.Text.RegularExpressions.Regex.IsMatch(schema, "^[A-Z_][A-Z0-9_$]*$") ? schema : "\"" + schema.Replace("\"", "\"\"") + "\"";

    protected override string TypeName(ColumnType type) => type switch
    {
        ColumnType.Key => "VARCHAR(40)",
        ColumnType.Qname => "VARCHAR(400)",
        ColumnType.Short => "VARCHAR(256)",
        ColumnType.Medium => "VARCHAR(1024)",
        ColumnType.Text => "VARCHAR",
        ColumnType.Time => "TIMESTAMP_TZ",
        ColumnType.Int => "NUMBER(10,0)",
        ColumnType.Bool => "BOOLEAN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    protected override string PrimaryKey(string name, string[] columns) => $"CONSTRAINT {name} PRIMARY KEY ({string.Join(", ", columns)})";

    protected override IEnumerable<(string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key)> ExtraTables() => [LocksTable];

    /// <summary>The migration ids this DDL stands for, each inserted once: after the script amx finds the store current.</summary>
    protected override string Epilogue(string schema) => MigrationRows(schema, Providers.SnowflakeHistoryProvider.Product);
}
