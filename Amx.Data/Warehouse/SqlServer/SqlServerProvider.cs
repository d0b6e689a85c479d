using System.Data.Common;
using Amx.Data.Config;
using Microsoft.Data.SqlClient;

namespace Amx.Data.Warehouse.SqlServer;

public sealed class SqlServerProvider : IWarehouseProvider
{
    public Backend Backend => Backend.SqlServer;
    public WarehouseDialect Dialect => SqlServerDialect.Instance;
    public IMetadataReader Metadata { get; } = new SqlServerMetadataReader();
    public ICommentWriter Comments { get; } = new SqlServerCommentWriter();
    public IServerInfoReader ServerInfo { get; } = new SqlServerServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);
}
