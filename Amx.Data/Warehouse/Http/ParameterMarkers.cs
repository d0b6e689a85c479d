namespace Amx.Data.Warehouse.Http;

/// <summary>How an API marks parameters in SQL: BigQuery takes <c>@name</c> as written, Snowflake binds <c>?</c> by position, Databricks names <c>:name</c>.</summary>
public enum ParameterMarker { AtName, Question, ColonName }

/// <summary>
/// Rewrites <c>@name</c> parameters into the marker of an API that does not take them, so the history store's SQL,
/// written once with names, runs on every API. Positional: a name used twice is bound twice. Named: each name once,
/// without its <c>@</c>. Quoted strings and identifiers are left alone; SQL without <c>@</c> names (the warehouse
/// readers' own, already in the API's marker) passes unchanged.
/// </summary>
public static class ParameterMarkers
{
    public static (string Sql, IReadOnlyList<HttpSqlParameter> Parameters) Rewrite(string sql, IReadOnlyList<HttpSqlParameter> parameters, ParameterMarker marker)
    {
        if (marker == ParameterMarker.AtName || parameters.Count == 0 || !sql.Contains('@') || !parameters.Any(p => p.ParameterName.StartsWith('@')))
            return (sql, parameters);
        var byName = new Dictionary<string, HttpSqlParameter>(StringComparer.Ordinal);
        foreach (var p in parameters) byName[p.ParameterName] = p;
        var sb = new System.Text.StringBuilder(sql.Length);
        var ordered = new List<HttpSqlParameter>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`')
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
                while (i + 1 < sql.Length && (char.IsLetterOrDigit(sql[i + 1]) || sql[i + 1] == '_')) i++;
                var name = sql[start..(i + 1)];
                if (!byName.TryGetValue(name, out var p))
                    throw new InvalidOperationException($"the statement uses {name} but no such parameter was bound");
                if (marker == ParameterMarker.Question)
                {
                    sb.Append('?');
                    ordered.Add(p);
                }
                else
                {
                    sb.Append(':').Append(name, 1, name.Length - 1);
                    if (named.Add(name)) ordered.Add(new HttpSqlParameter { ParameterName = name[1..], DbType = p.DbType, Value = p.Value });
                }
                continue;
            }
            sb.Append(c);
        }
        return (sb.ToString(), ordered);
    }
}
