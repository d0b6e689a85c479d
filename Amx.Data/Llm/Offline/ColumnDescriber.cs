using System.Globalization;
using Amx.Data.History.Model;
using Amx.Data.Warehouse.Model;

namespace Amx.Data.Llm.Offline;

/// <summary>One column's offline draft: a sentence built from its name, type, keys and profile.</summary>
public sealed record OfflineDraft(string Description, IReadOnlyList<string> Alternatives, string Confidence);

/// <summary>
/// Writes a column description from evidence only: the name (split, table prefix dropped, abbreviations expanded),
/// the type (booleans → "Whether …", timestamps → "Date and time when …"), keys ("Primary key of …",
/// "References …") and profile statistics (enumerated values, how often empty, observed range).
/// Confidence: low when a word stays cryptic, high when evidence beyond the name backs it (a key, reference, type,
/// default, enumeration or lineage), otherwise medium.
/// </summary>
public static class ColumnDescriber
{
    static readonly HashSet<string> IdSuffixes = new(StringComparer.Ordinal) { "id", "sk", "key", "pk", "fk", "uuid", "guid" };
    static readonly HashSet<string> BoolPrefixes = new(StringComparer.Ordinal) { "is", "has", "can", "should", "was", "allow", "allows", "uses", "needs" };
    static readonly HashSet<string> FlagSuffixes = new(StringComparer.Ordinal) { "flag", "flg", "ind", "yn" };
    static readonly HashSet<string> TimeSuffixes = new(StringComparer.Ordinal) { "at", "ts", "timestamp", "datetime", "dttm", "time", "tm" };
    static readonly HashSet<string> DateSuffixes = new(StringComparer.Ordinal) { "date", "dt", "on", "day" };
    static readonly HashSet<string> DateNouns = new(StringComparer.Ordinal)
        { "birth", "death", "hire", "start", "end", "expiry", "expiration", "delivery", "purchase", "payment", "sale", "issue",
          "registration", "creation", "closing", "opening", "return", "departure", "arrival", "termination", "signup" };
    static readonly HashSet<string> CountWords = new(StringComparer.Ordinal) { "num", "nbr", "no", "cnt", "count", "number" };

    public static OfflineDraft Describe(TableMeta table, TableWords tw, ColumnMeta column, int maxAlternatives)
    {
        var type = column.DataType.ToLowerInvariant();
        var words = NameWords.Split(column.Name);
        if (words.Count > 1 && tw.IsColumnPrefix(words[0])) words.RemoveAt(0);
        var cryptic = words.Count == 0 || words.Any(Vocabulary.IsCryptic);
        var subjectWords = DropEntity(words, tw);
        var phrase = Phrase(subjectWords);
        var entity = tw.Entity;

        var isPk = table.PrimaryKey.Count == 1 && table.PrimaryKey[0] == column.Name;
        var inPk = table.PrimaryKey.Contains(column.Name);
        var fk = ForeignKeyOf(table, column.Name);
        var idSuffix = words.Count > 0 && IdSuffixes.Contains(words[^1]);
        var structural = isPk || fk is not null;
        string core;

        if (isPk || (idSuffix && fk is null))
        {
            var keyWord = words.Count > 0 && words[^1] == "sk" ? "Surrogate key" : "Unique identifier";
            var subjectNoId = idSuffix && subjectWords.Count > 0 && IdSuffixes.Contains(subjectWords[^1])
                ? subjectWords.Take(subjectWords.Count - 1).ToList() : subjectWords;
            var subject = Phrase(subjectNoId);
            // salesorderid in salesorderheader: the identifier of the sales order, not "Sales order ID of the sales order header".
            core = isPk
                ? (subject.Length == 0 || subject == entity ? $"{keyWord} of the {entity} (primary key)"
                   : idSuffix ? $"{keyWord} of the {subject} (primary key)" : $"{Cap(phrase)} of the {entity} (primary key)")
                : subject.Length == 0 || subject == entity ? $"Identifier of the {entity}"
                : $"Identifier of the {subject} of the {entity}";
            if (!isPk) structural = !cryptic;
        }
        else if (fk is not null)
        {
            var refPos = fk.Columns.IndexOf(column.Name);
            var refCol = refPos < fk.ReferencedColumns.Count ? fk.ReferencedColumns[refPos] : null;
            var subject = Phrase(idSuffix ? subjectWords.Take(Math.Max(0, subjectWords.Count - 1)).ToList() : subjectWords);
            if (subject.Length == 0) subject = TableWordsOfRef(fk);
            core = $"{Cap(subject)} of the {entity}. Foreign key to {fk.References}{(refCol is null ? "" : $" ({refCol})")}";
            if (column.IsNullable) core += "; optional";
        }
        else if (IsBoolean(type, words))
        {
            core = Whether(words, entity);
            structural = true;
        }
        else if (IsTimestamp(type, words) && DefaultsToNow(column) && words.Any(w => w is "update" or "updated" or "modified" or "changed" or "last"))
        {
            // DEFAULT now() on a column named for changes: the time the row was last written.
            core = $"Date and time when the {entity} was last modified";
            structural = true;
        }
        else if (IsTimestamp(type, words))
        {
            // A timestamp named "… date" reads like a date column: orderdate → "Date and time when the order was placed".
            core = words.Count > 1 && words[^1] is "date" or "dt" ? When(words, entity, "Date and time", DateSuffixes) : When(words, entity, "Date and time", TimeSuffixes);
            structural = true;
        }
        else if (IsDate(type, words))
        {
            core = When(words, entity, "Date", DateSuffixes);
            structural = true;
        }
        else if (words.Count > 1 && CountWords.Contains(words[0]) && words[^1].EndsWith('s'))
            core = $"Number of {Phrase(words.Skip(1).ToList())} of the {entity}";
        else
            core = phrase.Length == 0 ? $"{Cap(Phrase(words))} of the {entity}" : $"{Cap(phrase)} of the {entity}";

        var notes = new List<string>();
        if (column.Lineage is { Kind: LineageKind.Derived } derived)
        {
            notes.Add($"Computed from {string.Join(", ", derived.Sources.Take(5))}.");
            structural = true;
        }
        else if (column.Lineage?.Source is { } source)
        {
            notes.Add($"Taken from {source}.");
            structural = true;
        }
        if (DefaultsToNow(column) && !core.Contains("last modified", StringComparison.Ordinal)) notes.Add("Defaults to the current time.");
        var enumeration = Enumeration(type, column.Profile);
        if (enumeration is not null) { notes.Add(enumeration); structural = true; }
        else if (Range(type, column.Profile) is { } range) notes.Add(range);
        if (inPk && !isPk) { notes.Add("Part of the primary key."); structural = true; }
        if (!inPk && IsUniqueAlone(table, column.Name)) { notes.Add($"Unique for each {entity}."); structural = true; }
        if (column.Profile?.NullRatio is { } nulls)
        {
            if (nulls >= 0.999) notes.Add("Empty in all profiled rows.");
            else if (nulls >= 0.5) notes.Add($"Often empty ({Percent(nulls)} of profiled rows).");
        }

        var description = Sentence(core) + (notes.Count > 0 ? " " + string.Join(' ', notes) : "");
        // High needs evidence beyond reading the name: a key or reference, a type or default that says what the value
        // is, enumerated values, lineage. A name read well ("Order quantity of …") is medium: it may still be right,
        // but nothing backs it (docs/drafting-quality.md, calibration).
        var confidence = cryptic ? Confidences.Low : structural ? Confidences.High : Confidences.Medium;

        var alternatives = new List<string>();
        var plain = Sentence(Cap(Phrase(words.Count > 0 ? words : NameWords.Split(column.Name))) + $" ({entity})");
        var typed = Sentence(core + $" ({column.DataType})");
        foreach (var alt in new[] { plain, typed })
            if (alternatives.Count < maxAlternatives && alt != description && !alternatives.Contains(alt)) alternatives.Add(alt);
        return new OfflineDraft(description, alternatives, confidence);
    }

