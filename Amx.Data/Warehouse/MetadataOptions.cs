using Amx.Data.Warehouse.Model;

namespace Amx.Data.Warehouse;

/// <summary>How much a metadata read does beyond the catalog.</summary>
public sealed record MetadataOptions
{
    public ProfilingMode Profiling { get; init; } = ProfilingMode.Metadata;
    /// <summary><c>--mask-samples</c>: letters become a/A, digits 9; codes of up to 3 characters are kept.</summary>
    public bool MaskSamples { get; init; }
    /// <summary><c>--no-samples</c>: statistics only, no example, min/max or top values leave the database.</summary>
    public bool NoSamples { get; init; }
    /// <summary>Rows read per table in sampled mode.</summary>
    public int SampleRows { get; init; } = 1000;
    /// <summary>Full profiling skips tables above this many rows (with a note).</summary>
    public long FullProfileRowLimit { get; init; } = 1_000_000;
    /// <summary>Partitions of partitioned tables are left out unless asked (the parent describes them).</summary>
    public bool IncludePartitions { get; init; }
    /// <summary>Also return amx's own <c>amx_history_*</c> tables (marked <see cref="TableMeta.IsAmxOwned"/>, never targets).</summary>
    public bool IncludeAmxTables { get; init; }
    /// <summary>A sliced read (<see cref="IMetadataReader.ReadSlicesAsync"/>) holds about this many columns per slice.</summary>
    public int ColumnsPerSlice { get; init; } = 25_000;

    public static MetadataOptions Default { get; } = new();

    /// <summary>The slice size <c>AMX_SLICE_COLUMNS</c> asks for (<paramref name="text"/>), or the default when unset.</summary>
    public static int ColumnsPerSliceFrom(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Default.ColumnsPerSlice;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Errors.AmxException.BadInput($"AMX_SLICE_COLUMNS must be a whole number above 0, not '{text}'",
                $"unset it for the default ({Default.ColumnsPerSlice}), or e.g. export AMX_SLICE_COLUMNS=5000");
    }
}
