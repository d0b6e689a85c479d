using System.Text;

namespace Amx.Data.Warehouse.MySql;

/// <summary>
/// MySQL and MariaDB: back-quoted identifiers, a database is the schema; comments on tables (2048 characters) and
/// columns (1024), none on views; comments are stored as 3-byte UTF-8, so emoji would turn into '?'.
/// </summary>
public sealed class MySqlDialect : WarehouseDialect
{
    /// <summary>MySQL 8: SRID in <c>SHOW CREATE TABLE</c> and <c>COLUMNS.SRS_ID</c>; no NOCOPY; checks named by TABLE_CONSTRAINTS.</summary>
    public static readonly MySqlDialect MySql = new("MySQL")
    {
        SessionSettings = "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', SESSION sql_quote_show_create = 1, NAMES utf8mb4",
        SridQuery = "SELECT COLUMN_NAME, SRS_ID FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @s AND TABLE_NAME = @t AND SRS_ID IS NOT NULL",
        ChecksQuery = "SELECT tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc " +
                      "JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME " +
                      "WHERE tc.TABLE_SCHEMA = @s AND tc.TABLE_NAME = @t AND tc.CONSTRAINT_TYPE = 'CHECK' ORDER BY 1",
        SridKeyword = "SRID",
        SridSeparator = " ",
        MetadataOnlyAlgorithms = ["INSTANT"],
    };

    /// <summary>
    /// MariaDB: <c>SHOW CREATE TABLE</c> omits <c>REF_SYSTEM_ID</c> (read from GEOMETRY_COLUMNS); a comment change on a
    /// system-versioned table needs <c>system_versioning_alter_history = KEEP</c> (history rows stay as they are).
    /// </summary>
    public static readonly MySqlDialect MariaDb = new("MariaDB")
    {
        SessionSettings = "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', SESSION sql_quote_show_create = 1, NAMES utf8mb4, " +
                          "SESSION system_versioning_alter_history = 'KEEP'",
        SridQuery = "SELECT G_GEOMETRY_COLUMN, SRID FROM information_schema.GEOMETRY_COLUMNS WHERE G_TABLE_SCHEMA = @s AND G_TABLE_NAME = @t",
        ChecksQuery = "SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS " +
                      "WHERE CONSTRAINT_SCHEMA = @s AND TABLE_NAME = @t ORDER BY 1",
        SridKeyword = "REF_SYSTEM_ID",
        SridSeparator = "=",
        MetadataOnlyAlgorithms = ["INSTANT", "NOCOPY"],
    };

    MySqlDialect(string backendName) => BackendName = backendName;

    /// <summary>
    /// amx's own session settings for reading definitions and writing comments, so that no server or global
    /// <c>sql_mode</c> changes how definitions are printed or what a restated one means (docs/mysql-mariadb.md).
    /// </summary>
    public string SessionSettings { get; private init; } = "";
    /// <summary>(column, SRID) of the table's spatial columns; parameters @s and @t.</summary>
    public string SridQuery { get; private init; } = "";
    /// <summary>The table's CHECK constraints; parameters @s and @t.</summary>
    public string ChecksQuery { get; private init; } = "";
    public string SridKeyword { get; private init; } = "";
    public string SridSeparator { get; private init; } = "";
    /// <summary>The ALGORITHM values that change metadata only, tried in order.</summary>
    public IReadOnlyList<string> MetadataOnlyAlgorithms { get; private init; } = [];

    /// <summary>The column attribute that pins a spatial column's SRID.</summary>
    public string SridClause(long srid) => SridKeyword + SridSeparator + srid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override string BackendName { get; }
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
