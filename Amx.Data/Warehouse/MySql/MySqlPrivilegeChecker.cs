using System.Data.Common;
using MySqlConnector;

namespace Amx.Data.Warehouse.MySql;

/// <summary>A comment is an ALTER TABLE: the user needs ALTER globally, on the database, or on the table.</summary>
public sealed class MySqlPrivilegeChecker : ICommentPrivilegeChecker
{
    const string Sql = """
        SELECT t.TABLE_SCHEMA, t.TABLE_NAME,
               EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES p WHERE p.GRANTEE = @g AND p.PRIVILEGE_TYPE = 'ALTER')
            OR EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES p WHERE p.GRANTEE = @g AND p.PRIVILEGE_TYPE = 'ALTER'
                       AND t.TABLE_SCHEMA LIKE p.TABLE_SCHEMA)
            OR EXISTS (SELECT 1 FROM information_schema.TABLE_PRIVILEGES p WHERE p.GRANTEE = @g AND p.PRIVILEGE_TYPE = 'ALTER'
                       AND p.TABLE_SCHEMA = t.TABLE_SCHEMA AND p.TABLE_NAME = t.TABLE_NAME)
        FROM information_schema.TABLES t
        WHERE t.TABLE_SCHEMA IN ({0})
        """;

    public async Task<IReadOnlyDictionary<CommentTarget, string>> CheckAsync(DbConnection connection, IReadOnlyCollection<CommentTarget> targets, CancellationToken ct = default)
    {
        var conn = (MySqlConnection)connection;
        string grantee;
        await using (var who = new MySqlCommand("SELECT CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')", conn))
            grantee = (string)(await who.ExecuteScalarAsync(ct))!;
        var schemas = targets.Select(t => t.Name.Schema).Distinct().ToList();
        await using var cmd = new MySqlCommand(string.Format(Sql, string.Join(", ", schemas.Select((_, i) => "@s" + i))), conn);
        cmd.Parameters.AddWithValue("@g", grantee);
        for (var i = 0; i < schemas.Count; i++) cmd.Parameters.AddWithValue("@s" + i, schemas[i]);
        var allowed = new Dictionary<(string, string), bool>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                allowed[(r.GetString(0), r.GetString(1))] = Convert.ToInt64(r.GetValue(2)) != 0;
        return targets.Where(t => allowed.TryGetValue((t.Name.Schema, t.Name.Table), out var ok) && !ok)
            .ToDictionary(t => t, t => $"{grantee} lacks ALTER on {t.Name.Schema}.{t.Name.Table}; comments are written with ALTER TABLE (GRANT ALTER ON `{t.Name.Schema}`.* TO {grantee})");
    }
}
