namespace Amx.Data.Warehouse.SqlServer;

/// <summary>
/// SQL Server: bracket-quoted identifiers; descriptions are the <c>MS_Description</c> extended property, an
/// sql_variant of at most 7,500 bytes (3,750 UTF-16 characters); an empty description is kept as such.
/// </summary>
public sealed class SqlServerDialect : WarehouseDialect
{
    public static readonly SqlServerDialect Instance = new();

    public override string BackendName => "SQL Server";
    public override string QuoteIdentifier(string name) => "[" + name.Replace("]", "]]") + "]";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => true;
    public override bool SupportsColumnComments => true;
    public override int? MaxTableCommentLength => 7500;
    public override int? MaxColumnCommentLength => 7500;
    public override LengthUnit LengthUnit => LengthUnit.Utf16Bytes;
    public override bool DistinguishesEmptyComment => true;
    public override bool CanHostHistoryStore => true;
    public override string? ScriptBatchSeparator => "GO";
    public override IReadOnlyCollection<string> SystemSchemas { get; } =
        ["sys", "INFORMATION_SCHEMA", "guest", "db_owner", "db_accessadmin", "db_securityadmin", "db_ddladmin",
         "db_backupoperator", "db_datareader", "db_datawriter", "db_denydatareader", "db_denydatawriter"];

    /// <summary>An N'' literal with quotes doubled (T-SQL has no backslash escapes).</summary>
    public static string Literal(string? text) => text is null ? "NULL" : "N'" + text.Replace("'", "''") + "'";
}
