using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm.Offline;

/// <summary>How the offline drafter names a table's rows: <c>store_sales</c> → "store sales", <c>customer_dim</c> →
/// "customer" (a dimension), <c>orders</c> → "order".</summary>
public sealed class TableWords
{
    static readonly HashSet<string> Prefixes = new(StringComparer.Ordinal) { "tbl", "tb", "t", "dim", "fact", "fct", "stg", "vw", "v", "mv", "d", "f" };
    // "header" of a header/detail pair: a row of salesorderheader is a sales order.
    static readonly HashSet<string> Suffixes = new(StringComparer.Ordinal) { "dim", "fact", "fct", "tbl", "vw", "view", "v", "mv", "header" };

    public required IReadOnlyList<string> RawWords { get; init; }
    /// <summary>Singular phrase for one row: "customer", "store sales".</summary>
    public required string Entity { get; init; }
    public required IReadOnlyList<string> EntityWords { get; init; }
    /// <summary><see cref="EntityWords"/> each in the singular, made once per table (every column is compared with them).</summary>
    public IReadOnlyList<string> SingularEntityWords => _singularEntityWords ??= EntityWords.Select(Vocabulary.Singular).ToList();
    public required string Plural { get; init; }
    /// <summary>"dimension", "fact" or "".</summary>
    public required string Role { get; init; }

    // What IsColumnPrefix compares with, made once per table instead of once per column.
    string? _initials, _entityInitials, _joined;
    IReadOnlyList<string>? _singularEntityWords;

    public static TableWords Of(TableMeta table)
    {
        var raw = NameWords.Split(table.Name.Table);
        var words = raw.ToList();
        var role = "";
        if (words.Count > 1 && Prefixes.Contains(words[0])) { role = RoleOf(words[0]); words.RemoveAt(0); }
        if (words.Count > 1 && Suffixes.Contains(words[^1])) { role = role.Length > 0 ? role : RoleOf(words[^1]); words.RemoveAt(words.Count - 1); }
        if (words.Count == 0) words = raw.Count > 0 ? raw : ["table"];
        var expanded = words.Select(Vocabulary.Expand).ToList();
        var singular = expanded.Take(expanded.Count - 1).Append(Vocabulary.Singular(expanded[^1])).ToList();
        var pluralWords = expanded.Take(expanded.Count - 1).Append(Vocabulary.Plural(singular[^1])).ToList();
        return new TableWords
        {
            RawWords = raw,
            EntityWords = words,
            Entity = string.Join(' ', singular),
            Plural = string.Join(' ', pluralWords),
            Role = role,
        };
    }

    static string RoleOf(string affix) => affix switch { "dim" or "d" => "dimension", "fact" or "fct" or "f" => "fact", _ => "" };

    /// <summary>Whether a column's first word is this table's prefix (<c>c_</c> in customer, <c>ss_</c> in store_sales).</summary>
    public bool IsColumnPrefix(string word)
    {
        if (word.Length > 4) return false;
        var initials = _initials ??= string.Concat(RawWords.Select(w => w[0]));
        var entityInitials = _entityInitials ??= string.Concat(EntityWords.Select(w => w[0]));
        var joined = _joined ??= string.Concat(RawWords);
        return word == initials || word == entityInitials || joined.StartsWith(word, StringComparison.Ordinal) && word != joined;
    }

    public string KindPhrase(string kind) => kind switch
    {
        TargetKinds.View => "View",
        TargetKinds.MaterializedView => "Materialized view",
        _ => Role switch { "dimension" => "Dimension table", "fact" => "Fact table", _ => "Table" },
    };
}
