using System.Data.Common;
using Amx.Data.Config;
using Amx.Data.Connections;

namespace Amx.Data.Warehouse.Postgres;

public sealed class PostgresProvider : IWarehouseProvider
{
    public Backend Backend => Backend.PostgreSql;
    public WarehouseDialect Dialect => PostgresDialect.Instance;
    public IMetadataReader Metadata { get; } = new PostgresMetadataReader();
    public ICommentWriter Comments { get; } = new PostgresCommentWriter();
    public ICommentPrivilegeChecker Privileges { get; } = new PostgresPrivilegeChecker();
    public IServerInfoReader ServerInfo { get; } = new PostgresServerInfoReader();
    // Catalog reads, profiles (values cast to text) and comments need only Npgsql's built-in types: no pg_type load per
    // connection, and a few hundred type mappings fewer built and compiled at first use.
    public DbConnection CreateConnection(string connectionString) => NpgsqlWithoutTypeLoading.CreateConnection(connectionString);
}
