using System.Data.Common;
using Amx.Data.Config;
using Microsoft.Data.Sqlite;

namespace Amx.Data.Warehouse.Sqlite;

public sealed class SqliteProvider : IWarehouseProvider
{
    public Backend Backend => Backend.Sqlite;
    public WarehouseDialect Dialect => SqliteDialect.Instance;
    public IMetadataReader Metadata { get; } = new SqliteMetadataReader();
    public ICommentWriter Comments { get; } = new SqliteCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new SqliteServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);
}
