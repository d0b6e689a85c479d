using System.Globalization;
using System.Text.Json;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History.Model;
using CsvHelper;
using CsvHelper.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;

namespace Amx.Data.Review;

/// <summary>
/// One line of a review file: the target, what is live, the draft, its alternatives and confidence, and the
/// reviewer's decision and text. Editing <c>text</c> makes the decision <c>edited</c>.
/// </summary>
public sealed class ReviewEntry
{
    public string Target { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? Confidence { get; set; }
    public string? LiveComment { get; set; }
    public string? Draft { get; set; }
    public List<string> Alternatives { get; set; } = [];
    /// <summary>pending | accepted | edited | rejected.</summary>
    public string Decision { get; set; } = Decisions.Pending;
    /// <summary>The text to apply; starts as the draft.</summary>
    public string? Text { get; set; }
    /// <summary>For an inherited description: the base column it came from (docs/view-lineage.md); read-only in the file.</summary>
    public string? Source { get; set; }

    public static ReviewEntry From(HistoryResult r) => new()
    {
        Target = r.TargetQname, Kind = r.TargetKind, Confidence = r.Confidence, LiveComment = r.PreviousComment,
        Draft = r.Description,
        Alternatives = string.IsNullOrEmpty(r.Alternatives) ? [] : JsonSerializer.Deserialize<List<string>>(r.Alternatives) ?? [],
        Decision = r.Decision, Text = r.Description,
        Source = History.ResultMetadata.Read(r.MetadataJson).Source,
    };

    public static string ParseDecision(string? text, string target) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "pending" => Decisions.Pending,
        "accept" or "accepted" or "yes" or "y" => Decisions.Accepted,
        "edit" or "edited" => Decisions.Edited,
        "reject" or "rejected" or "no" or "n" => Decisions.Rejected,
        var other => throw AmxException.BadInput($"review file: unknown decision '{other}' for {target}", "use accepted, edited, rejected or pending"),
    };
}

/// <summary>What a review file holds: the run it was exported from, and the entries.</summary>
public sealed record ReviewFileContent(string? RunId, IReadOnlyList<ReviewEntry> Entries);

/// <summary>Reads and writes review files: YAML (<c>.yml</c>/<c>.yaml</c>) or CSV (<c>.csv</c>), chosen by extension.</summary>
public static class ReviewFile
{
    sealed class Document
    {
        public string RunId { get; set; } = "";
        public List<ReviewEntry> Results { get; set; } = [];
    }

    /// <summary>Writes the entries as they come (YAML or CSV by extension); returns how many were written.</summary>
    public static async Task<int> WriteAsync(string path, string runId, IAsyncEnumerable<ReviewEntry> entries)
    {
        try { return await WriteFileAsync(path, runId, entries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AmxException.BadInput($"cannot write review file {path}: {FileErrors.Cause(e)}",
                "give a path in an existing directory you can write to");
        }
    }

    static async Task<int> WriteFileAsync(string path, string runId, IAsyncEnumerable<ReviewEntry> entries)
    {
        await using var writer = new StreamWriter(path);
        var count = 0;
        if (IsCsv(path))
        {
            await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            csv.WriteField("target"); csv.WriteField("kind"); csv.WriteField("confidence"); csv.WriteField("live_comment");
            csv.WriteField("draft"); csv.WriteField("alternatives"); csv.WriteField("decision"); csv.WriteField("text");
            csv.WriteField("source");
            // Last, so the columns people edit keep their places; read back to refuse a file of another run.
            csv.WriteField("run_id");
            await csv.NextRecordAsync();
            await foreach (var e in entries)
            {
                csv.WriteField(e.Target); csv.WriteField(e.Kind); csv.WriteField(e.Confidence); csv.WriteField(e.LiveComment);
                csv.WriteField(e.Draft); csv.WriteField(string.Join(" | ", e.Alternatives)); csv.WriteField(e.Decision); csv.WriteField(e.Text);
                csv.WriteField(e.Source);
                csv.WriteField(runId);
                await csv.NextRecordAsync();
                count++;
            }
            return count;
        }
        await writer.WriteLineAsync("# amx review file: set decision to accepted, edited or rejected; edit text to change the description.");
        await writer.WriteLineAsync($"# Then: amx review {runId} --from-file {Path.GetFileName(path)}");
        // The document is the run id and the list of results; each entry is serialised as a one-item list as it arrives,
        // which is exactly the text of that item in the whole document (a top-level mapping's list is not indented).
        var yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithEventEmitter(next => new ExactStringEmitter(next)).Build();
        yaml.Serialize(writer, new Dictionary<string, string> { ["run_id"] = runId });
        var any = false;
        await foreach (var e in entries)
        {
            if (!any) await writer.WriteLineAsync("results:");
            any = true;
            yaml.Serialize(writer, new[] { e });
            count++;
        }
        if (!any) await writer.WriteLineAsync("results: []");
        return count;
    }

    public static ReviewFileContent Read(string path)
    {
        if (!File.Exists(path)) throw AmxException.BadInput($"review file {path} does not exist", "create one with --export FILE");
        try
        {
            if (IsCsv(path))
            {
                using var reader = new StreamReader(path);
                using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { PrepareHeaderForMatch = a => a.Header.ToLowerInvariant() });
                csv.Read();
                csv.ReadHeader();
                var hasRunId = csv.HeaderRecord?.Contains("run_id", StringComparer.OrdinalIgnoreCase) == true;
                var list = new List<ReviewEntry>();
                var runIds = new HashSet<string>(StringComparer.Ordinal);
                while (csv.Read())
                {
                    list.Add(new ReviewEntry
                    {
                        Target = csv.GetField("target") ?? "",
                        Decision = csv.GetField("decision") ?? "",
                        Text = NullIfEmpty(csv.GetField("text")),
                    });
                    if (hasRunId && NullIfEmpty(csv.GetField("run_id")) is { } id) runIds.Add(id);
                }
                if (runIds.Count > 1)
                    throw AmxException.BadInput($"review file {path} mixes rows of several runs ({string.Join(", ", runIds.Order())})",
                        "export each run to its own file: amx review RUN_ID --export FILE");
                return new ReviewFileContent(runIds.SingleOrDefault(), list);
            }
            var text = File.ReadAllText(path);
            YamlGuard.Check(text, path, ReReadHint);
            var doc = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
                .Deserialize<Document>(text);
            return new ReviewFileContent(NullIfEmpty(doc?.RunId), doc?.Results ?? []);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw YamlGuard.Malformed(path, e.Start, (e.InnerException?.Message ?? e.Message).Split('\n')[0].Trim(), ReReadHint);
        }
        catch (Exception e) when (e is CsvHelperException)
        {
            throw AmxException.BadInput($"cannot read review file {path}: {e.Message.ReplaceLineEndings(" ")}", "re-export it with --export FILE");
        }
    }

    /// <summary>
    /// Multi-line texts and control characters go out double-quoted: a block scalar would fold CR LF into LF and
    /// lose trailing white space, and the text read back must be the text written, byte for byte.
    /// </summary>
    sealed class ExactStringEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string s && s.Any(char.IsControl)) eventInfo.Style = ScalarStyle.DoubleQuoted;
            base.Emit(eventInfo, emitter);
        }
    }

    const string ReReadHint = "fix the file by hand, or re-export it with --export FILE";

    static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
