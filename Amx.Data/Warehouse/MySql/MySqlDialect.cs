using System.Text;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// MySQL and MariaDB: back-quoted identifiers, a database is the schema; comments on tables (2048 characters) and
/// columns (1024), none on views; comments are stored as 3-byte UTF-8, so emoji would turn into '?'.
/// </summary>
public sealed class MySqlDialect(string backendName) : WarehouseDialect
{
    public static readonly MySqlDialect MySql = new("MySQL");
    public static readonly MySqlDialect MariaDb = new("MariaDB");

    public override string BackendName { get; } = backendName;
    public override string QuoteIdentifier(string name) => "`" + name.Replace("`", "``") + "`";
    public override bool SupportsTableComments => true;
    public override bool SupportsViewComments => false;
    public override bool SupportsColumnComments => true;
    public override int? MaxTableCommentLength => 2048;
    public override int? MaxColumnCommentLength => 1024;
    public override bool SupportsFourByteUtf8InComments => false;
    public override bool CanHostHistoryStore => true;
    public override IReadOnlyCollection<string> SystemSchemas { get; } = ["mysql", "information_schema", "performance_schema", "sys"];

    /// <summary>
    /// A string literal for the session's sql_mode: backslash, quote and NUL escaped with backslashes, or, under
    /// NO_BACKSLASH_ESCAPES, quotes doubled (backslash is then an ordinary character).
    /// </summary>
    public static string Literal(string text, bool noBackslashEscapes = false)
    {
        var sb = new StringBuilder("'", text.Length + 8);
        foreach (var ch in text)
        {
            if (noBackslashEscapes) { sb.Append(ch == '\'' ? "''" : ch.ToString()); continue; }
            switch (ch)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append(@"\'"); break;
                case '\0': sb.Append(@"\0"); break;
                case '\u001a': sb.Append(@"\Z"); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
