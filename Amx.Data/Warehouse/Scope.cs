using Amx.Data.Errors;

namespace Amx.Data.Warehouse;

/// <summary>
/// What a run covers: a schema, a table or one column (docs/history-store.md scope syntax). A null scope is the whole warehouse.
/// For a column scope only that column is a target; the table and its other columns are read as context.
/// </summary>
public sealed record Scope(string Schema, string? Table = null, string? Column = null)
{
    /// <summary>Parses <c>schema</c>, <c>schema.table</c> or <c>schema.table.column</c>; null or blank gives null (whole warehouse).</summary>
    public static Scope? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!QualifiedName.TryParseParts(text.Trim(), out var parts))
            throw AmxException.BadInput($"'{text}' is not a scope",
                "use schema, schema.table or schema.table.column; quote parts containing '.', '\"' or spaces: sales.\"order lines\"");
        return new Scope(parts[0], parts.Count > 1 ? parts[1] : null, parts.Count > 2 ? parts[2] : null);
    }

    public bool IsColumn => Column is not null;

    /// <summary>True when the table lies inside the scope (for a column scope: the column's table).</summary>
    public bool Covers(QualifiedName table) =>
        table.Schema == Schema && (Table is null || table.Table == Table);

    /// <summary>The scope in qname syntax (parts quoted as in <see cref="QualifiedName"/>).</summary>
    public override string ToString()
    {
        if (Table is not null) return new QualifiedName(Schema, Table, Column).ToString();
        var schemaOnly = new QualifiedName(Schema, "t").ToString(); // reuse QualifiedName's quoting rule for the one part
        return schemaOnly[..^2];
    }
}
