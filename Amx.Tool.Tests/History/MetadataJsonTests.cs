using System.Text.Json;
using Amx.Data.History;

namespace Amx.Tool.Tests.History;

/// <summary>
/// A result's alternatives are written by one reused JSON writer per thread (<see cref="MetadataJson.StringList"/>); the
/// stored text must stay exactly what the serializer wrote before, so old and new rows read and hash alike.
/// </summary>
[Category("Quick")]
public sealed class MetadataJsonTests
{
    static IEnumerable<TestCaseData> Lists()
    {
        yield return new TestCaseData((object)new[] { "Customer id" }).SetName("one plain text");
        yield return new TestCaseData((object)new[] { "quote \" backslash \\ slash /", "line\nbreak\ttab\r\u0001\u001f" }).SetName("escapes and control characters");
        yield return new TestCaseData((object)new[] { "é ß 中文 😀", "<b>&amp;</b> 'single'" }).SetName("non-ASCII, surrogate pairs and HTML-sensitive characters");
        yield return new TestCaseData((object)new[] { "", new string('x', 5000) }).SetName("empty and long");
    }

    [TestCaseSource(nameof(Lists))]
    public void Alternatives_are_written_as_the_serializer_writes_them(string[] values)
    {
        var expected = JsonSerializer.Serialize<IReadOnlyList<string>>(values, MetadataJsonContext.Default.IReadOnlyListString);
        Assert.That(MetadataJson.StringList(values), Is.EqualTo(expected));
        // The writer is reused: a second, shorter list leaves nothing of the first behind.
        Assert.That(MetadataJson.StringList(["a"]), Is.EqualTo("[\"a\"]"));
    }
}
