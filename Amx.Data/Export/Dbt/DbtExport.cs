using System.Text;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using YamlDotNet.Core;

namespace Amx.Data.Export.Dbt;

/// <summary>What happened to one target: <see cref="DbtActions"/>; <c>File</c> relative to the project, <c>Line</c>
/// of the entry in the file as it was.</summary>
public sealed record DbtChange(string Target, string Action, string? File, int? Line, string? Note);

public static class DbtActions
{
    /// <summary>A description written where the project had none (or a blank one).</summary>
    public const string Set = "set";
    /// <summary>A column or model entry added, with its description.</summary>
    public const string Added = "added";
    /// <summary>A person's description replaced (only with the overwrite flag).</summary>
    public const string Overwritten = "overwritten";
    /// <summary>A person's description left as it was.</summary>
    public const string Kept = "kept";
    public const string Unchanged = "unchanged";
    /// <summary>No model or source in the project for the target's table.</summary>
    public const string Unmatched = "unmatched";
    /// <summary>In the project, but amx cannot edit it in place (an alias, a flow-style entry); the note says why.</summary>
    public const string Skipped = "skipped";
}

public sealed class DbtExportResult
{
    public List<DbtChange> Changes { get; } = [];
    /// <summary>Files written (or that would be, on a dry run), relative to the project.</summary>
    public List<string> Files { get; } = [];
    public int Count(string action) => Changes.Count(c => c.Action == action);
}

/// <summary>
/// <c>amx export RUN --format dbt --project DIR</c>: the run's accepted and edited descriptions written into the dbt
/// project's YAML as targeted text edits at the offsets a YAML parse gives — never by re-serialising — so comments, key
/// order, quoting, anchors, blank lines and indentation stay byte-identical and a diff shows only description lines
/// and added entries. A description a person wrote is kept unless <c>overwrite</c>. See docs/context-and-export.md.
/// </summary>
public sealed class DbtExport(HistoryStore store)
{
    public async Task<DbtExportResult> ExportAsync(string runId, string projectDir, bool overwrite, bool dryRun, CancellationToken ct)
    {
        var run = await store.FindRunAsync(runId, ct);
        var project = DbtProject.Load(projectDir);
        var rows = await store.ReadAsync(r => r.AcceptedDescriptionsAsync(run.RunId, ct), ct);
        var targets = rows.Select(r => (Name: QualifiedName.Parse(r.Target), Text: r.Description)).ToList();
        return new Editor(project, overwrite).Run(targets, dryRun);
    }

    /// <summary>Plans every edit, checks each edited file still parses, then writes (unless a dry run).</summary>
    public sealed class Editor(DbtProject project, bool overwrite)
    {
        readonly DbtExportResult result = new();
        readonly Dictionary<string, (DbtYamlFile? File, List<Edit> Edits)> files = new(StringComparer.Ordinal);
        int seq;

        internal sealed record Edit(int Start, int End, string Text, int Seq);

        public DbtExportResult Run(List<(QualifiedName Name, string Text)> targets, bool dryRun)
        {
            var newEntries = new Dictionary<string, List<(string Model, string? Table, List<(string Column, string Text, string Target)> Columns, string Target)>>(StringComparer.Ordinal);
            foreach (var table in targets.GroupBy(t => (t.Name.Schema, t.Name.Table)).OrderBy(g => g.Key.Schema, StringComparer.Ordinal).ThenBy(g => g.Key.Table, StringComparer.Ordinal))
            {
                var tableText = table.FirstOrDefault(t => !t.Name.IsColumn).Text;
                var tableTarget = new QualifiedName(table.Key.Schema, table.Key.Table).ToString();
                var columns = table.Where(t => t.Name.IsColumn).Select(t => (t.Name.Column!, t.Text, t.Name.ToString())).ToList();
                var match = project.Match(table.Key.Schema, table.Key.Table);
                if (match is null)
                {
                    foreach (var t in table) Report(t.Name.ToString(), DbtActions.Unmatched, null, null, "no dbt model or source for this table");
                    continue;
                }
                if (match.Entry is { } entry)
                {
                    if (tableText is not null) SetDescription(entry.File, entry.Node, tableText, tableTarget, entry.Display);
                    EditColumns(entry, columns);
                }
                else
                {
                    // A model with a .sql and no YAML yet: an entry in schema.yml beside it.
                    var yml = Path.Combine(Path.GetDirectoryName(match.ModelSql!)!, "schema.yml");
                    if (!newEntries.TryGetValue(yml, out var list)) newEntries[yml] = list = [];
                    list.Add((match.ModelName!, tableText, columns, tableTarget));
                }
            }
            foreach (var (yml, models) in newEntries) AddModelEntries(yml, models);
            Write(dryRun);
            return result;
        }

