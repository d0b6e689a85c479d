using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amx.Benchmarks.Infrastructure;
using Amx.Data.Context;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Benchmarks.Suites;

/// <summary>
/// In process, no server: what <c>--context</c> adds to a run — reading, chunking and indexing 10 MB of documents
/// (Markdown notes, a CSV glossary, dbt YAML, SQL) and choosing the chunks for each of 2,000 tables × 50 columns.
/// </summary>
public sealed class ContextBench : IBenchSuite
{
    public string Name => "context";
    public string Description => "--context: index 10 MB of documents and select chunks for 2,000 tables (≤ 2 s)";

    public Task RunAsync(BenchContext ctx)
    {
        var tables = int.Parse(ctx.Option("tables", "2000"), CultureInfo.InvariantCulture);
        var megabytes = int.Parse(ctx.Option("mb", "10"), CultureInfo.InvariantCulture);
        var catalog = Catalog(tables, 50);
        var folder = Path.Combine(Path.GetTempPath(), "amx-bench-context-" + Guid.NewGuid().ToString("N")[..8]);
        var bytes = WriteDocuments(folder, catalog, megabytes * 1024L * 1024L);
        try
        {
            // CPU time too: on a shared, loaded machine the wall clock says more about the neighbours than about amx.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var library = ContextLibrary.Load([folder]);
            var loaded = clock.Elapsed;
            var loadedCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var index = new ContextIndex(library, catalog);
            var indexed = clock.Elapsed;
            var indexedCpu = Process.GetCurrentProcess().TotalProcessorTime;
            long chosen = 0, chars = 0;
            foreach (var t in catalog)
            {
                var picked = index.Select(t, ContextIndex.DefaultBudget);
                chosen += picked.Count;
                chars += picked.Sum(c => c.Text.Length);
            }
            var total = clock.Elapsed;
            var endCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var cpuSeconds = (endCpu - cpu).TotalSeconds;
            ctx.Report($"read + chunk {bytes / 1048576.0:0.0} MB in {library.Documents.Count} files ({library.Chunks.Count} chunks), index, select for {tables} tables",
                total.TotalSeconds, "s", 2,
                $"CPU {cpuSeconds:0.00} s (read+chunk {(loadedCpu - cpu).TotalSeconds:0.00}, index {(indexedCpu - loadedCpu).TotalSeconds:0.00}, select {(endCpu - indexedCpu).TotalSeconds:0.00}); " +
                $"wall read+chunk {loaded.TotalSeconds:0.00} s, index {(indexed - loaded).TotalSeconds:0.00} s, select {(total - indexed).TotalSeconds:0.00} s; " +
                $"load average {LoadAverage()}; {chosen / (double)tables:0.0} chunks, {chars / tables} chars per table");
        }
        finally { Directory.Delete(folder, recursive: true); }
        return Task.CompletedTask;
    }

    /// <summary>The 1-minute load average (Linux), to read the wall clock against.</summary>
    static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    static List<TableMeta> Catalog(int tables, int columns)
    {
        var list = new List<TableMeta>(tables);
        for (var t = 1; t <= tables; t++)
        {
            var table = new TableMeta { Name = new QualifiedName("bench", $"t{t:0000}_sales"), Kind = TargetKinds.Table };
            for (var c = 1; c <= columns; c++)
                table.Columns.Add(new ColumnMeta { Name = $"t{t:0000}_c{c:00}_amt", Ordinal = c, DataType = "integer", IsNullable = true });
            list.Add(table);
        }
        return list;
    }

    /// <summary>Notes that name tables and columns among filler prose, a glossary, dbt YAML and view SQL, up to <paramref name="size"/> bytes.</summary>
    static long WriteDocuments(string folder, List<TableMeta> catalog, long size)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(42);
        const string filler = "The finance team reconciles these figures monthly against the ledger and flags gaps to the data owners. ";
        long written = 0;
        var file = 0;
        while (written < size)
        {
            var sb = new StringBuilder();
            var kind = file % 4;
            while (sb.Length < 256 * 1024)
            {
                var t = catalog[rng.Next(catalog.Count)];
                var col = t.Columns[rng.Next(t.Columns.Count)].Name;
                sb.Append(kind switch
                {
                    0 => $"## {t.Name.Table}\n{filler}{filler}Column {col} holds the net amount in EUR.\n\n",
                    1 => $"{col},\"Net amount of {t.Name.Table} in EUR, {filler.Trim()}\"\n",
                    2 => $"  - name: {t.Name.Table}\n    description: \"{filler.Trim()}\"\n    columns:\n      - name: {col}\n        description: Net amount.\n",
                    _ => $"CREATE VIEW v_{t.Name.Table} AS\nSELECT {col}\nFROM bench.{t.Name.Table};\n",
                });
            }
            var ext = kind switch { 0 => "md", 1 => "csv", 2 => "yml", _ => "sql" };
            var path = Path.Combine(folder, $"doc{file:000}.{ext}");
            File.WriteAllText(path, kind == 2 ? "version: 2\nmodels:\n" + sb : sb.ToString());
            written += new FileInfo(path).Length;
            file++;
        }
        return written;
    }
}
