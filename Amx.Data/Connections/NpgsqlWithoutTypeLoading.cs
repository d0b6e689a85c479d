using System.Collections.Concurrent;
using Npgsql;

namespace Amx.Data.Connections;

/// <summary>
/// Npgsql connections that do not load types from pg_type: Npgsql uses its built-in set. One data source per
/// connection string (a CLI process uses one or two), since type loading is set on the data source, not in the string.
/// </summary>
public static class NpgsqlWithoutTypeLoading
{
    static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new();

    public static NpgsqlConnection CreateConnection(string connectionString) =>
        Sources.GetOrAdd(connectionString, Build).CreateConnection();

    static NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
        builder.EnableArrays();
        return builder.Build();
    }

    /// <summary>
    /// Pays the first-use cost of a connection without making one: Npgsql's connection-string and data-source set-up
    /// and OpenSSL's initialisation with the primitives of SCRAM-SHA-256 authentication (nonce, PBKDF2, HMAC, SHA-256).
    /// For a warm-up thread; nothing is connected or pooled.
    /// </summary>
    public static void WarmUp()
    {
        var cs = new NpgsqlConnectionStringBuilder { Host = "localhost", Database = "warm", Username = "warm", ApplicationName = "amx", Timeout = 15 };
        using (var source = Build(cs.ConnectionString))
        using (source.CreateConnection()) { }
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(18);
        var salted = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(nonce, nonce, 1, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        System.Security.Cryptography.SHA256.HashData(System.Security.Cryptography.HMACSHA256.HashData(salted, nonce));
    }

    /// <summary>Drops every idle pooled connection (after the server cut them: tests that stop a store mid-run).</summary>
    public static void ClearPools()
    {
        foreach (var source in Sources.Values) source.Clear();
    }
}
