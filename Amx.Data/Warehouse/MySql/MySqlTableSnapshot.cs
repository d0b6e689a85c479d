using System.Data.Common;
using MySqlConnector;

namespace Amx.Data.Warehouse.MySql;

/// <summary>One attribute of a table's definition; Column null for table-level facts (options, indexes, checks).</summary>
public readonly record struct DefinitionKey(string? Column, string Attribute)
{
    public override string ToString() => Column is null ? Attribute : $"column `{Column}` {Attribute}";
}

/// <summary>
/// Everything about a table's definition except its comments, read binary-safe in one round trip (two for a real
/// table with spatial columns): the <c>SHOW CREATE TABLE</c> text (as statement text, binary literals as hex),
/// <c>SHOW FULL COLUMNS</c>, <c>SHOW INDEX</c> and, for a real table, every <c>information_schema.COLUMNS</c> field,
/// CHECK constraints, table options and the spatial columns' SRIDs. Two snapshots compare fact by fact: the proof and the check after a write (docs/mysql-mariadb.md).
/// </summary>
public sealed class MySqlTableSnapshot
{
    public required string CreateTable { get; init; }
    public required IReadOnlyDictionary<DefinitionKey, string> Facts { get; init; }
    /// <summary>Spatial columns' SRIDs from the catalog (MariaDB does not print them).</summary>
    public required IReadOnlyDictionary<string, long> Srids { get; init; }

    public static Task<MySqlTableSnapshot?> ReadAsync(MySqlConnection conn, MySqlDialect dialect, string schema, string table,
        bool catalog, CancellationToken ct) => ReadAfterAsync(conn, dialect, null, schema, table, catalog, null, ct);

