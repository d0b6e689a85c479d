namespace Amx.Data.Warehouse.DuckDb;

/// <summary>
/// DuckDB: double-quoted identifiers; comments on tables, views and columns (also view columns), no length limit,
/// full UTF-8, and an empty comment is kept apart from none. A single-writer file, so never a history host.
/// </summary>
public sealed class DuckDbDialect : WarehouseDialect
{
    public static readonly DuckDbDialect Instance = new();

    public override string BackendName => "DuckDB";
    public override string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool DistinguishesEmptyComment => true;
    public override bool CanHostHistoryStore => false;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["information_schema", "pg_catalog"];

    /// <summary>
    /// A standard SQL string literal: quotes doubled. DuckDB's plain literals keep backslashes as they are, so
    /// nothing else needs escaping; NUL cannot be stored (checked before writing).
    /// </summary>
    public static string Literal(string? text)
    {
        if (text is null) return "NULL";
        if (text.Contains('\0')) throw new ArgumentException("DuckDB comments cannot contain NUL");
        return "'" + text.Replace("'", "''") + "'";
    }

    /// <summary><c>"db"."schema"."table"</c>: the database part keeps a schema named like an attached database unambiguous.</summary>
    public string QuoteTable(string? database, QualifiedName name) =>
        database is null ? QuoteTable(name) : $"{QuoteIdentifier(database)}.{QuoteTable(name)}";
}
