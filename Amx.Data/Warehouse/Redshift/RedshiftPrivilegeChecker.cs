using System.Data.Common;

namespace Amx.Data.Warehouse.Redshift;

/// <summary>
/// Redshift lets the owner of a relation or a superuser comment on it: one catalog query per chunk of tables finds
/// those owned by someone else when the connected user is not a superuser (pg_user has both facts on Redshift and
/// PostgreSQL alike).
/// </summary>
public sealed class RedshiftPrivilegeChecker : ICommentPrivilegeChecker
{
    public async Task<IReadOnlyDictionary<CommentTarget, string>> CheckAsync(DbConnection connection, IReadOnlyCollection<CommentTarget> targets, CancellationToken ct = default)
    {
        var tables = targets.Select(t => (t.Name.Schema, t.Name.Table)).Distinct().ToList();
        var denied = new Dictionary<(string, string), string>();
        foreach (var chunk in tables.Chunk(RedshiftCatalogSql.TablesPerQuery))
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                SELECT n.nspname::varchar, c.relname::varchar, coalesce(o.usename::varchar, 'user ' || c.relowner)
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_user o ON o.usesysid = c.relowner
                JOIN pg_user me ON me.usename = current_user
                WHERE c.relowner <> me.usesysid AND NOT me.usesuper AND {RedshiftCatalogSql.TableFilter(cmd, chunk)}
                """;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) denied[(r.GetString(0), r.GetString(1))] = r.GetString(2);
        }
        return targets.Where(t => denied.ContainsKey((t.Name.Schema, t.Name.Table)))
            .ToDictionary(t => t, t => $"{t.Name.Schema}.{t.Name.Table} is owned by {denied[(t.Name.Schema, t.Name.Table)]}; on Redshift COMMENT needs its owner or a superuser");
    }
}
