namespace Amx.Data.Warehouse.Http;

/// <summary>
/// Turns <c>@name</c> parameters into the <c>?</c> placeholders of an API that binds by position (Snowflake), so the
/// history store's SQL, written once with names, runs there too. A name used twice is bound twice. Quoted strings and
/// identifiers are left alone; SQL without <c>@</c> names (the warehouse's own, already positional) passes unchanged.
/// </summary>
public static class PositionalSql
{
    public static (string Sql, IReadOnlyList<HttpSqlParameter> Parameters) Rewrite(string sql, IReadOnlyList<HttpSqlParameter> parameters)
    {
        if (parameters.Count == 0 || !sql.Contains('@') || !parameters.Any(p => p.ParameterName.StartsWith('@')))
            return (sql, parameters);
        var byName = new Dictionary<string, HttpSqlParameter>(StringComparer.Ordinal);
        foreach (var p in parameters) byName[p.ParameterName] = p;
        var sb = new System.Text.StringBuilder(sql.Length);
        var ordered = new List<HttpSqlParameter>();
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                // Copy the quoted run whole; a doubled quote stays inside it.
                var end = i + 1;
                while (end < sql.Length)
                {
                    if (sql[end] != c) { end++; continue; }
                    if (end + 1 < sql.Length && sql[end + 1] == c) { end += 2; continue; }
                    break;
                }
                end = Math.Min(end, sql.Length - 1);
                sb.Append(sql, i, end - i + 1);
                i = end;
                continue;
            }
            if (c == '@' && i + 1 < sql.Length && (char.IsLetter(sql[i + 1]) || sql[i + 1] == '_'))
            {
                var start = i;
                i++;
                while (i + 1 < sql.Length && (char.IsLetterOrDigit(sql[i + 1]) || sql[i + 1] == '_')) i++;
                var name = sql[start..(i + 1)];
                if (!byName.TryGetValue(name, out var p))
                    throw new InvalidOperationException($"the statement uses {name} but no such parameter was bound");
                sb.Append('?');
                ordered.Add(p);
                continue;
            }
            sb.Append(c);
        }
        return (sb.ToString(), ordered);
    }
}
