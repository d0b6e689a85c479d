namespace Amx.Data.History.Scripts;

/// <summary>Snowflake: unquoted names are stored upper case, so the schema is upper-cased; keys are recorded, not enforced; no indexes.</summary>
public sealed class SnowflakeScript : DialectScript
{
    public override string EffectiveSchema(string? configured) => DefaultSchema(configured).ToUpperInvariant();

    protected override string Header(string schema) =>
        $"-- amx history store for Snowflake, schema {schema}.\n" +
        "-- Snowflake records PRIMARY KEY constraints without enforcing them and has no secondary indexes.\n\n";

    protected override string QuoteSchema(string schema) => schema;

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
}
