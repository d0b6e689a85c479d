using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amx.TestSupport.FakeCloudWarehouses;

public enum FakeProfilingError { Syntax, MissingTable, MissingColumn }

/// <summary>A profiling-like statement the fake cannot run: a shape amx does not send, or an unknown table or column.</summary>
public sealed class FakeProfilingException(string message, FakeProfilingError kind) : Exception(message)
{
    public FakeProfilingError Kind { get; } = kind;
}

/// <summary>
/// Evaluates the profiling statements amx sends (the shapes of TableProfiler with one dialect's functions) over a fake
/// warehouse's in-memory <see cref="FakeCloudTable.Rows"/>: the per-table statistics SELECT (COUNT(*), then per column
/// non-null count, distinct count, MIN/MAX, examples as a JSON array) over the table, a sample or a LIMIT; the top
/// values UNION ALL; the bounded row count. Every select item must be one of the dialect's shapes over a column of the
/// table (<c>s."COL"</c>); anything else is not a profiling statement (<see cref="TryEvaluate"/> returns null and the
/// fake answers with its syntax error). A sample is a fixed pseudo-random choice of n rows; LIMIT n the first n.
/// </summary>
public sealed class FakeProfilingSql
{
    /// <summary>
    /// A dialect: the regex of one quoted identifier, its unquoting, and the item templates ({c} = the column).
    /// <paramref name="OtherTexts"/>: further spellings of "the column as text" (e.g. for types a cast cannot take);
    /// every template that contains <paramref name="Text"/> is also accepted with it replaced by one of them.
    /// </summary>
    public sealed record Dialect(
        string Identifier, Func<string, string> Unquote, string CountStar,
        string Count, string CountDistinct, string Min, string Max, string Examples, string Text,
        string Sample /* regex of the sampling clause after the table, with (?<n>\d+) rows and optionally (?<p>…) percent */,
        string[]? OtherTexts = null,
        /* the warehouse's type check: an error message when an item cannot apply to the column's type, else null */
        Func<FakeCloudColumn, string, string?>? TypeError = null);

    public sealed record Result(string[] Columns, bool[] Numeric, List<string?[]> Rows);

    const int TextWidth = 100;
    readonly Dialect _d;
    readonly Func<string, string, FakeCloudTable?> _find;
    readonly (string Kind, Regex Pattern)[] _items;
    readonly Regex _text, _count, _top, _profile;

    public FakeProfilingSql(Dialect d, Func<string, string, FakeCloudTable?> find)
    {
        _d = d;
        _find = find;
        string Pattern(string template) => Regex.Escape(template).Replace(@"\{c}", $@"s\.(?<c>{d.Identifier})");
        Regex Item(string template) => new("^(?:" + string.Join("|",
            new[] { template }.Concat((d.OtherTexts ?? []).Where(_ => template.Contains(d.Text, StringComparison.Ordinal)).Select(t => template.Replace(d.Text, t, StringComparison.Ordinal)))
                .Select(Pattern)) + ")$", RegexOptions.Singleline);
        _items = [("count", Item(d.Count)), ("distinct", Item(d.CountDistinct)), ("min", Item(d.Min)), ("max", Item(d.Max)), ("examples", Item(d.Examples))];
        _text = Item(d.Text);
        var table = $@"(?<ts>{d.Identifier})\.(?<tn>{d.Identifier})";
        var star = Regex.Escape(d.CountStar);
        _count = new Regex($@"^SELECT {star} FROM \(SELECT 1 FROM {table} LIMIT (?<n>\d+)\)$", RegexOptions.Singleline);
        _top = new Regex($@"^SELECT \* FROM \(SELECT (?<i>\d+) AS i, (?<v>.+) AS v, {star} AS n FROM {table} s WHERE s\.(?<c>{d.Identifier}) IS NOT NULL GROUP BY (?<g>.+) ORDER BY n DESC, v LIMIT (?<lim>\d+)\)$", RegexOptions.Singleline);
        _profile = new Regex($@"^SELECT (?<items>.+) FROM (?:\(SELECT \* FROM {table}(?:{d.Sample}| LIMIT (?<lim>\d+))\)|{table}) s$", RegexOptions.Singleline);
    }

