using System.Data.Common;
using Amx.Data.Config;
using MySqlConnector;

namespace Amx.Data.Warehouse.MySql;

/// <summary>MySQL and MariaDB share every class; only the name differs.</summary>
public sealed class MySqlProvider : IWarehouseProvider
{
    public MySqlProvider(Backend backend)
    {
        Backend = backend;
        var dialect = backend == Backend.MariaDb ? MySqlDialect.MariaDb : MySqlDialect.MySql;
        Dialect = dialect;
        Metadata = new MySqlMetadataReader(dialect);
        Comments = new MySqlCommentWriter(dialect);
        ServerInfo = new MySqlServerInfoReader(backend.ToConfigName());
    }

    public Backend Backend { get; }
    public WarehouseDialect Dialect { get; }
    public IMetadataReader Metadata { get; }
    public ICommentWriter Comments { get; }
    public ICommentPrivilegeChecker Privileges { get; } = new MySqlPrivilegeChecker();
    public IServerInfoReader ServerInfo { get; }
    public DbConnection CreateConnection(string connectionString) => new MySqlConnection(connectionString);
}
