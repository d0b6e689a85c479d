using System.Text;

namespace Amx.Data.Warehouse.Profiling;

/// <summary><c>--mask-samples</c>: keeps the shape of a value, not its content (letters → a/A, digits → 9); short codes (≤ 3 characters) are kept.</summary>
public static class SampleMasker
{
    public const int ShortCodeLength = 3;

    public static string Mask(string value)
    {
        if (value.Length <= ShortCodeLength) return value;
        var sb = new StringBuilder(value.Length);
        foreach (var r in value.EnumerateRunes())
        {
            if (Rune.IsDigit(r)) sb.Append('9');
            else if (Rune.IsLetter(r)) sb.Append(Rune.IsUpper(r) ? 'A' : 'a');
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
