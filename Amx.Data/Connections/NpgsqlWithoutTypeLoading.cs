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
        Sources.GetOrAdd(connectionString, cs =>
        {
            var builder = new NpgsqlSlimDataSourceBuilder(cs);
            builder.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
            builder.EnableArrays();
            return builder.Build();
        }).CreateConnection();

    /// <summary>Drops every idle pooled connection (after the server cut them: tests that stop a store mid-run).</summary>
    public static void ClearPools()
    {
        foreach (var source in Sources.Values) source.Clear();
    }
}
