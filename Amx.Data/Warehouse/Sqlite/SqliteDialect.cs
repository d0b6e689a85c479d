namespace Amx.Data.Warehouse.Sqlite;

/// <summary>SQLite: double-quoted identifiers, one schema (<c>main</c>), and no comments at all.</summary>
public sealed class SqliteDialect : WarehouseDialect
{
    public static readonly SqliteDialect Instance = new();
    public const string MainSchema = "main";

    public override string BackendName => "SQLite";
    public override string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    public override bool SupportsTableComments => false;
    public override bool SupportsViewComments => false;
    public override bool SupportsColumnComments => false;
    public override int? MaxTableCommentLength => null;
    public override int? MaxColumnCommentLength => null;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["temp"];
}
