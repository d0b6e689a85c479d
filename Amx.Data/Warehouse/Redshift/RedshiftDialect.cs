using Amx.Data.Warehouse.Postgres;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// Amazon Redshift: PostgreSQL's double-quoted identifiers (folded to lower case unless the cluster sets
/// enable_case_sensitive_identifier, so amx only ever quotes names as the catalog stores them); COMMENT ON TABLE,
/// VIEW and COLUMN; never the history store (docs/redshift.md).
/// </summary>
public sealed class RedshiftDialect : WarehouseDialect
{
    public static readonly RedshiftDialect Instance = new();

    public override string BackendName => "Amazon Redshift";
    public override string QuoteIdentifier(string name) => PostgresDialect.Instance.QuoteIdentifier(name);
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    /// <summary>
    /// The COMMENT reference gives the text as type TEXT and states no limit; amx sets none of its own and relies on
    /// the read-back after every write to catch a server that shortened the text (docs/redshift.md).
    /// </summary>
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } =
        ["pg_catalog", "information_schema", "pg_toast", "pg_internal", "pg_automv", "pg_auto_copy", "pg_mv", "pg_s3", "catalog_history"];

    /// <summary>
    /// A plain '' literal with quotes doubled and backslashes doubled: Redshift treats a backslash in an ordinary
    /// literal as an escape (PostgreSQL 8.0 rules, no standard_conforming_strings), and its documentation shows no
    /// E'' syntax, so this is the one spelling that means the text byte for byte there.
    /// </summary>
    public static string Literal(string? text)
    {
        if (text is null) return "NULL";
        var sb = new System.Text.StringBuilder("'", text.Length + 8);
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append("''"); break;
                case '\0': throw new ArgumentException("Redshift text cannot contain NUL");
                default: sb.Append(ch); break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
