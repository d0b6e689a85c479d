using System.Data.Common;
using Npgsql;

namespace Amx.Data.Warehouse.Postgres;

/// <summary>COMMENT ON needs ownership of the relation (or a role that has it): one catalog query for all targets.</summary>
public sealed class PostgresPrivilegeChecker : ICommentPrivilegeChecker
{
    const string Sql = """
        SELECT t.s, t.r, pg_get_userbyid(c.relowner)
        FROM unnest($1::text[], $2::text[]) AS t(s, r)
        JOIN pg_catalog.pg_namespace n ON n.nspname = t.s
        JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.r
        WHERE NOT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
        """;

    public async Task<IReadOnlyDictionary<CommentTarget, string>> CheckAsync(DbConnection connection, IReadOnlyCollection<CommentTarget> targets, CancellationToken ct = default)
    {
        var tables = targets.Select(t => (t.Name.Schema, t.Name.Table)).Distinct().ToList();
        await using var cmd = new NpgsqlCommand(Sql, (NpgsqlConnection)connection)
        {
            Parameters = { new() { Value = tables.Select(t => t.Schema).ToArray() }, new() { Value = tables.Select(t => t.Table).ToArray() } },
        };
        var denied = new Dictionary<(string, string), string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                denied[(r.GetString(0), r.GetString(1))] = r.GetString(2);
        return targets.Where(t => denied.ContainsKey((t.Name.Schema, t.Name.Table)))
            .ToDictionary(t => t, t => $"{t.Name.Schema}.{t.Name.Table} is owned by {denied[(t.Name.Schema, t.Name.Table)]}; COMMENT needs its owner (or membership in that role)");
    }
}
