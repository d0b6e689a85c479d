using Amx.Data.History.Providers;
using Microsoft.EntityFrameworkCore.Design;

namespace Amx.Data.History.Storage;

// Used by dotnet-ef (local tool, dotnet-tools.json) to add a migration for every provider, e.g.:
//   dotnet ef migrations add NAME --project Amx.Data --startup-project Amx.Tool --context PostgresHistoryDbContext \
//     --output-dir History/Migrations/Postgres --namespace Amx.Data.History.Migrations.Postgres
// (likewise MySql, SqlServer, Sqlite; move the generated snapshot into the same folder).
// Migrations are generated schema-less; SchemaBoundMigrationsAssembly binds them to the configured schema at runtime.

public sealed class PostgresHistoryDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHistoryDbContext>
{
    public PostgresHistoryDbContext CreateDbContext(string[] args) =>
        (PostgresHistoryDbContext)new PostgresHistoryProvider().CreateContext(new PostgresHistoryProvider().OfflineConnectionString, null);
}

public sealed class MySqlHistoryDesignTimeFactory : IDesignTimeDbContextFactory<MySqlHistoryDbContext>
{
    public MySqlHistoryDbContext CreateDbContext(string[] args) =>
        (MySqlHistoryDbContext)new MySqlHistoryProvider(mariaDb: false).CreateContext("Server=localhost;Database=amx", null);
}

public sealed class SqlServerHistoryDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerHistoryDbContext>
{
    public SqlServerHistoryDbContext CreateDbContext(string[] args) =>
        (SqlServerHistoryDbContext)new SqlServerHistoryProvider().CreateContext(new SqlServerHistoryProvider().OfflineConnectionString, null);
}

public sealed class SqliteHistoryDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHistoryDbContext>
{
    public SqliteHistoryDbContext CreateDbContext(string[] args) =>
        (SqliteHistoryDbContext)new SqliteHistoryProvider().CreateContext("Data Source=design.db", null);
}
