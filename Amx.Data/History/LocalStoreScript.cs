using System.Text.RegularExpressions;
using Amx.Data.History.Storage;
using Microsoft.Data.Sqlite;

namespace Amx.Data.History;

/// <summary>
/// The local SQLite store without EF's migrator on the common paths: is the file at this build's migrations, or new and
/// empty? Both answered by plain SQL; a new file gets <c>LocalStore.sql</c>, the script EF generates for these migrations
/// (kept equal to it by a test). Anything else — an older store, a newer one — goes through EF as before.
/// </summary>
public static class LocalStoreScript
{
    public enum State { Current, Empty, Other }

    // Script first: static initialisers run in order, and KnownMigrations reads it.
    /// <summary>The DDL of a new local store (the embedded LocalStore.sql).</summary>
    public static string Script { get; } = ReadScript();

    static string ReadScript()
    {
        using var stream = typeof(LocalStoreScript).Assembly.GetManifestResourceStream("Amx.Data.LocalStore.sql")
            ?? throw new InvalidOperationException("LocalStore.sql is not embedded in Amx.Data");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The migration ids this build carries for SQLite: the ones the script records (the script equals EF's).</summary>
    public static IReadOnlySet<string> KnownMigrations { get; } = Regex
        .Matches(Script, @"INSERT INTO ""amx_history_migrations"" \(""MigrationId"", ""ProductVersion""\)\s+VALUES \('([^']+)'")
        .Select(m => m.Groups[1].Value)
        .ToHashSet(StringComparer.Ordinal);

    public static async Task<State> InspectAsync(HistoryStoreTarget target, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(target.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master";
        if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) == 0) return State.Empty;
        cmd.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryModel.MigrationsTable}\"";
        var applied = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
        }
        catch (SqliteException) { return State.Other; } // no migrations table: let EF say what this file is
        return applied.SetEquals(KnownMigrations) ? State.Current : State.Other;
    }

    /// <summary>Runs the script on the new, empty file (the script is one transaction: all or nothing).</summary>
    public static async Task CreateAsync(HistoryStoreTarget target, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(target.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = Script;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
