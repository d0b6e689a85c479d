namespace Amx.Data.Config;

/// <summary>Database engines amx connects to.</summary>
public enum Backend
{
    PostgreSql,
    MySql,
    MariaDb,
    SqlServer,
    Sqlite,
    /// <summary>A DuckDB file: a warehouse only (a single-writer file cannot host the shared history store).</summary>
    DuckDb,
    /// <summary>Amazon Redshift over the PostgreSQL protocol: a warehouse only (docs/redshift.md).</summary>
    Redshift,
    /// <summary>Snowflake through its SQL API (HTTP): a warehouse only.</summary>
    Snowflake,
    /// <summary>Databricks SQL warehouses through the Statement Execution API (HTTP): a warehouse only.</summary>
    Databricks,
    /// <summary>Google BigQuery through its REST API (jobs.query): a warehouse only.</summary>
    BigQuery,
}

public static class BackendNames
{
    public static readonly IReadOnlyList<string> All = ["postgresql", "mysql", "mariadb", "sqlserver", "sqlite", "duckdb", "redshift", "snowflake", "databricks", "bigquery"];

    public static string ToConfigName(this Backend backend) => backend switch
    {
        Backend.PostgreSql => "postgresql",
        Backend.MySql => "mysql",
        Backend.MariaDb => "mariadb",
        Backend.SqlServer => "sqlserver",
        Backend.Sqlite => "sqlite",
        Backend.DuckDb => "duckdb",
        Backend.Redshift => "redshift",
        Backend.Snowflake => "snowflake",
        Backend.Databricks => "databricks",
        Backend.BigQuery => "bigquery",
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
            case "duckdb": backend = Backend.DuckDb; return true;
            case "redshift": backend = Backend.Redshift; return true;
            case "snowflake": backend = Backend.Snowflake; return true;
            case "databricks": backend = Backend.Databricks; return true;
            case "bigquery": backend = Backend.BigQuery; return true;
            default: backend = default; return false;
        }
    }

    /// <summary>Warehouses that are a local file (<c>--path</c>) rather than a server (<c>--host</c>).</summary>
    public static bool IsFile(this Backend backend) => backend is Backend.Sqlite or Backend.DuckDb;

    /// <summary>Engines people ask for that amx does not read as warehouses yet.</summary>
    public static readonly IReadOnlyList<string> NotYetSupported = ["clickhouse"];

    /// <summary>Warehouses reached through a vendor's SQL-over-HTTP API (docs/cloud-warehouses.md).</summary>
    public static bool IsCloud(this Backend backend) => backend is Backend.Snowflake or Backend.Databricks or Backend.BigQuery;

    /// <summary>MySQL and MariaDB share the wire protocol, catalog and SQL dialect.</summary>
    public static bool IsMySqlFamily(this Backend backend) => backend is Backend.MySql or Backend.MariaDb;
}