        void Report(string target, string action, DbtYamlFile? file, int? offset, string? note, string? path = null) =>
            result.Changes.Add(new DbtChange(target, action, file is not null ? Relative(file.Path) : path is not null ? Relative(path) : null,
                file is not null && offset is not null ? file.LineOf(offset.Value) : null, note));

        string Relative(string path) => Path.GetRelativePath(project.Root, path).Replace('\\', '/');

        void Add(DbtYamlFile? file, string path, int start, int end, string text)
        {
            if (!files.TryGetValue(path, out var f)) files[path] = f = (file, []);
            f.Edits.Add(new Edit(start, end, text, seq++));
        }

        /// <summary>Sets <c>description:</c> on a model, source table or column entry, keeping a person's text.</summary>
        void SetDescription(DbtYamlFile file, YMapping node, string value, string target, string what)
        {
            var nl = file.Newline;
            var name = node.Find("name")!.Value.Value;
            var found = node.Find("description");
            if (found is null)
            {
                var keyIndent = node.Pairs[0].Key.Column - 1;
                if (node.Flow) Add(file, file.Path, name.End, name.End, ", description: " + YamlText.Scalar(value, 0, nl, flow: true));
                else
                {
                    var at = LineEnd(file.Text, name.End);
                    Add(file, file.Path, at, at, nl + new string(' ', keyIndent) + "description: " + YamlText.Scalar(value, keyIndent + 2, nl, flow: false));
                }
                Report(target, DbtActions.Set, file, node.Start, what);
                return;
            }
            var (key, v) = found.Value;
            if (v is not YScalar s || s.Anchor is not null)
            {
                Report(target, DbtActions.Skipped, file, node.Start, $"{what}: its description is an alias or anchor; left alone");
                return;
            }
            if (s.Value == value) { Report(target, DbtActions.Unchanged, file, node.Start, what); return; }
            var blank = string.IsNullOrWhiteSpace(s.Value);
            if (!blank && !overwrite)
            {
                Report(target, DbtActions.Kept, file, node.Start, $"{what}: the project's own description kept (--overwrite-dbt-descriptions replaces it)");
                return;
            }
            var preferred = s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? s.Style : (ScalarStyle?)null;
            var rendered = YamlText.Scalar(value, key.Column - 1 + 2, nl, node.Flow, preferred);
            if (s.Value.Length == 0 && s.Style == ScalarStyle.Plain)
            {
                // `description:` with nothing after it: the value goes right after the colon.
                var colon = file.Text.IndexOf(':', key.End);
                Add(file, file.Path, colon + 1, colon + 1, " " + rendered);
            }
            else Add(file, file.Path, s.Start, s.End, rendered);
            Report(target, blank ? DbtActions.Set : DbtActions.Overwritten, file, node.Start, what);
        }

