using System.Data.Common;
using Amx.Data.Config;
using Npgsql;

namespace Amx.Data.Warehouse.Postgres;

public sealed class PostgresProvider : IWarehouseProvider
{
    public Backend Backend => Backend.PostgreSql;
    public WarehouseDialect Dialect => PostgresDialect.Instance;
    public IMetadataReader Metadata { get; } = new PostgresMetadataReader();
    public ICommentWriter Comments { get; } = new PostgresCommentWriter();
    public ICommentPrivilegeChecker Privileges { get; } = new PostgresPrivilegeChecker();
    public IServerInfoReader ServerInfo { get; } = new PostgresServerInfoReader();
    public DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);
}
