using System.Text.Json;
using Amx.Tool.Output;

namespace Amx.Tool.Tests.Foundation;

/// <summary>
/// <c>history show --output json</c> writes its results as they are read (<see cref="JsonOutput.WriteStreamedAsync"/>):
/// the text must be exactly what serialising the whole document at once gives, for scripts that diff or parse it.
/// </summary>
[Category("Quick")]
public sealed class StreamedJsonTests
{
    static async IAsyncEnumerable<object> Items(IEnumerable<object> items)
    {
        foreach (var i in items)
        {
            await Task.Yield();
            yield return i;
        }
    }

    static IEnumerable<TestCaseData> Cases()
    {
        var head = new { run = new { run_id = "run_1", who = "ann \"quoted\" é", tags = new[] { "a", "b" } }, metadata = (object?)null, local_copy = new { } };
        yield return new TestCaseData(head, Array.Empty<object>(), (object?)null).SetName("no results, null tail");
        yield return new TestCaseData(head, new object[] { new { target = "s.t.c", description = "line\nbreak, \"quote\"", alternatives = new[] { "x" } } },
            (object?)"abc123").SetName("one result with escapes");
        yield return new TestCaseData(head, Enumerable.Range(0, 5).Select(i => (object)new
        {
            target = $"s.t{i}", kind = "column", applied = i % 2 == 0, metadata = new { source = i == 3 ? "s.base.c" : null, nested = new { depth = i } },
            alternatives = i == 1 ? Array.Empty<string>() : null,
        }).ToArray(), (object?)new { counts = new[] { 1, 2 } }).SetName("several results, nested objects and an object tail");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Streamed_text_is_the_whole_document_serialised_at_once(object head, object[] items, object? tail)
    {
        var streamed = new StringWriter();
        await JsonOutput.WriteStreamedAsync(streamed, head, "results", Items(items), ("hash", tail));

        // The same document built in memory: head's properties, then results, then the tail.
        var whole = JsonSerializer.SerializeToNode(head, head.GetType(), JsonOutput.Options)!.AsObject();
        whole["results"] = JsonSerializer.SerializeToNode(items, JsonOutput.Options);
        whole["hash"] = tail is null ? null : JsonSerializer.SerializeToNode(tail, tail.GetType(), JsonOutput.Options);
        var expected = new StringWriter();
        expected.WriteLine(whole.ToJsonString(JsonOutput.Options));

        Assert.That(streamed.ToString(), Is.EqualTo(expected.ToString()));
        Assert.That(JsonDocument.Parse(streamed.ToString()).RootElement.GetProperty("results").GetArrayLength(), Is.EqualTo(items.Length));
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Without_a_tail_the_list_closes_the_document(object head, object[] items, object? _)
    {
        var streamed = new StringWriter();
        await JsonOutput.WriteStreamedAsync(streamed, head, "results", Items(items));

        var whole = JsonSerializer.SerializeToNode(head, head.GetType(), JsonOutput.Options)!.AsObject();
        whole["results"] = JsonSerializer.SerializeToNode(items, JsonOutput.Options);
        var expected = new StringWriter();
        expected.WriteLine(whole.ToJsonString(JsonOutput.Options));
        Assert.That(streamed.ToString(), Is.EqualTo(expected.ToString()));
    }

    [Test]
    public async Task A_spill_gives_back_its_items_in_order_from_a_private_file_it_deletes()
    {
        var before = Directory.GetFiles(Path.GetTempPath(), $"amx-{Environment.ProcessId}-*.jsonl").ToHashSet();
        string file;
        var items = Enumerable.Range(0, 2500).Select(i => new Amx.Data.Apply.ApplyItem($"s.t{i}.\"c\n{i}\"", "COLUMN", i % 7 == 0 ? "conflict" : "applied",
            i % 7 == 0 ? $"live comment changed: \"é{i}\"" : null, ReplacesOutside: i % 11 == 0)).ToList();
        await using (var spill = new JsonLinesSpill<Amx.Data.Apply.ApplyItem>())
        {
            foreach (var i in items) spill.Add(i);
            file = Directory.GetFiles(Path.GetTempPath(), $"amx-{Environment.ProcessId}-*.jsonl").Single(f => !before.Contains(f));
            if (!OperatingSystem.IsWindows())
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            var back = new List<Amx.Data.Apply.ApplyItem>();
            await foreach (var i in spill.ReadAsync()) back.Add(i);
            Assert.That(back, Is.EqualTo(items).Using<Amx.Data.Apply.ApplyItem>((a, b) =>
                a.Target == b.Target && a.Kind == b.Kind && a.Status == b.Status && a.Detail == b.Detail && a.ReplacesOutside == b.ReplacesOutside));
            Assert.That(spill.Count, Is.EqualTo(items.Count));
        }
        Assert.That(File.Exists(file), Is.False, "deleted when disposed");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(4)]
    public async Task A_streamed_array_is_the_list_serialised_at_once(int n)
    {
        var items = Enumerable.Range(0, n).Select(i => (object)new { target = $"s.t{i}", description = i == 1 ? "two\nlines \"q\"" : null, applied = i % 2 == 0 }).ToArray();
        var streamed = new StringWriter();
        await JsonOutput.WriteArrayStreamedAsync(streamed, Items(items));
        var whole = new StringWriter();
        JsonOutput.Write(whole, items);
        Assert.That(streamed.ToString(), Is.EqualTo(whole.ToString()));
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_spilled_array_after_its_head_is_the_streamed_document(object head, object[] items, object? tail)
    {
        _ = tail;
        var streamed = new StringWriter();
        await JsonOutput.WriteStreamedAsync(streamed, head, "results", Items(items));
        await using var spill = new JsonArraySpill();
        foreach (var item in items) spill.Add(item);
        var spilled = new StringWriter();
        await spill.WriteDocumentAsync(spilled, head, "results");
        Assert.That(spilled.ToString(), Is.EqualTo(streamed.ToString()));
    }
}