        void EditColumns(DbtEntry entry, List<(string Column, string Text, string Target)> columns)
        {
            if (columns.Count == 0) return;
            var file = entry.File;
            var nl = file.Newline;
            var existing = entry.Node.Find("columns");
            var items = existing?.Value as YSequence;
            var missing = new List<(string Column, string Text, string Target)>();
            foreach (var c in columns)
            {
                var item = items?.Items.OfType<YMapping>().FirstOrDefault(m => string.Equals(m.Text("name"), c.Column, StringComparison.OrdinalIgnoreCase));
                if (item is not null) SetDescription(file, item, c.Text, c.Target, $"{entry.Display} column {c.Column}");
                else missing.Add(c);
            }
            if (missing.Count == 0) return;
            void Added(string note) { foreach (var c in missing) Report(c.Target, DbtActions.Added, file, entry.Node.Start, $"{entry.Display}: {note}"); }
            void Skip(string why) { foreach (var c in missing) Report(c.Target, DbtActions.Skipped, file, entry.Node.Start, $"{entry.Display}: {why}"); }

            var offset = SequenceOffset(file);
            if (existing is null)
            {
                if (entry.Node.Flow) { Skip("the entry is in flow style; add the column by hand"); return; }
                var k = entry.Node.Pairs[0].Key.Column - 1;
                var at = LineEnd(file.Text, entry.Node.End);
                Add(file, file.Path, at, at, nl + new string(' ', k) + "columns:" + ColumnItems(missing, k + offset, nl));
                Added("column entry added (with a new columns: list)");
            }
            else if (existing.Value.Value is YSequence { Flow: false } block && block.Anchor is null && block.Items.Count > 0)
            {
                var at = LineEnd(file.Text, block.End);
                Add(file, file.Path, at, at, ColumnItems(missing, block.Column - 1, nl));
                Added("column entry added");
            }
            else if (existing.Value.Value is YSequence { Flow: true } flow && flow.Anchor is null)
            {
                var parts = missing.Select(c => "{name: " + YamlText.Scalar(c.Column, 0, nl, flow: true) + ", description: " + YamlText.Scalar(c.Text, 0, nl, flow: true) + "}");
                Add(file, file.Path, flow.End - 1, flow.End - 1, (flow.Items.Count > 0 ? ", " : "") + string.Join(", ", parts));
                Added("column entry added");
            }
            else if (existing.Value.Value is YScalar { Value: "", Style: ScalarStyle.Plain } && !entry.Node.Flow)
            {
                var k = existing.Value.Key.Column - 1;
                var at = LineEnd(file.Text, existing.Value.Key.End);
                Add(file, file.Path, at, at, ColumnItems(missing, k + offset, nl));
                Added("column entry added");
            }
            else Skip("its columns: is an alias, anchored or not a list; add the column by hand");
        }

        static string ColumnItems(IEnumerable<(string Column, string Text, string Target)> columns, int dash, string nl)
        {
            var sb = new StringBuilder();
            foreach (var c in columns)
                sb.Append(nl).Append(' ', dash).Append("- name: ").Append(YamlText.Scalar(c.Column, 0, nl, flow: false))
                  .Append(nl).Append(' ', dash + 2).Append("description: ").Append(YamlText.Scalar(c.Text, dash + 4, nl, flow: false));
            return sb.ToString();
        }

        static string ModelItem(string model, string? text, List<(string Column, string Text, string Target)> columns, int dash, int offset, string nl)
        {
            var sb = new StringBuilder();
            sb.Append(nl).Append(' ', dash).Append("- name: ").Append(YamlText.Scalar(model, 0, nl, flow: false));
            if (text is not null) sb.Append(nl).Append(' ', dash + 2).Append("description: ").Append(YamlText.Scalar(text, dash + 4, nl, flow: false));
            if (columns.Count > 0) sb.Append(nl).Append(' ', dash + 2).Append("columns:").Append(ColumnItems(columns, dash + 2 + offset, nl));
            return sb.ToString();
        }

