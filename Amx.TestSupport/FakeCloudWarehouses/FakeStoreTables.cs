using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>
/// What a fake SQL API does with the history store's statements (amx_history_* tables, INFORMATION_SCHEMA lookups of
/// them, CREATE SCHEMA): it runs them on a real PostgreSQL database, so the store's SQL is executed by a real engine
/// rather than pattern-matched. Only what PostgreSQL spells differently is translated (<see cref="Spelling"/>): the
/// vendor's parameter markers become <c>$n</c>, its type names PostgreSQL's, its quoting double quotes, and clauses
/// PostgreSQL lacks (USING DELTA, CLUSTER BY, NOT ENFORCED) are dropped. Each fake sends the values back in its
/// vendor's text forms. What it cannot show is the vendor's own semantics: unenforced keys (PostgreSQL enforces them;
/// tests drop them), and how the engine serialises MERGEs (the fakes run one statement at a time).
/// </summary>
public sealed class FakeStoreTables(string connectionString, FakeStoreTables.Spelling spelling)
{
    readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);

    public enum Marker { Question, Colon, At }

    /// <summary>A vendor's parameter marker and the regex rewrites that turn its SQL into PostgreSQL's.</summary>
    public sealed record Spelling(Marker Marker, (string Pattern, string Replacement)[] Rewrites, bool Backticks);

    public static readonly Spelling Snowflake = new(Marker.Question,
        [(@"\bTIMESTAMP_TZ\b", "timestamptz"), (@"\bNUMBER\((\d+),(\d+)\)", "numeric($1,$2)")], Backticks: false);

    public static readonly Spelling Databricks = new(Marker.Colon,
        [(@"\bSTRING\b", "text"), (@"\bTIMESTAMP\b", "timestamptz"), (@"\s*USING DELTA\s*TBLPROPERTIES \([^)]*\)", "")], Backticks: true);

    public static readonly Spelling BigQuery = new(Marker.At,
        [(@"\bSTRING\b", "text"), (@"\bINT64\b", "bigint"), (@"\bBOOL\b", "boolean"), (@"\bTIMESTAMP\b", "timestamptz"), (@" NOT ENFORCED", ""),
         (@"\s*CLUSTER BY [a-z_, ]+$", ""), (@"(""[^""]+""\.){1,2}INFORMATION_SCHEMA", "information_schema")], Backticks: true);

    /// <summary>Statements that belong to the store rather than to the fake's in-memory warehouse catalog.</summary>
    public static bool IsStoreStatement(string sql) =>
        System.Text.RegularExpressions.Regex.IsMatch(sql, "amx!?_history", System.Text.RegularExpressions.RegexOptions.IgnoreCase) ||
        sql.Contains("INFORMATION_SCHEMA.SCHEMATA", StringComparison.OrdinalIgnoreCase) ||
        sql.StartsWith("CREATE SCHEMA", StringComparison.OrdinalIgnoreCase);

    /// <summary>A statement's answer: columns with PostgreSQL's type names, raw values, and the rows a DML statement changed.</summary>
    public sealed record Answer(string[] Columns, string[] PgTypes, List<object?[]> Rows, long RowsAffected, string Verb)
    {
        public bool IsDml => Verb is "INSERT" or "UPDATE" or "DELETE" or "MERGE";

        /// <summary>The rows as an API sends them: text, booleans as true/false, times in the vendor's form (<paramref name="time"/>).</summary>
        public List<string?[]> TextRows(Func<DateTime, string> time) => Rows.Select(r => r.Select(v => v switch
        {
            null => null,
            bool b => b ? "true" : "false",
            DateTime d => time(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }).ToArray()).ToList();
    }

    /// <summary>PostgreSQL's error, with its SQLSTATE, for the fake to dress in its vendor's error body.</summary>
    public sealed class Failure(string sqlState, string message) : Exception(message)
    {
        public string SqlState { get; } = sqlState;
    }

    /// <summary>A member whose role may read the store but not write it: every INSERT, UPDATE, DELETE and MERGE is refused (SQLSTATE 42501).</summary>
    public bool DenyWrites { get; set; }

    /// <summary>Runs one statement; <paramref name="binding"/> gives a parameter's text by position (1-based, as a string) or name.</summary>
    public Answer Execute(string sql, Func<string, string?> binding)
    {
        var (translated, names) = Translate(sql);
        var verb = translated.TrimStart().Split(' ')[0].ToUpperInvariant();
        if (DenyWrites && verb is "INSERT" or "UPDATE" or "DELETE" or "MERGE")
            throw new Failure("42501", "permission denied for table " + System.Text.RegularExpressions.Regex.Match(translated, @"amx_history_\w+").Value);
        using var conn = _db.OpenConnection();
        using var cmd = new NpgsqlCommand(translated, conn);
        foreach (var name in names)
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)binding(name) ?? DBNull.Value });
        try
        {
            using var r = cmd.ExecuteReader();
            var columns = new string[r.FieldCount];
            var types = new string[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++)
            {
                columns[i] = r.GetName(i);
                types[i] = r.GetDataTypeName(i);
            }
            var rows = new List<object?[]>();
            while (r.Read())
            {
                var row = new object?[r.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                rows.Add(row);
            }
            r.Close();
            return new Answer(columns, types, rows, r.RecordsAffected, verb);
        }
        catch (PostgresException e) { throw new Failure(e.SqlState, e.MessageText); }
    }

    /// <summary>Seconds since the epoch with nine decimals (Snowflake's form; BigQuery's float is made from it).</summary>
    public static string Epoch(DateTime d)
    {
        var ticks = DateTime.SpecifyKind(d, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return $"{seconds.ToString(CultureInfo.InvariantCulture)}.{(rest * 100).ToString("D9", CultureInfo.InvariantCulture)}";
    }

    /// <summary>The vendor's markers as <c>$n</c> (the names in order), quoting as PostgreSQL's, then the spelling's rewrites.</summary>
    (string Sql, List<string> Names) Translate(string sql)
    {
        var sb = new StringBuilder(sql.Length + 16);
        var names = new List<string>();
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`')
            {
                var end = sql.IndexOf(c, i + 1);
                while (end > 0 && end + 1 < sql.Length && sql[end + 1] == c) end = sql.IndexOf(c, end + 2);
                if (end < 0) end = sql.Length - 1;
                var quoted = sql.Substring(i, end - i + 1);
                // A backticked name (`ds.table` or `ds`) is one or more identifiers: each double-quoted.
                sb.Append(c == '`' && spelling.Backticks ? string.Join(".", quoted[1..^1].Split('.').Select(p => "\"" + p + "\"")) : quoted);
                i = end;
                continue;
            }
            var marked = spelling.Marker switch
            {
                Marker.Question => c == '?',
                Marker.Colon => c == ':' && i + 1 < sql.Length && char.IsLetter(sql[i + 1]) && (i == 0 || sql[i - 1] != ':'),
                _ => c == '@' && i + 1 < sql.Length && char.IsLetter(sql[i + 1]),
            };
            if (!marked) { sb.Append(c); continue; }
            string name;
            if (spelling.Marker == Marker.Question) name = (names.Count + 1).ToString(CultureInfo.InvariantCulture);
            else
            {
                var start = ++i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) i++;
                name = sql[start..i--];
            }
            var at = spelling.Marker == Marker.Question ? -1 : names.IndexOf(name);
            if (at < 0) { names.Add(name); at = names.Count - 1; }
            sb.Append('$').Append(at + 1);
        }
        var text = sb.ToString();
        foreach (var (pattern, replacement) in spelling.Rewrites)
            text = System.Text.RegularExpressions.Regex.Replace(text, pattern, replacement, System.Text.RegularExpressions.RegexOptions.Multiline);
        return (text, names);
    }
}
