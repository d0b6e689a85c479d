using System.Text;
using Amx.Data.History.Model;

namespace Amx.Data.Warehouse;

/// <summary>How a comment's length is counted against the backend's limit.</summary>
public enum LengthUnit { Characters, Utf16Bytes }

/// <summary>Facts of one SQL dialect: identifier quoting, comment limits and capabilities. One subclass per backend.</summary>
public abstract class WarehouseDialect
{
    public abstract string BackendName { get; }
    public abstract string QuoteIdentifier(string name);
    public virtual string QuoteTable(QualifiedName name) => $"{QuoteIdentifier(name.Schema)}.{QuoteIdentifier(name.Table)}";

    public abstract bool SupportsTableComments { get; }
    public abstract bool SupportsViewComments { get; }
    public abstract bool SupportsColumnComments { get; }
    /// <summary>Max comment length on tables/views; null = no practical limit.</summary>
    public abstract int? MaxTableCommentLength { get; }
    public abstract int? MaxColumnCommentLength { get; }
    public virtual LengthUnit LengthUnit => LengthUnit.Characters;
    /// <summary>False where the server stores comments as 3-byte UTF-8 and turns emoji into '?'.</summary>
    public virtual bool SupportsFourByteUtf8InComments => true;
    /// <summary>False where setting an empty comment is the same as removing it.</summary>
    public virtual bool DistinguishesEmptyComment => false;
    public abstract bool CanHostHistoryStore { get; }
    /// <summary>Line that ends a batch in a script for this engine's tools (SQL Server: <c>GO</c>), so each target's
    /// statements run on their own (<c>amx export --format sql</c>); null where statements end with <c>;</c> alone.</summary>
    public virtual string? ScriptBatchSeparator => null;

    /// <summary>Schemas that belong to the engine and are never drafted.</summary>
    public abstract IReadOnlyCollection<string> SystemSchemas { get; }

    /// <summary>amx's own history tables are never drafted (the schema holding them may hold other tables).</summary>
    public static bool IsAmxTable(string table) => table.StartsWith("amx_history_", StringComparison.OrdinalIgnoreCase);

    public bool SupportsCommentsOn(string kind) => kind switch
    {
        TargetKinds.Column => SupportsColumnComments,
        TargetKinds.Table => SupportsTableComments,
        _ => SupportsViewComments,
    };

    public int? MaxLengthFor(string kind) => kind == TargetKinds.Column ? MaxColumnCommentLength : MaxTableCommentLength;

    /// <summary>Length of <paramref name="text"/> in this dialect's unit (characters = Unicode code points).</summary>
    public int MeasureLength(string text) => LengthUnit switch
    {
        LengthUnit.Utf16Bytes => Encoding.Unicode.GetByteCount(text),
        _ => text.EnumerateRunes().Count(),
    };
}