    /// <summary>The statement's result, or null when it is not a profiling statement of this dialect.</summary>
    public Result? TryEvaluate(string sql)
    {
        if (_count.Match(sql) is { Success: true } c)
        {
            var t = Table(c);
            var n = Math.Min(t.Rows.Count, long.Parse(c.Groups["n"].Value, CultureInfo.InvariantCulture));
            return new Result(["COUNT(*)"], [true], [[n.ToString(CultureInfo.InvariantCulture)]]);
        }
        if (sql.StartsWith("SELECT * FROM (SELECT ", StringComparison.Ordinal)) return TopValues(sql);
        if (_profile.Match(sql) is { Success: true } p) return Profile(p);
        return null;
    }

    FakeCloudTable Table(Match m)
    {
        var (schema, name) = (_d.Unquote(m.Groups["ts"].Value), _d.Unquote(m.Groups["tn"].Value));
        var t = _find(schema, name) ?? throw new FakeProfilingException($"Object '{schema}.{name}' does not exist or not authorized.", FakeProfilingError.MissingTable);
        if (t.Rows.Any(r => r.Length != t.Columns.Count)) throw new InvalidOperationException($"fake table {schema}.{name}: a row does not match its columns");
        return t;
    }

    int Column(FakeCloudTable t, Group g)
    {
        var name = _d.Unquote(g.Value);
        var i = t.Columns.FindIndex(c => c.Name == name);
        return i >= 0 ? i : throw new FakeProfilingException($"invalid identifier '{g.Value}'", FakeProfilingError.MissingColumn);
    }

    static string Text(string v) => v.Length > TextWidth ? v[..TextWidth] : v;

    static bool IsNumeric(FakeCloudColumn c) =>
        Regex.IsMatch(c.DataType, "^(NUMBER|DECIMAL|NUMERIC|BIGNUMERIC|INT|INTEGER|BIGINT|SMALLINT|TINYINT|FLOAT|DOUBLE|REAL)", RegexOptions.IgnoreCase);

    Result Profile(Match m)
    {
        var t = Table(m);
        IEnumerable<string?[]> rows = t.Rows;
        if (m.Groups["lim"].Success) rows = rows.Take(int.Parse(m.Groups["lim"].Value, CultureInfo.InvariantCulture));
        else if (m.Groups["n"].Success)
        {
            // A fixed pseudo-random choice of n rows, in table order (not simply the first n). With a percentage
            // (a block sample, then LIMIT n): that share of the rows (at least one of a non-empty table), then n of them.
            var n = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            var random = new Random(n);
            var take = n;
            if (m.Groups["p"].Success)
            {
                var p = double.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture);
                if (p is <= 0 or > 100) throw new FakeProfilingException($"sampling percentage {p} is not in (0, 100]", FakeProfilingError.Syntax);
                take = Math.Min(n, Math.Max(t.Rows.Count == 0 ? 0 : 1, (int)Math.Ceiling(t.Rows.Count * p / 100)));
            }
            var picked = Enumerable.Range(0, t.Rows.Count).OrderBy(_ => random.Next()).Take(take).Order().ToList();
            rows = picked.Select(i => t.Rows[i]);
        }
        var data = rows.ToList();

