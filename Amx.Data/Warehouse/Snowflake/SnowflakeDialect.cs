namespace Amx.Data.Warehouse.Snowflake;

/// <summary>Snowflake SQL: double-quoted identifiers (case-sensitive as stored), single-quoted literals in which a backslash escapes.</summary>
public sealed class SnowflakeDialect : WarehouseDialect
{
    public static readonly SnowflakeDialect Instance = new();

    public override string BackendName => "Snowflake";
    public override string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    // Snowflake documents no maximum for COMMENT; none is enforced here and the read-back verifies what was stored.
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["INFORMATION_SCHEMA"];

    /// <summary>A string literal: <c>'</c> doubled and <c>\</c> doubled (Snowflake reads backslash escapes in literals).</summary>
    public static string Literal(string text)
    {
        if (text.Contains('\0')) throw new ArgumentException("Snowflake comments cannot contain NUL");
        return "'" + text.Replace("\\", "\\\\").Replace("'", "''") + "'";
    }
}
