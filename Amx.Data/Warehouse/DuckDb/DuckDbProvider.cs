using System.Data.Common;
using System.Text.RegularExpressions;
using Amx.Data.Config;
using DuckDB.NET.Data;

namespace Amx.Data.Warehouse.DuckDb;

/// <summary>DuckDB files (in-process engine): see docs/duckdb.md.</summary>
public sealed partial class DuckDbProvider : IWarehouseProvider
{
    public Backend Backend => Backend.DuckDb;
    public WarehouseDialect Dialect => DuckDbDialect.Instance;
    public IMetadataReader Metadata { get; } = new DuckDbMetadataReader();
    public ICommentWriter Comments { get; } = new DuckDbCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new DuckDbServerInfoReader();
    public ICommentPrivilegeChecker Privileges { get; } = new DuckDbReadOnlyChecker();
    public DbConnection CreateConnection(string connectionString) => new DuckDBConnection(connectionString);

    /// <summary>DuckDB lets one process write a file; any other open fails on the file lock, which says who holds it.</summary>
    public (string Message, string? Hint)? DescribeOpenFailure(DbProfile profile, Exception error)
    {
        if (!error.Message.Contains("Could not set lock", StringComparison.OrdinalIgnoreCase)) return null;
        var holder = LockHolder().Match(error.Message) is { Success: true } m ? $" ({m.Groups[1].Value.Trim()})" : "";
        return ($"cannot open DuckDB file {profile.Path} (db profile '{profile.Name}'): it is locked by another process{holder}",
            "DuckDB lets one process write a file at a time; close the other program (or its connection) and run amx again. " +
            "Read-only opens share the file with other readers only: amx add-db-profile NAME --backend duckdb --path FILE --read-only");
    }

    [GeneratedRegex(@"Conflicting lock is held in (.*?)(?:\. See also|$)", RegexOptions.Singleline)]
    private static partial Regex LockHolder();
}
