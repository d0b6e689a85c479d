namespace Amx.Data.Warehouse.Postgres;

/// <summary>PostgreSQL: double-quoted identifiers; comments on tables, views, materialized views and columns, no practical length limit.</summary>
public sealed class PostgresDialect : WarehouseDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string BackendName => "PostgreSQL";
    public override string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    /// <summary>A comment is a text value (up to 1 GB); amx sets no limit of its own.</summary>
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["pg_catalog", "information_schema", "pg_toast"];

    /// <summary>
    /// A string literal safe under any standard_conforming_strings setting: an E'' literal with backslashes and quotes
    /// escaped, so no dollar quoting is involved and <c>$$</c> or <c>$tag$</c> in the text are plain characters.
    /// </summary>
    public static string Literal(string? text)
    {
        if (text is null) return "NULL";
        var sb = new System.Text.StringBuilder("E'", text.Length + 8);
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append("''"); break;
                case '\0': throw new ArgumentException("PostgreSQL text cannot contain NUL");
                default: sb.Append(ch); break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