    /// <summary>
    /// The snapshot, read in the same round trip as statements that return no rows: <paramref name="before"/> runs
    /// first (a CREATE or ALTER whose effect is to be seen; its error is thrown as is), <paramref name="after"/> last
    /// (e.g. dropping a temporary copy). One round trip instead of three per step of a table's write.
    /// </summary>
    public static async Task<MySqlTableSnapshot?> ReadAfterAsync(MySqlConnection conn, MySqlDialect dialect, string? before, string schema, string table,
        bool catalog, string? after, CancellationToken ct)
    {
        var quoted = dialect.QuoteIdentifier(schema) + "." + dialect.QuoteIdentifier(table);
        // Binary results for the definition only; switched back in the same batch (and again below if it failed midway).
        var sql = (before is null ? "" : before + "; ") +
                  $"SET SESSION character_set_results = binary; SHOW CREATE TABLE {quoted}; SHOW FULL COLUMNS FROM {quoted}; SHOW INDEX FROM {quoted};";
        if (catalog)
            sql += " SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @s AND TABLE_NAME = @t ORDER BY ORDINAL_POSITION; " +
                   dialect.ChecksQuery + "; " +
                   "SELECT ENGINE, ROW_FORMAT, TABLE_COLLATION, CREATE_OPTIONS, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = @s AND TABLE_NAME = @t;";
        sql += " SET SESSION character_set_results = utf8mb4;" + (after is null ? "" : " " + after + ";");
        var facts = new Dictionary<DefinitionKey, string>();
        var srids = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        string createTable;
        var spatial = false;
        var done = false;
        try
        {
            await using (var cmd = new MySqlCommand(sql, conn))
            {
                cmd.Parameters.AddWithValue("@s", schema);
                cmd.Parameters.AddWithValue("@t", table);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                // SHOW CREATE TABLE of a view names its second column "Create View": views have no column comments here.
                if (!await r.ReadAsync(ct) || r.GetName(1) != "Create Table")
                {
                    while (await r.NextResultAsync(ct)) { } // the closing SET (and the after statement) still run
                    return null;
                }
                createTable = MySqlBinaryText.ToStatementText((byte[])r.GetValue(1));
                var lines = createTable.Split('\n');
                for (var i = 1; i < lines.Length; i++) // line 0 names the table (a copy has another name)
                {
                    var line = MySqlColumnDefinition.WithoutComments(lines[i].Trim());
                    var column = MySqlColumnDefinition.ColumnOf(line);
                    facts[column is null ? new DefinitionKey(null, $"SHOW CREATE TABLE line {i}") : new DefinitionKey(column, "definition")] = line;
                }

                await r.NextResultAsync(ct);
                var position = 0;
                while (await r.ReadAsync(ct))
                {
                    var column = Text(r, "Field");
                    facts[new DefinitionKey(column, "position")] = (++position).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    foreach (var field in new[] { "Type", "Collation", "Null", "Key", "Default", "Extra" })
                        facts[new DefinitionKey(column, field)] = Text(r, field);
                    spatial |= IsSpatial(facts[new DefinitionKey(column, "Type")]);
                }

                await r.NextResultAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    var key = $"index {Text(r, "Key_name")} part {Text(r, "Seq_in_index")}";
                    facts[new DefinitionKey(null, key)] = string.Join(" ", Enumerable.Range(0, r.FieldCount)
                        .Where(i => r.GetName(i) is not ("Table" or "Cardinality"))
                        .Select(i => $"{r.GetName(i)}={Text(r, i)}"));
                }

                if (catalog)
                {
                    await r.NextResultAsync(ct);
                    while (await r.ReadAsync(ct))
                    {
                        var column = Text(r, "COLUMN_NAME");
                        for (var i = 0; i < r.FieldCount; i++)
                            if (r.GetName(i) is not ("COLUMN_COMMENT" or "COLUMN_NAME"))
                                facts[new DefinitionKey(column, r.GetName(i))] = Text(r, i);
                    }
                    await r.NextResultAsync(ct);
                    while (await r.ReadAsync(ct))
                        facts[new DefinitionKey(null, $"CHECK {Text(r, 0)}")] = string.Join(" ", Enumerable.Range(1, r.FieldCount - 1).Select(i => Text(r, i)));
                    await r.NextResultAsync(ct);
                    while (await r.ReadAsync(ct))
                        for (var i = 0; i < r.FieldCount; i++)
                            facts[new DefinitionKey(null, r.GetName(i))] = Text(r, i);
                }
                while (await r.NextResultAsync(ct)) { } // the closing SET
            }

            // MariaDB fills information_schema.GEOMETRY_COLUMNS by opening every table of the schema (0.4 s per read
            // at 2,000 tables), so SRIDs are read only where they can exist: a table with a spatial column. A statement
            // that made a column spatial would show in the types compared above all the same.
            if (catalog && spatial)
            {
                await using var cmd = new MySqlCommand($"SET SESSION character_set_results = binary; {dialect.SridQuery}; SET SESSION character_set_results = utf8mb4;", conn);
                cmd.Parameters.AddWithValue("@s", schema);
                cmd.Parameters.AddWithValue("@t", table);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    var column = Text(r, 0);
                    srids[column] = Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                    facts[new DefinitionKey(column, "SRID")] = srids[column].ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                while (await r.NextResultAsync(ct)) { }
            }
            done = true;
        }
        finally
        {
            if (!done)
            {
                // Back to text results for everything else on this connection (live comments are read as strings).
                await using var reset = new MySqlCommand("SET SESSION character_set_results = utf8mb4", conn);
                await reset.ExecuteNonQueryAsync(ct);
            }
        }
        return new MySqlTableSnapshot { CreateTable = createTable, Facts = facts, Srids = srids };
    }

    static readonly string[] SpatialTypes =
        ["geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection"];

    /// <summary>A spatial type as SHOW FULL COLUMNS prints it ("point", "geometry /*!80003 SRID 4326 */" …).</summary>
    static bool IsSpatial(string type)
    {
        var word = type.Split(' ', '(')[0];
        return SpatialTypes.Contains(word, StringComparer.OrdinalIgnoreCase);
    }

    static string Text(DbDataReader r, string name) => Text(r, r.GetOrdinal(name));

    static string Text(DbDataReader r, int i) => r.IsDBNull(i) ? "NULL" : r.GetValue(i) switch
    {
        byte[] b => MySqlBinaryText.Show(b),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var v => v.ToString() ?? "",
    };

    /// <summary>Every fact that differs between two snapshots (present in one only counts too).</summary>
    public static IReadOnlyList<(DefinitionKey Key, string Before, string After)> Diff(MySqlTableSnapshot before, MySqlTableSnapshot after)
    {
        var keys = before.Facts.Keys.Union(after.Facts.Keys);
        var diff = new List<(DefinitionKey, string, string)>();
        foreach (var k in keys)
        {
            var a = before.Facts.GetValueOrDefault(k, "(absent)");
            var b = after.Facts.GetValueOrDefault(k, "(absent)");
            if (!string.Equals(a, b, StringComparison.Ordinal)) diff.Add((k, a, b));
        }
        return diff;
    }

    /// <summary>"column `c` Type: int(11) → bigint(20); …" (values cut to stay one readable line).</summary>
    public static string Describe(IEnumerable<(DefinitionKey Key, string Before, string After)> diff) =>
        string.Join("; ", diff.Take(4).Select(d => $"{d.Key}: {Cut(d.Before)} → {Cut(d.After)}"));

    static string Cut(string s) => s.Length > 160 ? s[..157] + "…" : s;
}