    // Loops, not lambdas: these run for every column of a million-column run, and each lambda captured the column.
    static ForeignKeyMeta? ForeignKeyOf(TableMeta table, string column)
    {
        foreach (var f in table.ForeignKeys)
            if (f.Columns.Contains(column)) return f;
        return null;
    }

    static bool IsUniqueAlone(TableMeta table, string column)
    {
        foreach (var k in table.UniqueKeys)
            if (k.Count == 1 && k[0] == column) return true;
        return false;
    }

    static bool DefaultsToNow(ColumnMeta column) =>
        column.Default is { } d && (d.Contains("now()", StringComparison.OrdinalIgnoreCase)
                                    || d.Contains("current_timestamp", StringComparison.OrdinalIgnoreCase)
                                    || d.Contains("getdate()", StringComparison.OrdinalIgnoreCase));

    static List<string> DropEntity(List<string> words, TableWords tw)
    {
        var e = tw.SingularEntityWords;
        if (words.Count <= e.Count) return words;
        for (var i = 0; i < e.Count; i++)
            if (Vocabulary.Singular(words[i]) != e[i]) return words;
        return words.GetRange(e.Count, words.Count - e.Count);
    }

    static string TableWordsOfRef(ForeignKeyMeta fk)
    {
        var words = NameWords.Split(fk.References.Table);
        if (words.Count > 1 && (words[^1] is "dim" or "fact")) words.RemoveAt(words.Count - 1);
        return Vocabulary.Singular(Phrase(words));
    }

    static bool IsBoolean(string type, List<string> words) =>
        type is "boolean" or "bool" or "bit" or "tinyint(1)" || type.StartsWith("bit(1)", StringComparison.Ordinal)
        || (words.Count > 1 && BoolPrefixes.Contains(words[0]))
        || (words.Count > 1 && FlagSuffixes.Contains(words[^1]));

    static bool IsTimestamp(string type, List<string> words) =>
        type.Contains("timestamp") || type.Contains("datetime")
        || (words.Count > 1 && words[^1] is "at" or "ts" or "timestamp" or "dttm");

