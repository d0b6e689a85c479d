namespace Amx.Data.Llm.Chat;

/// <summary>Name prefixes that tie related columns together (<c>addr_street</c>, <c>addr_city</c>; <c>attr0001</c>…).</summary>
public static class ColumnGroups
{
    /// <summary>The leading word of a column name, lower case: up to the first <c>_</c>, digit or camel hump
    /// (<c>addr_city</c> → <c>addr</c>, <c>attr0042</c> → <c>attr</c>, <c>homePhone</c> → <c>home</c>); the whole name when it has none.</summary>
    public static string Prefix(string name)
    {
        var end = 0;
        while (end < name.Length)
        {
            var c = name[end];
            if (c == '_' || c == ' ' || c == '-' || char.IsDigit(c)) break;
            if (end > 0 && char.IsUpper(c) && char.IsLower(name[end - 1])) break;
            end++;
        }
        return (end == 0 ? name : name[..end]).ToLowerInvariant();
    }

    /// <summary>How a prefix is shown in a summary: <c>addr*</c> for a real prefix, the name itself otherwise.</summary>
    public static string Pattern(string name)
    {
        var p = Prefix(name);
        return p.Length < name.Length ? p + "*" : name;
    }
}
