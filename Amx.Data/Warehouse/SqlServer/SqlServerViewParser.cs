using Amx.Data.Warehouse.Lineage;
using Amx.Data.Warehouse.Model;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Data.Warehouse.SqlServer;

/// <summary>
/// Reads a SQL Server view definition (<c>sys.sql_modules.definition</c>, the full <c>CREATE VIEW</c> text) with
/// ScriptDom into the outer select list and FROM relations <see cref="ViewLineage"/> maps to base columns. T-SQL's
/// <c>[bracket]</c> names, <c>alias = expr</c> items and <c>TOP</c> are the parser's business, not a tokenizer's.
/// Names the definition leaves unqualified are placed with <c>sys.sql_expression_dependencies</c> (the object SQL
/// Server bound them to when the view was created), see <see cref="Dependency"/>.
/// </summary>
public sealed class SqlServerViewParser(IReadOnlyDictionary<QualifiedName, IReadOnlyList<SqlServerViewParser.Dependency>> dependencies)
{
    /// <summary>One row of <c>sys.sql_expression_dependencies</c> for a view: a referenced table or view, and the
    /// referenced column where SQL Server records it (schema-bound views), else null.</summary>
    public sealed record Dependency(string Schema, string Table, string? Column);

    public SqlServerViewParser() : this(new Dictionary<QualifiedName, IReadOnlyList<Dependency>>()) { }

    public ViewLineage.Select? Parse(TableMeta view)
    {
        if (string.IsNullOrWhiteSpace(view.ViewDefinition)) return null;
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(view.ViewDefinition);
        var script = parser.Parse(reader, out var errors);
        if (errors.Count > 0 || script is not TSqlScript s) return null;
        var body = s.Batches.SelectMany(b => b.Statements).OfType<ViewStatementBody>().FirstOrDefault();
        if (body?.SelectStatement?.QueryExpression is not { } query) return null;
        if (First(query) is not { } spec) return null;
        var deps = dependencies.GetValueOrDefault(view.Name with { Column = null }) ?? [];

        var relations = new List<ViewLineage.Relation>();
        foreach (var t in spec.FromClause?.TableReferences ?? []) Collect(t, relations, deps);
        var items = spec.SelectElements.Select(e => Item(e, relations, deps)).ToList();
        return new ViewLineage.Select(items, relations);
    }

    /// <summary>The first query of a UNION/EXCEPT (it names the columns), through parentheses.</summary>
    static QuerySpecification? First(QueryExpression q) => q switch
    {
        QuerySpecification spec => spec,
        BinaryQueryExpression b => First(b.FirstQueryExpression),
        QueryParenthesisExpression p => First(p.QueryExpression),
        _ => null,
    };

    /// <summary>Named tables and views through joins; derived tables and table functions are left out (no lineage).</summary>
    static void Collect(TableReference reference, List<ViewLineage.Relation> into, IReadOnlyList<Dependency> deps)
    {
        switch (reference)
        {
            case NamedTableReference n:
                var table = n.SchemaObject.BaseIdentifier.Value;
                var bound = deps.Where(d => string.Equals(d.Table, table, StringComparison.OrdinalIgnoreCase)).Select(d => d.Schema)
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var schema = n.SchemaObject.SchemaIdentifier?.Value ?? (bound.Count == 1 ? bound[0] : null);
                into.Add(new ViewLineage.Relation(schema, table, n.Alias?.Value ?? table));
                break;
            case JoinTableReference j:
                Collect(j.FirstTableReference, into, deps);
                Collect(j.SecondTableReference, into, deps);
                break;
            case JoinParenthesisTableReference p:
                Collect(p.Join, into, deps);
                break;
        }
    }

    static ViewLineage.SelectItem Item(SelectElement element, List<ViewLineage.Relation> relations, IReadOnlyList<Dependency> deps)
    {
        var text = Text(element);
        if (element is not SelectScalarExpression scalar)
            return new ViewLineage.SelectItem(text, null, [], false, element is SelectStarExpression);
        var expr = scalar.Expression;
        while (expr is ParenthesisExpression p) expr = p.Expression;
        var refs = new ColumnReferences();
        scalar.Expression.Accept(refs);
        var names = refs.Found.Select(r => Qualify(r, relations, deps)).ToList();
        var plain = expr is ColumnReferenceExpression { ColumnType: ColumnType.Regular } && names.Count == 1;
        var output = scalar.ColumnName?.Value ?? (plain ? names[0][^1] : null);
        return new ViewLineage.SelectItem(Text(scalar.Expression), output, names, plain, false);
    }

    /// <summary>A bare column name in a join: the relation whose recorded dependency columns hold it, when only one does.</summary>
    static string[] Qualify(string[] reference, List<ViewLineage.Relation> relations, IReadOnlyList<Dependency> deps)
    {
        if (reference.Length > 1 || relations.Count < 2) return reference;
        var holders = relations.Where(r => deps.Any(d => d.Column is not null && string.Equals(d.Column, reference[0], StringComparison.OrdinalIgnoreCase)
                                                         && string.Equals(d.Table, r.Table, StringComparison.OrdinalIgnoreCase)
                                                         && (r.Schema is null || string.Equals(d.Schema, r.Schema, StringComparison.OrdinalIgnoreCase))))
            .ToList();
        return holders.Count == 1 ? [holders[0].Alias, reference[0]] : reference;
    }

    static string Text(TSqlFragment f) =>
        f.ScriptTokenStream is null || f.FirstTokenIndex < 0 ? ""
            : string.Concat(f.ScriptTokenStream.Skip(f.FirstTokenIndex).Take(f.LastTokenIndex - f.FirstTokenIndex + 1).Select(t => t.Text)).Trim();

    /// <summary>Column references of an expression (not those inside a subquery, which read other relations).</summary>
    sealed class ColumnReferences : TSqlFragmentVisitor
    {
        public List<string[]> Found { get; } = [];

        public override void ExplicitVisit(ScalarSubquery node) { }

        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.ColumnType == ColumnType.Regular && node.MultiPartIdentifier is { } id)
                Found.Add(id.Identifiers.Select(i => i.Value).ToArray());
        }
    }
}
