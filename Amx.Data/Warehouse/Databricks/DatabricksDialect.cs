namespace Amx.Data.Warehouse.Databricks;

/// <summary>Databricks SQL (Unity Catalog): backquoted identifiers, string literals in which a backslash escapes.</summary>
public sealed class DatabricksDialect : WarehouseDialect
{
    public static readonly DatabricksDialect Instance = new();

    public override string BackendName => "Databricks";
    public override string QuoteIdentifier(string name) => "`" + name.Replace("`", "``") + "`";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    // The Databricks SQL reference states no maximum for comments; the read-back verifies what was stored.
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["information_schema"];

    /// <summary>
    /// A string literal: <c>\</c> and <c>'</c> escaped with a backslash. Doubling a quote is NOT an escape in Databricks
    /// SQL ('a''b' is two adjacent literals, read as "ab").
    /// </summary>
    public static string Literal(string text)
    {
        if (text.Contains('\0')) throw new ArgumentException("Databricks comments cannot contain NUL");
        return "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
    }
}
