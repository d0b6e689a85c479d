namespace Amx.Tool.Tests.Warehouse;

/// <summary>Comment texts that break naive quoting; descriptions are untrusted LLM output.</summary>
public static class TrickyComments
{
    public static readonly string[] Bmp =
    [
        "it's a \"quoted\" 'word'",
        @"back\slash \\ double, \' escaped quote, \n not a newline, ends in \",
        "$$ dollar quoted $$ and $tag$ tagged $tag$ and $",
        "CR LF\r\nLF only\nCR only\rend",
        "tab\tseparated\tvalues",
        "RTL: שלום עולם — مرحبا بالعالم",
        "'; DROP TABLE victims; --",
        "percent % underscore _ at @p0 question ? semicolon ;",
    ];

    public static readonly string[] FourByte =
    [
        "emoji 😀🎉👍🏽",
        "4-byte UTF-8: 𝒜𝓁𝓅𝒽𝒶 𠜎𠜱 🀄",
    ];

    public static IEnumerable<string> All => Bmp.Concat(FourByte);
}
