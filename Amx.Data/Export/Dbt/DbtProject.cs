using System.Text;
using System.Text.Json;
using Amx.Data.Errors;

namespace Amx.Data.Export.Dbt;

/// <summary>A YAML file of the project as read: its text, its tree, and how it writes line breaks.</summary>
public sealed class DbtYamlFile
{
    public required string Path { get; init; }
    public required string Text { get; init; }
    public bool Bom { get; init; }
    public YNode? Root { get; init; }
    public string Newline => Text.Contains("\r\n") ? "\r\n" : "\n";

    /// <summary>1-based line of an offset.</summary>
    public int LineOf(int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < Text.Length; i++) if (Text[i] == '\n') line++;
        return line;
    }
}

/// <summary>A model entry (<c>models: - name:</c>) or a source table (<c>sources: - tables: - name:</c>) in a YAML file.</summary>
public sealed record DbtEntry(DbtYamlFile File, YMapping Node, string Name, string? SourceName, string? Schema, string? Identifier)
{
    public bool IsSource => SourceName is not null;
    public string Display => IsSource ? $"source {SourceName}.{Name}" : $"model {Name}";
}

/// <summary>Where a warehouse table lives in the project: an entry in YAML, or a model's <c>.sql</c> that has none yet.</summary>
public sealed record DbtMatch(DbtEntry? Entry, string? ModelName, string? ModelSql);

/// <summary>
/// A dbt project as amx needs it: <c>dbt_project.yml</c>'s <c>model-paths</c>, the models' <c>.sql</c> files, the
/// model and source entries of every YAML file there, and <c>target/manifest.json</c> when present, which tells each
/// model's and source's relation (schema and name) in the warehouse. See docs/context-and-export.md.
/// </summary>
public sealed class DbtProject
{
    public required string Root { get; init; }
    public List<DbtYamlFile> Files { get; } = [];
    public List<DbtEntry> Models { get; } = [];
    public List<DbtEntry> Sources { get; } = [];
    /// <summary>Model name → its .sql file (the first found).</summary>
    public Dictionary<string, string> ModelSql { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>From the manifest: warehouse <c>schema.table</c> (lower case) → the model's or source's manifest node.</summary>
    public Dictionary<string, ManifestNode>? Manifest { get; private set; }
    public List<string> ModelPaths { get; } = [];

    public sealed record ManifestNode(string Name, string? SourceName, string? SqlPath);

    public static bool IsProject(string dir) => File.Exists(System.IO.Path.Combine(dir, "dbt_project.yml"));

    public static DbtProject Load(string dir)
    {
        if (!Directory.Exists(dir))
            throw AmxException.BadInput($"dbt project '{dir}' does not exist", "pass the folder that holds dbt_project.yml");
        if (!IsProject(dir))
            throw AmxException.BadInput($"'{dir}' is not a dbt project (no dbt_project.yml)", "pass the folder that holds dbt_project.yml");
        var project = new DbtProject { Root = dir };
        var config = ReadFile(System.IO.Path.Combine(dir, "dbt_project.yml"));
        var paths = (config.Root as YMapping)?.Find("model-paths")?.Value ?? (config.Root as YMapping)?.Find("source-paths")?.Value;
        if (paths is YSequence seq) project.ModelPaths.AddRange(seq.Items.OfType<YScalar>().Select(s => s.Value));
        if (project.ModelPaths.Count == 0) project.ModelPaths.Add("models");

        foreach (var modelPath in project.ModelPaths)
        {
            var folder = System.IO.Path.Combine(dir, modelPath);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var ext = System.IO.Path.GetExtension(file).ToLowerInvariant();
                if (ext == ".sql") project.ModelSql.TryAdd(System.IO.Path.GetFileNameWithoutExtension(file), file);
                else if (ext is ".yml" or ".yaml") project.AddYaml(ReadFile(file));
            }
        }
        var manifest = System.IO.Path.Combine(dir, "target", "manifest.json");
        if (File.Exists(manifest)) project.ReadManifest(manifest);
        return project;
    }

