namespace Amx.Tool.Tests.HistoryRead;

/// <summary>What a DBA runs to check <c>amx history show --hash</c> (docs/history-store.md): psql's COPY piped into sha256sum.</summary>
public static class HistoryPsql
{
    static string Psql => File.Exists("/usr/lib/postgresql/15/bin/psql") ? "/usr/lib/postgresql/15/bin/psql" : "psql";

    public static string Sha256OfCopy(PostgresServer pg, string database, string schema, string runId)
    {
        var sql = "COPY (SELECT target_qname, target_kind, confidence, description FROM " + schema + ".amx_history_results " +
                  "WHERE run_id = '" + runId.Replace("'", "''") + "' ORDER BY target_qname COLLATE \"C\") TO STDOUT";
        var r = TestProcess.Run("bash", ["-c", "set -o pipefail; \"$PSQL\" -X -h 127.0.0.1 -p \"$PGPORT_\" -U \"$PGUSER_\" -d \"$PGDB_\" -c \"$SQL\" | sha256sum"],
            new Dictionary<string, string?>
            {
                ["PSQL"] = Psql, ["PGPORT_"] = pg.Port.ToString(), ["PGUSER_"] = pg.AdminUser, ["PGDB_"] = database,
                ["PGPASSWORD"] = pg.AdminPassword, ["SQL"] = sql, ["PGCLIENTENCODING"] = "UTF8",
            });
        if (r.ExitCode != 0) throw new InvalidOperationException($"psql failed: {r.Stderr}");
        return r.Stdout.Split(' ')[0].Trim();
    }
}