    static bool IsDate(string type, List<string> words) =>
        type == "date" || (words.Count > 1 && words[^1] is "date" or "dt" && !type.Contains("char") && !type.Contains("int"))
        || (words.Count > 1 && words[^1] == "on" && Vocabulary.IsParticiple(words[^2]));

    /// <summary>is_active → "Whether the customer is active"; preferred_cust_flag → "Whether the customer is preferred customer".</summary>
    static string Whether(List<string> words, string entity)
    {
        var w = words.ToList();
        if (w.Count > 1 && FlagSuffixes.Contains(w[^1])) w.RemoveAt(w.Count - 1);
        if (w.Count > 1 && BoolPrefixes.Contains(w[0]))
        {
            var verb = w[0] switch { "allow" => "allows", "uses" => "uses", "needs" => "needs", var v => v };
            return $"Whether the {entity} {verb} {Phrase(w.Skip(1).ToList())}";
        }
        return $"Whether the {entity} is {Phrase(w)}";
    }

    /// <summary>created_at → "Date and time when the order was created"; birth_date → "Date of birth of the customer".</summary>
    static string When(List<string> words, string entity, string what, HashSet<string> suffixes)
    {
        var w = words.ToList();
        if (w.Count > 1 && suffixes.Contains(w[^1])) w.RemoveAt(w.Count - 1);
        else if (w.Count == 1 && suffixes.Contains(w[0])) w.Clear();
        if (w.Count == 0) return $"{what} of the {entity} record";
        if (Vocabulary.IsParticiple(w[^1]))
            return $"{what} when the {entity} was {Phrase(w)}";
        if (w.Count == 1 && Events.TryGetValue(w[0], out var happened)) return $"{what} when the {entity} was {happened}";
        if (w.Count == 1 && w[0] == "due") return $"{what} when the {entity} is due";
        if (w.Count > 1) return $"{what} of the {Phrase(w)} of the {entity}";
        if (w.Count == 1 && DateNouns.Contains(w[0])) return $"{what} of {w[0]} of the {entity}";
        var subject = Phrase(w);
        return subject == entity ? $"{what} of the {entity}" : $"{Cap(subject)} {what.ToLowerInvariant()} of the {entity}";
    }

    // One-word events before "date": ship date → "shipped", order date → "ordered".
    static readonly Dictionary<string, string> Events = new(StringComparer.Ordinal)
    {
        ["ship"] = "shipped", ["order"] = "ordered", ["create"] = "created", ["modify"] = "modified", ["update"] = "updated",
        ["close"] = "closed", ["open"] = "opened", ["pay"] = "paid", ["deliver"] = "delivered", ["cancel"] = "cancelled",
        ["hire"] = "hired", ["sign"] = "signed", ["invoice"] = "invoiced", ["post"] = "posted", ["approve"] = "approved",
    };

    /// <summary>"One of: a, b, c." for a code-like column; never for a single value (one row is no list) nor for
    /// numbers and times, whose few sampled values are a coincidence, not a domain.</summary>
    static string? Enumeration(string type, ColumnProfile? p)
    {
        if (p is null || IsNumericOrTemporal(type)) return null;
        var values = p.TopValues.Count > 0 ? p.TopValues.Select(v => v.Value).ToList() : p.Examples.Distinct().ToList();
        var distinct = p.DistinctEstimate ?? (p.TopValues.Count > 0 ? p.TopValues.Count : null);
        if (distinct is not { } d || d < 2 || d > 12 || values.Count < d || values.Any(v => v.Length > 40)) return null;
        var ordered = p.TopValues.Count > 0 ? values : values.Order(StringComparer.Ordinal).ToList();
        return $"One of: {string.Join(", ", ordered.Take((int)d))}.";
    }

    static bool IsNumericOrTemporal(string type) =>
        type.Contains("int") || type.Contains("numeric") || type.Contains("decimal") || type.Contains("float")
        || type.Contains("double") || type.Contains("real") || type.Contains("money") || type.Contains("date") || type.Contains("time");

    static string? Range(string type, ColumnProfile? p)
    {
        if (p?.Min is null || p.Max is null || p.Min == p.Max) return null;
        return IsNumericOrTemporal(type) ? $"Observed range: {p.Min} to {p.Max}." : null;
    }

    static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Words expanded and joined: ["c","first","name"] → "c first name"; leading count words read "number of".</summary>
    public static string Phrase(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return "";
        if (words.Count == 1) return Vocabulary.Expand(words[0]);
        var expanded = new string[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            // "no"/"num" at the end is "number"; elsewhere left alone when it reads as a word ("no").
            expanded[i] = w == "no" && i < words.Count - 1 ? "no" : Vocabulary.Expand(w);
        }
        return string.Join(' ', expanded);
    }

    public static string Cap(string s)
    {
        if (s.Length == 0 || char.ToUpperInvariant(s[0]) == s[0]) return s;
        return string.Create(s.Length, s, static (span, from) =>
        {
            from.AsSpan().CopyTo(span);
            span[0] = char.ToUpperInvariant(from[0]);
        });
    }

    public static string Sentence(string s)
    {
        s = Cap(s.Trim());
        return s.EndsWith('.') ? s : s + ".";
    }
}
