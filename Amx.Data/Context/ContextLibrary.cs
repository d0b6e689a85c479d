using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amx.Data.Errors;
using Amx.Data.Export.Dbt;
using Amx.Data.Warehouse;
using CsvHelper;
using CsvHelper.Configuration;

namespace Amx.Data.Context;

/// <summary>A context document that grounded a run: where it is, its SHA-256, how many chunks it gave.</summary>
public sealed record ContextDocument(string Path, string Sha256, int Chunks);

/// <summary>
/// The run's context documents (<c>--context PATH</c>, files or folders; llm profile <c>context:</c>), read once and
/// cut into chunks that carry their <c>path:line</c>: Markdown/text by heading and paragraph, CSV glossaries by row
/// (also kept as a <see cref="Glossary"/>), YAML by list entry (<c>- name:</c>, as dbt's schema.yml and sources.yml),
/// SQL by statement. See docs/context-and-export.md.
/// </summary>
public sealed class ContextLibrary
{
    /// <summary>Longest chunk; longer sections are cut at line ends.</summary>
    public const int MaxChunkChars = 1200;
    static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "node_modules", "target", "dbt_packages", "logs" };

    public List<ContextDocument> Documents { get; } = [];
    public List<ContextChunk> Chunks { get; } = [];
    public Glossary Glossary { get; } = new();
    /// <summary>Context folders that are dbt projects (hold dbt_project.yml): their descriptions count as existing
    /// ones for <c>--missing-only</c>.</summary>
    public List<string> DbtProjectRoots { get; } = [];
    List<DbtProject>? dbtProjects;

    /// <summary>True when a dbt project given as context describes the target (model, source table or column). The
    /// projects are parsed on first use, so only <c>--missing-only</c> needs every YAML file of them to parse.</summary>
    public bool DescribedInDbt(QualifiedName name) =>
        (dbtProjects ??= DbtProjectRoots.Select(DbtProject.Load).ToList()).Any(p => p.Describes(name.Schema, name.Table, name.Column));

    public static ContextLibrary Load(IEnumerable<string> paths)
    {
        var lib = new ContextLibrary();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Files(path)) lib.Add(file);
                if (DbtProject.IsProject(path)) lib.DbtProjectRoots.Add(path);
            }
            else if (File.Exists(path)) lib.Add(path);
            else throw AmxException.BadInput($"context path '{path}' does not exist", "pass a file or folder of Markdown, text, CSV, YAML or SQL documents");
        }
        return lib;
    }

    static IEnumerable<string> Files(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.Hidden };
        foreach (var f in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal))
            if (KindOf(f) is not null) yield return f;
        foreach (var d in Directory.EnumerateDirectories(folder, "*", options).Order(StringComparer.Ordinal))
            if (!Skipped.Contains(System.IO.Path.GetFileName(d)) && !System.IO.Path.GetFileName(d).StartsWith('.'))
                foreach (var f in Files(d)) yield return f;
    }

    static string? KindOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".md" or ".markdown" or ".txt" or ".rst" => "text",
        ".csv" => "csv",
        ".yml" or ".yaml" => "yaml",
        ".sql" => "sql",
        _ => null,
    };

    void Add(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n");
        var before = Chunks.Count;
        switch (KindOf(path))
        {
            case "csv": AddCsv(path, text); break;
            case "yaml": AddSections(path, text, l => IsYamlEntry(l)); break;
            case "sql": AddSql(path, text); break;
            default: AddSections(path, text, l => l.StartsWith('#')); break;
        }
        Documents.Add(new ContextDocument(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), Chunks.Count - before));
    }

    /// <summary>Each row one chunk (<c>term: definition</c>); the first two columns also feed the glossary. A header row
    /// whose first cell is term, name or column is skipped.</summary>
    void AddCsv(string path, string text)
    {
        using var csv = new CsvParser(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, MissingFieldFound = null });
        var first = true;
        while (csv.Read())
        {
            var row = csv.Record ?? [];
            var line = csv.Context.Parser?.RawRow ?? 0;
            if (first && row.Length > 0 && row[0].Trim().ToLowerInvariant() is "term" or "name" or "column" or "abbreviation") { first = false; continue; }
            first = false;
            if (row.Length < 2 || string.IsNullOrWhiteSpace(row[0]) || string.IsNullOrWhiteSpace(row[1])) continue;
            Glossary.Add(row[0], row[1]);
            Chunks.Add(new ContextChunk($"{path}:{line}", $"{row[0].Trim()}: {string.Join(", ", row.Skip(1).Select(c => c.Trim()).Where(c => c.Length > 0))}"));
        }
    }

    static bool IsYamlEntry(string line)
    {
        var t = line.TrimStart();
        return t.StartsWith("- name:", StringComparison.Ordinal) && line.Length - t.Length <= 6;
    }

    void AddSql(string path, string text)
    {
        var lines = text.Split('\n');
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].TrimEnd().EndsWith(';') || i == lines.Length - 1)
            {
                Emit(path, lines, start, i + 1);
                start = i + 1;
            }
    }

    /// <summary>Cuts at lines where <paramref name="startsSection"/> holds and at blank lines once a chunk is long enough.</summary>
    void AddSections(string path, string text, Func<string, bool> startsSection)
    {
        var lines = text.Split('\n');
        var start = 0;
        var size = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var cut = i > start && (startsSection(lines[i]) || (size > MaxChunkChars / 2 && lines[i].Trim().Length == 0) || size + lines[i].Length > MaxChunkChars);
            if (cut) { Emit(path, lines, start, i); start = i; size = 0; }
            size += lines[i].Length + 1;
        }
        Emit(path, lines, start, lines.Length);
    }

    void Emit(string path, string[] lines, int from, int to)
    {
        while (from < to && lines[from].Trim().Length == 0) from++;
        var text = string.Join('\n', lines[from..to]).Trim();
        if (text.Length == 0) return;
        if (text.Length > MaxChunkChars) text = text[..MaxChunkChars];
        Chunks.Add(new ContextChunk($"{path}:{from + 1}", text));
    }
}

/// <summary>Terms and their definitions from CSV glossaries (<c>cust_seg,Customer segment (A/B/C) assigned by the CRM</c>).
/// A name matches a term case-insensitively; the first definition of a term wins.</summary>
public sealed class Glossary
{
    readonly Dictionary<string, string> terms = new(StringComparer.OrdinalIgnoreCase);

    public int Count => terms.Count;

    public void Add(string term, string definition) => terms.TryAdd(term.Trim(), definition.Trim());

    public string? Lookup(string name) => terms.GetValueOrDefault(name.Trim());
}
