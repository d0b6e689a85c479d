namespace Amx.Data.Config;

/// <summary>Database engines amx connects to.</summary>
public enum Backend
{
    PostgreSql,
    MySql,
    MariaDb,
    SqlServer,
    Sqlite,
}

public static class BackendNames
{
    public static readonly IReadOnlyList<string> All = ["postgresql", "mysql", "mariadb", "sqlserver", "sqlite"];

    public static string ToConfigName(this Backend backend) => backend switch
    {
        Backend.PostgreSql => "postgresql",
        Backend.MySql => "mysql",
        Backend.MariaDb => "mariadb",
        Backend.SqlServer => "sqlserver",
        Backend.Sqlite => "sqlite",
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };

    public static bool TryParse(string? name, out Backend backend)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "postgresql" or "postgres" or "pg": backend = Backend.PostgreSql; return true;
            case "mysql": backend = Backend.MySql; return true;
            case "mariadb": backend = Backend.MariaDb; return true;
            case "sqlserver" or "mssql": backend = Backend.SqlServer; return true;
            case "sqlite": backend = Backend.Sqlite; return true;
            default: backend = default; return false;
        }
    }

    /// <summary>MySQL and MariaDB share the wire protocol, catalog and SQL dialect.</summary>
    public static bool IsMySqlFamily(this Backend backend) => backend is Backend.MySql or Backend.MariaDb;
}