        /// <summary>Entries for models that have a .sql and no YAML: appended to <c>models:</c> of the schema.yml beside
        /// them, or to a new schema.yml.</summary>
        void AddModelEntries(string yml, List<(string Model, string? Table, List<(string Column, string Text, string Target)> Columns, string Target)> models)
        {
            var file = project.Files.FirstOrDefault(f => string.Equals(Path.GetFullPath(f.Path), Path.GetFullPath(yml), StringComparison.Ordinal))
                       ?? (File.Exists(yml) ? DbtProject.ReadFile(yml) : null);
            var nl = file?.Newline ?? "\n";
            var offset = file is null ? 2 : SequenceOffset(file);
            void Added(string note)
            {
                foreach (var m in models)
                {
                    if (m.Table is not null) Report(m.Target, DbtActions.Added, null, null, $"model {m.Model}: {note}", yml);
                    foreach (var c in m.Columns) Report(c.Target, DbtActions.Added, null, null, $"model {m.Model}: {note}", yml);
                }
            }
            if (file is null)
            {
                var text = "version: 2" + nl + nl + "models:" + string.Concat(models.Select(m => ModelItem(m.Model, m.Table, m.Columns, offset, offset, nl))) + nl;
                Add(null, yml, 0, 0, text);
                Added("model entry added in a new schema.yml");
                return;
            }
            var top = file.Root as YMapping;
            var existing = top?.Find("models");
            if (existing?.Value is YSequence { Flow: false } seq && seq.Anchor is null && seq.Items.Count > 0)
            {
                var at = LineEnd(file.Text, seq.End);
                Add(file, yml, at, at, string.Concat(models.Select(m => ModelItem(m.Model, m.Table, m.Columns, seq.Column - 1, offset, nl))));
                Added("model entry added");
            }
            else if (existing is null && (file.Root is null || top is { Flow: false }))
            {
                var lead = file.Text.Length == 0 || file.Text.EndsWith('\n') ? "" : nl;
                Add(file, yml, file.Text.Length, file.Text.Length,
                    lead + "models:" + string.Concat(models.Select(m => ModelItem(m.Model, m.Table, m.Columns, offset, offset, nl))) + nl);
                Added("model entry added");
            }
            else
                foreach (var m in models)
                foreach (var t in (m.Table is null ? [] : new[] { m.Target }).Concat(m.Columns.Select(c => c.Target)))
                    Report(t, DbtActions.Skipped, null, null, $"model {m.Model}: {Relative(yml)} has a models: that is not a block list; add the entry by hand", yml);
        }

        /// <summary>How far the file indents a list under its key (<c>models:</c> then <c>  - name:</c> is 2; 0 is common too).</summary>
        static int SequenceOffset(DbtYamlFile file)
        {
            if (file.Root is YMapping top)
                foreach (var (k, v) in top.Pairs)
                    if (v is YSequence { Flow: false } s && s.Items.Count > 0 && s.Line > k.Line) return Math.Max(0, s.Column - k.Column);
            return 2;
        }

        /// <summary>Offset of the line break ending the line that holds <paramref name="offset"/> (before a CR of CRLF).</summary>
        static int LineEnd(string text, int offset)
        {
            var i = text.IndexOf('\n', Math.Min(offset, text.Length));
            if (i < 0) return text.Length;
            return i > 0 && text[i - 1] == '\r' ? i - 1 : i;
        }

        void Write(bool dryRun)
        {
            var outputs = new List<(string Path, string Text, bool Bom)>();
            foreach (var (path, (file, edits)) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var text = new StringBuilder(file?.Text ?? "");
                // From the end, so earlier offsets stay valid; at one offset the later-planned edit goes in first and ends up after.
                foreach (var e in edits.OrderByDescending(e => e.Start).ThenByDescending(e => e.Seq))
                    text.Remove(e.Start, e.End - e.Start).Insert(e.Start, e.Text);
                var updated = text.ToString();
                try { YamlTree.Parse(updated, path); }
                catch (AmxException e)
                {
                    throw AmxException.Failed($"the edit of {Relative(path)} would not parse ({e.Message}); nothing was written",
                        "report this with the file; edit the descriptions by hand meanwhile");
                }
                outputs.Add((path, updated, file?.Bom ?? false));
                result.Files.Add(Relative(path));
            }
            if (dryRun) return;
            foreach (var (path, text, bom) in outputs)
            {
                // Write beside and rename: a reader never sees half a file.
                var tmp = path + ".amx-tmp";
                File.WriteAllText(tmp, text, new UTF8Encoding(bom));
                File.Move(tmp, path, overwrite: true);
            }
        }
    }
}
