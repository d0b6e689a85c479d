using System.Text;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse.Lineage;

/// <summary>
/// Maps each column of a view to its base column (pass-through, maybe renamed) or to the base columns its expression
/// uses (derived), from the definition the catalog returns: PostgreSQL <c>pg_get_viewdef</c> (columns qualified by
/// table), MySQL/MariaDB <c>VIEW_DEFINITION</c> (fully qualified, back-quoted; MariaDB 10.11 has no
/// <c>VIEW_COLUMN_USAGE</c>, so both use this parse), SQLite and DuckDB the <c>CREATE VIEW</c> text. SQL Server's T-SQL
/// goes through ScriptDom instead (<c>SqlServerViewParser</c>), passed in as <c>parse</c>.
/// It reads only the outer select list and the FROM/JOIN relations with their aliases; a column it cannot place gets
/// no lineage and is drafted like any other (docs/view-lineage.md).
/// </summary>
public static class ViewLineage
{
    /// <summary>Sets <see cref="ColumnMeta.Lineage"/> on the columns of every view in the catalog that has a definition.</summary>
    /// <param name="parse">Reads a view's definition into its outer select; default the dialect-tolerant
    /// <see cref="Parse"/>. SQL Server passes its ScriptDom reader (SqlServerViewParser).</param>
    public static void Apply(Catalog catalog, Func<TableMeta, Select?>? parse = null)
    {
        parse ??= view => Parse(view.ViewDefinition!);
        // Case-folded for matching unquoted names in the SQL text; where two tables differ only in case
        // ("Order Lines" and order lines), the first wins and an ambiguous reference may go unplaced.
        var byName = new Dictionary<(string, string), TableMeta>();
        foreach (var t in catalog.Tables) byName.TryAdd((t.Name.Schema.ToLowerInvariant(), t.Name.Table.ToLowerInvariant()), t);
        foreach (var view in catalog.Tables.Where(t => t.ViewDefinition is not null))
        {
            Select? select;
            try { select = parse(view); }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException) { continue; }
            if (select is null) continue;
            // The view's column list (SQLite CREATE VIEW v(a, b)) or its columns in order name the select items.
            for (var i = 0; i < view.Columns.Count && i < select.Items.Count; i++)
            {
                var col = view.Columns[i];
                var item = select.Items.FirstOrDefault(x => string.Equals(x.OutputName, col.Name, StringComparison.OrdinalIgnoreCase))
                           ?? (select.Items.Count == view.Columns.Count ? select.Items[i] : null);
                if (item is null || item.Star) continue;
                var refs = item.References.Select(r => Resolve(r, select, view, byName)).OfType<QualifiedName>().Distinct().ToList();
                if (item.IsPlainReference && refs.Count == 1)
                    col.Lineage = new ColumnLineage { Kind = LineageKind.PassThrough, Sources = refs, Expression = item.Expression };
                else if (refs.Count > 0)
                    col.Lineage = new ColumnLineage { Kind = LineageKind.Derived, Sources = refs, Expression = item.Expression };
            }
        }
    }

    static QualifiedName? Resolve(string[] reference, Select select, TableMeta view, Dictionary<(string, string), TableMeta> catalog)
    {
        var column = reference[^1];
        (string? Schema, string Table)? relation = null;
        if (reference.Length >= 2)
        {
            var qualifier = reference[^2];
            var schema = reference.Length >= 3 ? reference[^3] : null;
            relation = select.Relations.FirstOrDefault(r => string.Equals(r.Alias, qualifier, StringComparison.OrdinalIgnoreCase)
                                                            && (schema is null || string.Equals(r.Schema ?? view.Name.Schema, schema, StringComparison.OrdinalIgnoreCase))) is { } hit
                ? (hit.Schema, hit.Table) : (schema, qualifier);
        }
        else
        {
            // A bare name: the only relation, or the one relation whose known columns hold it.
            var candidates = select.Relations.Where(r => Lookup(r.Schema ?? view.Name.Schema, r.Table, catalog) is not { } t
                                                         || t.Columns.Any(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))).ToList();
            if (candidates.Count == 1) relation = (candidates[0].Schema, candidates[0].Table);
            else if (select.Relations.Count == 1) relation = (select.Relations[0].Schema, select.Relations[0].Table);
        }
        if (relation is not { } rel) return null;
        var schemaName = rel.Schema ?? view.Name.Schema;
        // Spell names as the catalog does when the base is known; otherwise as the definition does.
        if (Lookup(schemaName, rel.Table, catalog) is { } baseTable)
        {
            var match = baseTable.Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase));
            return match is null ? null : baseTable.Name with { Column = match.Name };
        }
        return new QualifiedName(schemaName, rel.Table, column);
    }

    static TableMeta? Lookup(string schema, string table, Dictionary<(string, string), TableMeta> catalog) =>
        catalog.GetValueOrDefault((schema.ToLowerInvariant(), table.ToLowerInvariant()));

    public sealed record Relation(string? Schema, string Table, string Alias);

    /// <param name="References">Column references, each as its name parts (<c>t.c</c> → ["t","c"]).</param>
    public sealed record SelectItem(string Expression, string? OutputName, IReadOnlyList<string[]> References, bool IsPlainReference, bool Star);

    public sealed record Select(IReadOnlyList<SelectItem> Items, IReadOnlyList<Relation> Relations);

    enum Kind { Word, Quoted, Punct, Literal }

    readonly record struct Token(Kind Kind, string Text, int Depth)
    {
        public bool IsName => Kind is Kind.Word or Kind.Quoted;
        public bool Is(string word) => Kind == Kind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
    }

    static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "group", "order", "by", "having", "limit", "union", "join", "left", "right", "inner", "outer",
        "full", "cross", "on", "using", "as", "and", "or", "not", "null", "is", "in", "case", "when", "then", "else", "end",
        "distinct", "all", "true", "false", "like", "between", "exists", "cast", "interval", "natural", "lateral", "window",
        "over", "partition", "filter", "asc", "desc", "with", "create", "view", "if", "temp", "temporary", "algorithm",
        "definer", "sql", "security", "invoker", "collate", "escape", "similar", "ilike", "any", "some", "array", "row",
    };

    /// <summary>The outer select list and FROM relations of a view definition; null when there is no SELECT.</summary>
    public static Select? Parse(string definition)
    {
        var tokens = Tokenize(definition);
        var start = tokens.FindIndex(t => t.Depth == 0 && t.Is("select"));
        if (start < 0) return null;
        var i = start + 1;
        while (i < tokens.Count && (tokens[i].Is("distinct") || tokens[i].Is("all"))) i++;
        var fromAt = tokens.FindIndex(i, t => t.Depth == 0 && t.Is("from"));
        var listEnd = fromAt < 0 ? tokens.Count : fromAt;
        var items = new List<SelectItem>();
        var current = new List<Token>();
        for (; i <= listEnd; i++)
        {
            if (i == listEnd || (tokens[i].Depth == 0 && tokens[i] is { Kind: Kind.Punct, Text: "," }))
            {
                if (current.Count > 0) items.Add(Item(current));
                current = [];
                continue;
            }
            current.Add(tokens[i]);
        }
        var relations = fromAt < 0 ? [] : Relations(tokens, fromAt);
        return new Select(items, relations);
    }

    static SelectItem Item(List<Token> tokens)
    {
        string? alias = null;
        var expr = tokens;
        if (tokens.Count >= 3 && tokens[^2].Is("as") && tokens[^1].IsName)
        {
            alias = tokens[^1].Text;
            expr = tokens.Take(tokens.Count - 2).ToList();
        }
        else if (tokens.Count >= 2 && tokens[^1].IsName && tokens[^1].Depth == 0 && !Keywords.Contains(tokens[^1].Text)
                 && (tokens[^2].IsName || tokens[^2].Text is ")" or "'"))
        {
            alias = tokens[^1].Text;
            expr = tokens.Take(tokens.Count - 1).ToList();
        }
        var star = expr.Count > 0 && expr[^1].Text == "*" && expr.All(t => t.IsName || t.Text is "." or "*");
        var refs = References(expr);
        var plain = refs.Count == 1 && expr.All(t => t.IsName || t.Text == ".");
        // PostgreSQL writes a renamed pass-through with a cast only when types differ; a ::type suffix keeps it plain.
        if (!plain && refs.Count == 1 && expr.Count >= 3 && expr.SkipWhile(t => t.IsName || t.Text == ".").FirstOrDefault().Text == "::")
            plain = expr.SkipWhile(t => t.IsName || t.Text == ".").Skip(1).All(t => t.IsName || t.Text is "(" or ")" or "," || t.Kind == Kind.Literal);
        var output = alias ?? (refs.Count == 1 && plain ? refs[0][^1] : null);
        return new SelectItem(string.Join(" ", expr.Select(t => t.Kind == Kind.Quoted ? $"\"{t.Text}\"" : t.Text)).Replace(" . ", "."), output, refs, plain, star);
    }

    /// <summary>Identifier chains that are not keywords, function names or type names after <c>::</c>.</summary>
    static List<string[]> References(List<Token> expr)
    {
        var refs = new List<string[]>();
        for (var i = 0; i < expr.Count; i++)
        {
            if (!expr[i].IsName || (expr[i].Kind == Kind.Word && Keywords.Contains(expr[i].Text))) continue;
            if (i > 0 && (expr[i - 1].Text == "::" || expr[i - 1].Is("as"))) continue; // a type name
            var parts = new List<string> { expr[i].Text };
            while (i + 2 < expr.Count && expr[i + 1].Text == "." && expr[i + 2].IsName) { parts.Add(expr[i + 2].Text); i += 2; }
            if (i + 1 < expr.Count && expr[i + 1].Text == "(") continue; // a function call
            if (i + 1 < expr.Count && expr[i + 1].Text == "." && i + 2 < expr.Count && expr[i + 2].Text == "*") continue;
            if (expr[i].Kind == Kind.Word && char.IsDigit(parts[0][0])) continue;
            refs.Add(parts.ToArray());
        }
        return refs;
    }

    /// <summary>FROM a [AS] x JOIN b y ON … , c: each relation name with its alias (subqueries are skipped).</summary>
    static List<Relation> Relations(List<Token> tokens, int fromAt)
    {
        var list = new List<Relation>();
        var depth = tokens[fromAt].Depth;
        var expectRelation = true;
        for (var i = fromAt + 1; i < tokens.Count; i++)
        {
            var t = tokens[i];
            // A parenthesised join tree keeps its relations one level deeper; a subquery starts with SELECT and is skipped.
            if (t.Depth < depth) break;
            if (t.Depth == depth && (t.Is("where") || t.Is("group") || t.Is("having") || t.Is("order") || t.Is("limit") || t.Is("union") || t.Is("window"))) break;
            if (t.Is("join") || t.Text == ",") { expectRelation = true; continue; }
            if (t.Text == "(") continue;
            if (t.Is("on") || t.Is("using")) { expectRelation = false; continue; }
            if (!expectRelation || !t.IsName || (t.Kind == Kind.Word && Keywords.Contains(t.Text))) continue;
            var parts = new List<string> { t.Text };
            while (i + 2 < tokens.Count && tokens[i + 1].Text == "." && tokens[i + 2].IsName) { parts.Add(tokens[i + 2].Text); i += 2; }
            var alias = parts[^1];
            if (i + 1 < tokens.Count && tokens[i + 1].Is("as")) i++;
            if (i + 1 < tokens.Count && tokens[i + 1].IsName && !(tokens[i + 1].Kind == Kind.Word && Keywords.Contains(tokens[i + 1].Text)))
                alias = tokens[++i].Text;
            list.Add(new Relation(parts.Count >= 2 ? parts[^2] : null, parts[^1], alias));
            expectRelation = false;
        }
        return list;
    }

    /// <summary>Words, quoted names ("x", `x`, [x]), string literals, numbers and punctuation, each with its paren depth.</summary>
    static List<Token> Tokenize(string sql)
    {
        var list = new List<Token>();
        var depth = 0;
        for (var i = 0; i < sql.Length;)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-') { while (i < sql.Length && sql[i] != '\n') i++; continue; }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*') { var e = sql.IndexOf("*/", i + 2, StringComparison.Ordinal); i = e < 0 ? sql.Length : e + 2; continue; }
            if (c is '"' or '`' or '[' or '\'')
            {
                var close = c == '[' ? ']' : c;
                var sb = new StringBuilder();
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == close)
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == close && close != ']') { sb.Append(close); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (sql[i] == '\\' && c == '\'' && i + 1 < sql.Length) { sb.Append(sql[i + 1]); i += 2; continue; }
                    sb.Append(sql[i++]);
                }
                list.Add(new Token(c == '\'' ? Kind.Literal : Kind.Quoted, c == '\'' ? "'" : sb.ToString(), depth));
                continue;
            }
            if (char.IsLetterOrDigit(c) || c == '_' || c == '$')
            {
                var s = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$')) i++;
                var word = sql[s..i];
                list.Add(new Token(char.IsDigit(word[0]) ? Kind.Literal : Kind.Word, word, depth));
                continue;
            }
            if (c == ':' && i + 1 < sql.Length && sql[i + 1] == ':') { list.Add(new Token(Kind.Punct, "::", depth)); i += 2; continue; }
            if (c == '(') { list.Add(new Token(Kind.Punct, "(", depth)); depth++; i++; continue; }
            if (c == ')') { depth = Math.Max(0, depth - 1); list.Add(new Token(Kind.Punct, ")", depth)); i++; continue; }
            list.Add(new Token(Kind.Punct, c.ToString(), depth));
            i++;
        }
        return list;
    }
}
