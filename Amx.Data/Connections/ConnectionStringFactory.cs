using Amx.Data.Config;
using Amx.Data.Errors;
using DuckDB.NET.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace Amx.Data.Connections;

/// <summary>Builds ADO.NET connection strings from a profile with each driver's own builder (no string concatenation).</summary>
public static class ConnectionStringFactory
{
    public static string For(DbProfile p)
    {
        try
        {
            return p.Backend switch
            {
                Backend.PostgreSql => Postgres(p),
                Backend.MySql or Backend.MariaDb => MySql(p),
                Backend.SqlServer => SqlServer(p),
                Backend.Sqlite => Sqlite(p),
                Backend.DuckDb => DuckDb(p),
                Backend.Redshift => Amx.Data.Warehouse.Redshift.RedshiftProvider.ConnectionString(p),
                Backend.Snowflake => Amx.Data.Warehouse.Http.CloudConnectionStrings.Snowflake(p),
                Backend.Databricks => Amx.Data.Warehouse.Http.CloudConnectionStrings.Databricks(p),
                Backend.BigQuery => Amx.Data.Warehouse.Http.CloudConnectionStrings.BigQuery(p),
                _ => throw new ArgumentOutOfRangeException(nameof(p)),
            };
        }
        catch (ArgumentException e)
        {
            throw AmxException.BadInput($"db profile '{p.Name}': {e.Message}", "check the profile's --option KEY=VALUE entries");
        }
    }

    static string Postgres(DbProfile p)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = p.Host ?? "localhost", Port = p.Port ?? 5432, Database = p.Database, Username = p.User,
            Password = p.ResolvePassword(), ApplicationName = "amx", Timeout = 15,
        };
        foreach (var (k, v) in p.Options) b[k] = v;
        return b.ConnectionString;
    }

    static string MySql(DbProfile p)
    {
        var b = new MySqlConnectionStringBuilder
        {
            Server = p.Host ?? "localhost", Port = (uint)(p.Port ?? 3306), Database = p.Database ?? "", UserID = p.User ?? "",
            Password = p.ResolvePassword() ?? "", ConnectionTimeout = 15, AllowUserVariables = true,
            ApplicationName = "amx",
        };
        foreach (var (k, v) in p.Options) b[k] = v;
        return b.ConnectionString;
    }

    static string SqlServer(DbProfile p)
    {
        var b = new SqlConnectionStringBuilder
        {
            DataSource = p.Port is { } port ? $"{p.Host ?? "localhost"},{port}" : p.Host ?? "localhost",
            InitialCatalog = p.Database ?? "", ApplicationName = "amx", ConnectTimeout = 15,
        };
        if (p.User is not null) { b.UserID = p.User; b.Password = p.ResolvePassword() ?? ""; }
        else b.IntegratedSecurity = true;
        foreach (var (k, v) in p.Options) b[k] = v;
        return b.ConnectionString;
    }

    static string Sqlite(DbProfile p)
    {
        if (string.IsNullOrEmpty(p.Path))
            throw AmxException.BadInput($"db profile '{p.Name}' (sqlite) has no path", $"amx add-db-profile {p.Name} --backend sqlite --path FILE --replace");
        var b = new SqliteConnectionStringBuilder { DataSource = p.Path };
        foreach (var (k, v) in p.Options) b[k] = v;
        return b.ConnectionString;
    }

    /// <summary>Option key that opens a DuckDB file read-only (<c>add-db-profile --read-only</c>); DuckDB takes it as a config option.</summary>
    public const string DuckDbAccessMode = "access_mode";

    static string DuckDb(DbProfile p)
    {
        if (string.IsNullOrEmpty(p.Path))
            throw AmxException.BadInput($"db profile '{p.Name}' (duckdb) has no path", $"amx add-db-profile {p.Name} --backend duckdb --path FILE --replace");
        // DuckDB creates a missing file on open: a typo in the path would silently read an empty warehouse.
        if (!File.Exists(p.Path))
            throw AmxException.Failed($"DuckDB file {p.Path} (db profile '{p.Name}') does not exist",
                $"check the path, or point the profile at the file: amx add-db-profile {p.Name} --backend duckdb --path FILE --replace");
        var b = new DuckDBConnectionStringBuilder { DataSource = p.Path };
        foreach (var (k, v) in p.Options) b[k] = v;
        return b.ConnectionString;
    }
}