    public static DbtYamlFile ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
        var text = new UTF8Encoding(false).GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0));
        return new DbtYamlFile { Path = path, Text = text, Bom = bom, Root = YamlTree.Parse(text, path) };
    }

    void AddYaml(DbtYamlFile file)
    {
        Files.Add(file);
        if (file.Root is not YMapping top) return;
        if (top.Find("models")?.Value is YSequence models)
            foreach (var m in models.Items.OfType<YMapping>())
                if (m.Text("name") is { } name) Models.Add(new DbtEntry(file, m, name, null, null, null));
        if (top.Find("sources")?.Value is YSequence sources)
            foreach (var s in sources.Items.OfType<YMapping>())
            {
                if (s.Text("name") is not { } sourceName || s.Find("tables")?.Value is not YSequence tables) continue;
                var schema = s.Text("schema") ?? sourceName;
                foreach (var t in tables.Items.OfType<YMapping>())
                    if (t.Text("name") is { } name) Sources.Add(new DbtEntry(file, t, name, sourceName, schema, t.Text("identifier") ?? name));
            }
    }

    void ReadManifest(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw AmxException.BadInput($"{path}: not valid JSON: {e.Message}", "run `dbt parse` again, or delete target/manifest.json to match by names"); }
        using (doc)
        {
            var map = new Dictionary<string, ManifestNode>(StringComparer.Ordinal);
            if (doc.RootElement.TryGetProperty("nodes", out var nodes))
                foreach (var n in nodes.EnumerateObject())
                {
                    var v = n.Value;
                    if (Str(v, "resource_type") != "model" || Str(v, "name") is not { } name || Str(v, "schema") is not { } schema) continue;
                    var sql = Str(v, "original_file_path") is { } p ? System.IO.Path.Combine(Root, p) : null;
                    map.TryAdd(Key(schema, Str(v, "alias") ?? name), new ManifestNode(name, null, sql));
                }
            if (doc.RootElement.TryGetProperty("sources", out var sources))
                foreach (var n in sources.EnumerateObject())
                {
                    var v = n.Value;
                    if (Str(v, "name") is not { } name || Str(v, "source_name") is not { } source || Str(v, "schema") is not { } schema) continue;
                    map.TryAdd(Key(schema, Str(v, "identifier") ?? name), new ManifestNode(name, source, null));
                }
            Manifest = map;
        }
    }

    static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    static string Key(string schema, string table) => (schema + "." + table).ToLowerInvariant();

    /// <summary>
    /// The project's entry for warehouse table <paramref name="schema"/>.<paramref name="table"/>. With a manifest, the
    /// relation it names decides; without one, a source table whose schema and identifier match, else the model of
    /// that name (a model's schema depends on the dbt target, which amx does not read). Null: not in the project.
    /// </summary>
    public DbtMatch? Match(string schema, string table)
    {
        if (Manifest is not null)
        {
            if (!Manifest.TryGetValue(Key(schema, table), out var node)) return null;
            var entry = node.SourceName is not null
                ? Sources.FirstOrDefault(s => Eq(s.SourceName, node.SourceName) && Eq(s.Name, node.Name))
                : Models.FirstOrDefault(m => Eq(m.Name, node.Name));
            if (entry is not null) return new DbtMatch(entry, entry.Name, null);
            if (node.SourceName is not null) return null;
            var sql = node.SqlPath ?? ModelSql.GetValueOrDefault(node.Name);
            return sql is null ? null : new DbtMatch(null, node.Name, sql);
        }
        var source = Sources.FirstOrDefault(s => Eq(s.Schema, schema) && Eq(s.Identifier, table));
        if (source is not null) return new DbtMatch(source, source.Name, null);
        var model = Models.FirstOrDefault(m => Eq(m.Name, table));
        if (model is not null) return new DbtMatch(model, model.Name, null);
        return ModelSql.TryGetValue(table, out var file) ? new DbtMatch(null, System.IO.Path.GetFileNameWithoutExtension(file), file) : null;
    }

    /// <summary>True when the project describes this target already: a non-blank <c>description:</c> on the model or
    /// source table, or on the column's entry (for <c>--missing-only</c> with a dbt project as context).</summary>
    public bool Describes(string schema, string table, string? column)
    {
        if (Match(schema, table)?.Entry is not { } entry) return false;
        if (column is null) return !string.IsNullOrWhiteSpace(entry.Node.Text("description"));
        return entry.Node.Find("columns")?.Value is YSequence cols && cols.Items.OfType<YMapping>()
            .Any(c => Eq(c.Text("name"), column) && !string.IsNullOrWhiteSpace(c.Text("description")));
    }

    static bool Eq(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
