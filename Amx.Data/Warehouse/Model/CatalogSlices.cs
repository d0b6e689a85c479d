using System.Data.Common;

namespace Amx.Data.Warehouse.Model;

/// <summary>
/// A catalog read in slices, so a run over a million columns never holds them all (docs/runs.md#scale): tables in
/// slices of about <see cref="MetadataOptions.ColumnsPerSlice"/> columns, then every view in one last slice together
/// with the tables those views read (as context, not targets): a view is drafted after its bases, may read other
/// views, and its lineage is resolved against its bases' columns. <see cref="Tables"/> and <see cref="Targets"/> are
/// known before the first slice is read.
/// </summary>
public sealed class CatalogSlices
{
    /// <summary>Tables and views that hold at least one target.</summary>
    public required int Tables { get; init; }

    /// <summary>Tables and columns to draft over all slices.</summary>
    public required long Targets { get; init; }

    public required IAsyncEnumerable<Catalog> Slices { get; init; }

    /// <summary>The whole catalog as one slice: what backends without a sliced read return.</summary>
    public static async Task<CatalogSlices> WholeAsync(IMetadataReader reader, Func<CancellationToken, Task<DbConnection>> open, Scope? scope,
        MetadataOptions options, CancellationToken ct)
    {
        Catalog catalog;
        await using (var connection = await open(ct))
            catalog = await reader.ReadAsync(connection, scope, options, ct);
        var targets = catalog.Targets().ToList();
        return new CatalogSlices
        {
            Tables = targets.Select(t => t.Table).Distinct().Count(), Targets = targets.Count, Slices = One(catalog),
        };
    }

    static async IAsyncEnumerable<Catalog> One(Catalog catalog)
    {
        await Task.CompletedTask;
        yield return catalog;
    }
}
