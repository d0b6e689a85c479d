using System.Text.Json;
using Amx.Data.History.Model;

namespace Amx.Data.Llm.Chat;

/// <summary>What one answer gave: usable drafts, and per wanted target the reason it is not usable.</summary>
public sealed record ParsedAnswer(Dictionary<DraftTarget, DraftOutcome> Drafts, Dictionary<DraftTarget, string> Problems);

/// <summary>
/// Validates an answer against the targets asked: each must come back once with a non-empty description within
/// the length limit and a confidence of high|medium|low. Items for targets not asked are ignored; a target that
/// is missing, repeated with different text or invalid gets a problem (and the drafter asks once more).
/// </summary>
public static class DraftAnswerParser
{
    public static ParsedAnswer Parse(string? text, IReadOnlyCollection<DraftTarget> wanted, int maxAlternatives, int maxLength)
    {
        var drafts = new Dictionary<DraftTarget, DraftOutcome>();
        var problems = new Dictionary<DraftTarget, string>();

        if (!TryItems(text, out var items, out var whyNot))
        {
            foreach (var t in wanted) problems[t] = whyNot;
            return new(drafts, problems);
        }

        var byKey = wanted.ToDictionary(t => (DraftPrompt.KindOf(t), DraftPrompt.NameOf(t)));
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var kind = Str(item, "kind")?.Trim().ToLowerInvariant();
            var name = Str(item, "name")?.Trim();
            if (kind is null || name is null) continue;
            var target = Match(byKey, kind, name);
            if (target is null || drafts.ContainsKey(target)) continue;

            var description = DescriptionText.Clean(Str(item, "description"));
            var problem = DescriptionText.Problem(description, maxLength);
            var confidence = Str(item, "confidence")?.Trim().ToLowerInvariant();
            if (problem is null && confidence is not (Confidences.High or Confidences.Medium or Confidences.Low))
                problem = confidence is null ? "missing confidence" : $"confidence '{Short(confidence)}' is not high, medium or low";
            if (problem is not null) { problems[target] = problem; continue; }

            problems.Remove(target);
            drafts[target] = new DraftOutcome
            {
                Target = target,
                Description = description,
                Confidence = confidence,
                Alternatives = Alternatives(item, description, maxAlternatives, maxLength),
            };
        }
        foreach (var t in wanted)
            if (!drafts.ContainsKey(t) && !problems.ContainsKey(t)) problems[t] = "missing from the answer";
        return new(drafts, problems);
    }

    static DraftTarget? Match(Dictionary<(string, string), DraftTarget> byKey, string kind, string name)
    {
        if (byKey.TryGetValue((kind, name), out var exact)) return exact;
        // Models sometimes change the case of a name; accept that when it is unambiguous.
        var loose = byKey.Where(p => p.Key.Item1 == kind && string.Equals(p.Key.Item2, name, StringComparison.OrdinalIgnoreCase)).ToList();
        return loose.Count == 1 ? loose[0].Value : null;
    }

    static IReadOnlyList<string> Alternatives(JsonElement item, string description, int max, int maxLength)
    {
        if (max <= 0 || !item.TryGetProperty("alternatives", out var arr) || arr.ValueKind != JsonValueKind.Array) return [];
        var list = new List<string>();
        foreach (var a in arr.EnumerateArray())
        {
            if (a.ValueKind != JsonValueKind.String) continue;
            var text = DescriptionText.Clean(a.GetString());
            if (DescriptionText.Problem(text, maxLength) is not null || text == description || list.Contains(text)) continue;
            list.Add(text);
            if (list.Count == max) break;
        }
        return list;
    }

    static bool TryItems(string? text, out List<JsonElement> items, out string whyNot)
    {
        items = [];
        whyNot = "";
        if (string.IsNullOrWhiteSpace(text)) { whyNot = "the answer was empty"; return false; }
        // Tolerate prose or ``` fences around the JSON (endpoints without structured output).
        var start = text.IndexOfAny(['{', '[']);
        var end = text.LastIndexOfAny(['}', ']']);
        if (start < 0 || end <= start) { whyNot = "the answer was not valid JSON"; return false; }
        try
        {
            using var doc = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            var root = doc.RootElement;
            var array = root.ValueKind == JsonValueKind.Array ? root
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("drafts", out var d) && d.ValueKind == JsonValueKind.Array ? d
                : default;
            if (array.ValueKind != JsonValueKind.Array) { whyNot = "the answer had no \"drafts\" array"; return false; }
            items = array.EnumerateArray().Select(e => e.Clone()).ToList();
            return true;
        }
        catch (JsonException e)
        {
            whyNot = $"the answer was not valid JSON ({Short(e.Message)})";
            return false;
        }
    }

    static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static string Short(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
