namespace Amx.Data.Llm.Offline;

/// <summary>The abbreviations column names use, and the words a reader understands without context.</summary>
public static class Vocabulary
{
    static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["id"] = "ID", ["uuid"] = "UUID", ["guid"] = "GUID", ["sk"] = "surrogate key", ["pk"] = "primary key", ["fk"] = "foreign key",
        ["qty"] = "quantity", ["amt"] = "amount", ["nbr"] = "number", ["num"] = "number", ["no"] = "number", ["cnt"] = "count",
        ["dt"] = "date", ["ts"] = "timestamp", ["tm"] = "time", ["dttm"] = "date and time", ["tz"] = "time zone",
        ["desc"] = "description", ["descr"] = "description", ["addr"] = "address", ["cust"] = "customer", ["emp"] = "employee",
        ["dept"] = "department", ["cd"] = "code", ["pct"] = "percentage", ["perc"] = "percentage", ["avg"] = "average",
        ["tot"] = "total", ["yr"] = "year", ["mo"] = "month", ["mth"] = "month", ["wk"] = "week", ["dow"] = "day of week",
        ["doy"] = "day of year", ["hr"] = "hour", ["hrs"] = "hours", ["sec"] = "second", ["secs"] = "seconds", ["mins"] = "minutes",
        ["min"] = "minimum", ["max"] = "maximum", ["tel"] = "telephone", ["ph"] = "phone", ["phn"] = "phone", ["msg"] = "message",
        ["txt"] = "text", ["val"] = "value", ["prc"] = "price", ["cat"] = "category", ["org"] = "organization", ["acct"] = "account",
        ["bal"] = "balance", ["ccy"] = "currency", ["curr"] = "currency", ["src"] = "source", ["tgt"] = "target", ["seq"] = "sequence",
        ["ver"] = "version", ["usr"] = "user", ["img"] = "image", ["url"] = "URL", ["lat"] = "latitude", ["lng"] = "longitude",
        ["lon"] = "longitude", ["mgr"] = "manager", ["prod"] = "product", ["loc"] = "location", ["inv"] = "inventory", ["ord"] = "order",
        ["txn"] = "transaction", ["trx"] = "transaction", ["upd"] = "updated", ["del"] = "deleted", ["ins"] = "inserted",
        ["flg"] = "flag", ["ind"] = "indicator", ["ref"] = "reference", ["stat"] = "status", ["sts"] = "status", ["typ"] = "type",
        ["grp"] = "group", ["dflt"] = "default", ["std"] = "standard", ["mfg"] = "manufacturing", ["mfr"] = "manufacturer",
        ["manufact"] = "manufacturer", ["whse"] = "warehouse", ["wh"] = "warehouse", ["co"] = "company", ["fname"] = "first name",
        ["lname"] = "last name", ["dob"] = "date of birth", ["ssn"] = "social security number", ["zip"] = "ZIP code", ["ip"] = "IP address",
        ["qtr"] = "quarter", ["fy"] = "fiscal year", ["rev"] = "revenue", ["disc"] = "discount", ["ext"] = "extended",
        ["hh"] = "household", ["dim"] = "dimension", ["info"] = "information", ["nm"] = "name", ["pmt"] = "payment", ["pymt"] = "payment",
        ["mgmt"] = "management", ["est"] = "estimated", ["calc"] = "calculated", ["ctry"] = "country", ["cntry"] = "country",
        ["reg"] = "region", ["gmt"] = "GMT", ["utc"] = "UTC", ["lvl"] = "level", ["pos"] = "position", ["prev"] = "previous",
        ["orig"] = "original", ["config"] = "configuration", ["admin"] = "administrator", ["pwd"] = "password", ["db"] = "database",
        ["sku"] = "SKU", ["vat"] = "VAT", ["iso"] = "ISO", ["api"] = "API", ["json"] = "JSON", ["yn"] = "yes/no",
        ["crt"] = "created", ["mod"] = "modified", ["sq"] = "square", ["ft"] = "feet", ["pcs"] = "pieces", ["wt"] = "weight",
        ["ytd"] = "year to date", ["mtd"] = "month to date", ["rowguid"] = "row GUID",
        ["bldg"] = "building", ["apt"] = "apartment", ["ave"] = "avenue", ["uom"] = "unit of measure", ["vol"] = "volume", ["cpn"] = "coupon",
    };

    static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "name", "first", "last", "middle", "full", "email", "address", "street", "city", "state", "country", "county", "postal",
        "code", "phone", "fax", "mobile", "price", "cost", "amount", "quantity", "total", "tax", "discount", "fee", "revenue",
        "profit", "loss", "balance", "currency", "description", "title", "status", "type", "category", "gender", "birth", "date",
        "time", "year", "month", "day", "week", "quarter", "hour", "minute", "created", "updated", "deleted", "modified", "start",
        "end", "number", "count", "line", "note", "notes", "comment", "label", "color", "colour", "size", "weight", "height", "width",
        "length", "age", "salary", "rate", "score", "rank", "level", "version", "source", "region", "latitude", "longitude", "sales",
        "sale", "net", "gross", "paid", "list", "wholesale", "coupon", "shipping", "ship", "order", "customer", "product", "item",
        "store", "employee", "department", "manager", "company", "account", "user", "brand", "model", "class", "unit", "units",
        "percentage", "percent", "average", "minimum", "maximum", "sequence", "password", "login", "language", "timezone", "website",
        "floor", "suite", "building", "household", "income", "education", "marital", "credit", "rating", "dependent", "dependents",
        "vehicle", "children", "purchase", "estimate", "manufacturer", "supplier", "vendor", "invoice", "payment", "transaction",
        "warehouse", "inventory", "hand", "on", "of", "in", "at", "by", "to", "for", "is", "has", "active", "enabled", "valid",
        "default", "primary", "secondary", "key", "flag", "indicator", "value", "text", "message", "url", "image", "salutation",
        "nick", "zip", "ticket", "return", "returned", "reason", "sold", "promotion", "channel", "holiday", "weekend", "fiscal",
        "current", "previous", "original", "extended", "expected", "actual", "planned", "due", "open", "closed", "hours",
        "employees", "street", "suite", "number", "offset", "gmt", "location", "type", "mode", "carrier", "contract", "page",
        "catalog", "call", "center", "web", "site", "market", "division", "size", "container", "formulation", "description",
        "quantity", "birthday", "country", "yes", "no", "id",
    };

    /// <summary>The expansion of an abbreviation, or the word itself.</summary>
    public static string Expand(string word) => Abbreviations.TryGetValue(word, out var e) ? e : word;

    public static bool IsAbbreviation(string word) => Abbreviations.ContainsKey(word);

    /// <summary>A word a reader understands: known, an abbreviation we expand, or a number.</summary>
    public static bool IsKnown(string word) => Common.Contains(word) || Abbreviations.ContainsKey(word) || AllDigits(word);

    static bool AllDigits(string word)
    {
        foreach (var c in word)
            if (!char.IsDigit(c)) return false;
        return true;
    }

    /// <summary>A word that is probably an unexplained abbreviation (<c>xz</c>, <c>bkt</c>): few letters, no vowels.</summary>
    public static bool IsCryptic(string word) =>
        !IsKnown(word) && !WordList.Contains(word) && !ShortWords.Contains(word) && HasLetter(word)
        && (word.Length <= 3 || word.AsSpan().IndexOfAny("aeiouy") < 0);

    static bool HasLetter(string word)
    {
        foreach (var c in word)
            if (char.IsLetter(c)) return true;
        return false;
    }

    // Real three-letter words that are not abbreviations.
    static readonly HashSet<string> ShortWords = new(StringComparer.Ordinal)
        { "age", "sex", "fee", "tax", "row", "box", "bin", "pin", "sum", "net", "key", "bus", "car", "day", "job", "map", "pay", "red", "tip", "top", "way", "new", "old", "raw", "log", "tag", "fan", "cap", "bid", "ask", "lot", "set", "due", "end", "air", "web", "art", "ads", "app", "kit", "oil", "gas", "sea", "sun", "won", "use", "via", "per", "all", "any", "and", "the", "not", "out", "off", "own", "two", "one", "six", "ten" };

    static readonly HashSet<string> Irregular = new(StringComparer.Ordinal)
        { "sent", "paid", "sold", "built", "made", "done", "seen", "taken", "given", "begun", "run", "set", "read", "shipped", "won", "lost" };

    public static bool IsParticiple(string word) => Irregular.Contains(word) || (word.Length > 3 && word.EndsWith("ed", StringComparison.Ordinal));

    static readonly HashSet<string> Uncountable = new(StringComparer.Ordinal)
        { "sales", "news", "series", "status", "analysis", "data", "metadata", "address", "business", "class", "access", "process", "inventory" };

    public static string Singular(string word)
    {
        if (Uncountable.Contains(word) || word.Length <= 3) return word;
        if (word.EndsWith("ies", StringComparison.Ordinal)) return word[..^3] + "y";
        if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)
            || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)) return word[..^2];
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal)
            && !word.EndsWith("is", StringComparison.Ordinal)) return word[..^1];
        return word;
    }

    public static string Plural(string word)
    {
        if (Uncountable.Contains(word) || word.EndsWith('s')) return word;
        if (word.EndsWith('y') && word.Length > 1 && !"aeiou".Contains(word[^2])) return word[..^1] + "ies";
        if (word.EndsWith('x') || word.EndsWith("ch", StringComparison.Ordinal) || word.EndsWith("sh", StringComparison.Ordinal)) return word + "es";
        return word + "s";
    }
}