        var items = SplitTopLevel(m.Groups["items"].Value);
        if (items[0] != _d.CountStar) throw new FakeProfilingException($"the fake expects {_d.CountStar} first", FakeProfilingError.Syntax);
        var columns = new List<string> { items[0] };
        var numeric = new List<bool> { true };
        var row = new List<string?> { data.Count.ToString(CultureInfo.InvariantCulture) };
        foreach (var item in items.Skip(1))
        {
            var (kind, match) = _items.Select(x => (x.Kind, M: x.Pattern.Match(item))).FirstOrDefault(x => x.M.Success);
            if (match is null) throw new FakeProfilingException($"the fake does not evaluate '{item}'", FakeProfilingError.Syntax);
            // A template naming the column twice (ORDER BY inside an aggregate) must name the same column.
            if (match.Groups["c"].Captures.Select(x => x.Value).Distinct().Count() > 1)
                throw new FakeProfilingException($"the fake does not evaluate '{item}' (two columns)", FakeProfilingError.Syntax);
            var ci = Column(t, match.Groups["c"]);
            var col = t.Columns[ci];
            if (_d.TypeError?.Invoke(col, item) is { } typeError) throw new FakeProfilingException(typeError, FakeProfilingError.Syntax);
            var values = data.Select(r => r[ci]).Where(v => v is not null).Select(v => v!).ToList();
            columns.Add(item);
            numeric.Add(kind is "count" or "distinct");
            row.Add(kind switch
            {
                "count" => values.Count.ToString(CultureInfo.InvariantCulture),
                "distinct" => values.Select(Text).Distinct(StringComparer.Ordinal).Count().ToString(CultureInfo.InvariantCulture),
                "min" or "max" when values.Count == 0 => null,
                "min" => Text(Ordered(values, col).First()),
                "max" => Text(Ordered(values, col).Last()),
                _ => JsonSerializer.Serialize(values.Select(Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(5)),
            });
        }
        return new Result([.. columns], [.. numeric], [[.. row]]);
    }

    static IEnumerable<string> Ordered(List<string> values, FakeCloudColumn c) => IsNumeric(c)
        ? values.OrderBy(v => decimal.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))
        : values.Order(StringComparer.Ordinal);

    Result TopValues(string sql)
    {
        var rows = new List<string?[]>();
        foreach (var branch in sql.Split("\nUNION ALL\n"))
        {
            var m = _top.Match(branch);
            if (!m.Success) throw new FakeProfilingException("the fake does not evaluate this top-values branch", FakeProfilingError.Syntax);
            var t = Table(m);
            var ci = Column(t, m.Groups["c"]);
            // The grouped and selected expression must be the column as text, the same column as in WHERE.
            if (m.Groups["v"].Value != m.Groups["g"].Value || _text.Match(m.Groups["v"].Value) is not { Success: true } tm || Column(t, tm.Groups["c"]) != ci)
                throw new FakeProfilingException("the fake does not evaluate this top-values expression", FakeProfilingError.Syntax);
            if (_d.TypeError?.Invoke(t.Columns[ci], m.Groups["v"].Value) is { } typeError) throw new FakeProfilingException(typeError, FakeProfilingError.Syntax);
            var lim = int.Parse(m.Groups["lim"].Value, CultureInfo.InvariantCulture);
            rows.AddRange(t.Rows.Select(r => r[ci]).Where(v => v is not null).GroupBy(v => Text(v!), StringComparer.Ordinal)
                .Select(g => (V: g.Key, N: g.Count())).OrderByDescending(x => x.N).ThenBy(x => x.V, StringComparer.Ordinal).Take(lim)
                .Select(x => new string?[] { m.Groups["i"].Value, x.V, x.N.ToString(CultureInfo.InvariantCulture) }));
        }
        return new Result(["i", "v", "n"], [true, false, true], rows);
    }

    /// <summary>Splits a select list at commas outside parentheses, quoted identifiers and string literals.</summary>
    static List<string> SplitTopLevel(string list)
    {
        var items = new List<string>();
        var depth = 0;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < list.Length; i++)
        {
            var ch = list[i];
            if (quote is { } q) { if (ch == q) quote = null; continue; } // a doubled quote closes and reopens: same effect
            if (ch is '"' or '`' or '\'') quote = ch;
            else if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (ch == ',' && depth == 0) { items.Add(list[start..i].Trim()); start = i + 1; }
        }
        items.Add(list[start..].Trim());
        return items;
    }
}
