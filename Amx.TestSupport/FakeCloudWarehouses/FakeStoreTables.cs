using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>
/// What a fake SQL API does with the history store's statements (amx_history_* tables, INFORMATION_SCHEMA lookups of
/// them, CREATE SCHEMA): it runs them on a real PostgreSQL database, so the store's SQL is executed by a real engine
/// rather than pattern-matched. Only what PostgreSQL spells differently is translated: <c>?</c> becomes <c>$n</c>,
/// <c>TIMESTAMP_TZ</c> becomes <c>timestamptz</c>, <c>NUMBER(p,s)</c> becomes <c>numeric(p,s)</c>. Values come back in
/// the vendor's text forms (<see cref="Cell"/>). What it cannot show is the vendor's own semantics: Snowflake's
/// unenforced keys (PostgreSQL enforces them) and its table locks for MERGE (the fake runs one statement at a time).
/// </summary>
public sealed class FakeStoreTables(string connectionString)
{
    readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);

    /// <summary>Statements that belong to the store rather than to the fake's in-memory warehouse catalog.</summary>
    public static bool IsStoreStatement(string sql) =>
        System.Text.RegularExpressions.Regex.IsMatch(sql, "amx!?_history", System.Text.RegularExpressions.RegexOptions.IgnoreCase) ||
        sql.Contains("INFORMATION_SCHEMA.SCHEMATA", StringComparison.OrdinalIgnoreCase) ||
        sql.StartsWith("CREATE SCHEMA", StringComparison.OrdinalIgnoreCase);

    /// <summary>A statement's answer: columns with the vendor's type names, rows as text, and the rows a DML statement changed.</summary>
    public sealed record Answer(string[] Columns, string[] Types, List<string?[]> Rows, long RowsAffected, string Verb);

    /// <summary>PostgreSQL's error, with its SQLSTATE, for the fake to dress in its vendor's error body.</summary>
    public sealed class Failure(string sqlState, string message) : Exception(message)
    {
        public string SqlState { get; } = sqlState;
    }

    /// <summary>Runs one statement with its positional text bindings (typed by PostgreSQL from their use).</summary>
    public Answer Execute(string sql, IReadOnlyList<string?> bindings)
    {
        var translated = Translate(sql);
        using var conn = _db.OpenConnection();
        using var cmd = new NpgsqlCommand(translated, conn);
        foreach (var b in bindings)
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)b ?? DBNull.Value });
        try
        {
            using var r = cmd.ExecuteReader();
            var columns = new string[r.FieldCount];
            var types = new string[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++)
            {
                columns[i] = r.GetName(i).ToUpperInvariant();
                types[i] = TypeName(r.GetDataTypeName(i));
            }
            var rows = new List<string?[]>();
            while (r.Read())
            {
                var row = new string?[r.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : Cell(r.GetValue(i));
                rows.Add(row);
            }
            r.Close();
            return new Answer(columns, types, rows, r.RecordsAffected, translated.TrimStart().Split(' ')[0].ToUpperInvariant());
        }
        catch (PostgresException e) { throw new Failure(e.SqlState, e.MessageText); }
    }

    /// <summary>Snowflake's rowType type names for PostgreSQL's.</summary>
    static string TypeName(string pg) => pg switch
    {
        "smallint" or "integer" or "bigint" or "numeric" => "fixed",
        "boolean" => "boolean",
        "timestamp with time zone" => "timestamp_tz",
        "timestamp without time zone" => "timestamp_ntz",
        "double precision" or "real" => "real",
        _ => "text",
    };

    /// <summary>A value as Snowflake's jsonv2 sends it: timestamps as epoch seconds with nine decimals (TIMESTAMP_TZ adds its offset, minutes + 1440).</summary>
    static string Cell(object value) => value switch
    {
        bool b => b ? "true" : "false",
        DateTime d => Epoch(d) + (d.Kind == DateTimeKind.Utc ? " 1440" : ""),
        DateTimeOffset o => Epoch(o.UtcDateTime) + " 1440",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static string Epoch(DateTime d)
    {
        var ticks = DateTime.SpecifyKind(d, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return $"{seconds.ToString(CultureInfo.InvariantCulture)}.{(rest * 100).ToString("D9", CultureInfo.InvariantCulture)}";
    }

    /// <summary>The few spellings PostgreSQL does not share; quoted text and identifiers are left alone.</summary>
    static string Translate(string sql)
    {
        var sb = new StringBuilder(sql.Length + 16);
        var n = 0;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                while (end > 0 && end + 1 < sql.Length && sql[end + 1] == c) end = sql.IndexOf(c, end + 2);
                if (end < 0) end = sql.Length - 1;
                sb.Append(sql, i, end - i + 1);
                i = end;
                continue;
            }
            if (c == '?') { sb.Append('$').Append(++n); continue; }
            sb.Append(c);
        }
        var text = sb.ToString();
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\bTIMESTAMP_TZ\b", "timestamptz");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\bNUMBER\((\d+),(\d+)\)", "numeric($1,$2)");
        return text;
    }
}
