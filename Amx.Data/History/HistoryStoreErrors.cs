using Amx.Data.Config;
using Amx.Data.Errors;

namespace Amx.Data.History;

/// <summary>The history-store errors of docs/errors.md, worded once for every verb.</summary>
public static class HistoryStoreErrors
{
    public static AmxException NewerStore(HistoryStoreTarget t, IReadOnlyList<string> unknown) => AmxException.Failed(
        $"the history store {t.Location} was migrated by a newer amx (migration {string.Join(", ", unknown)} is unknown to this build); " +
        "refusing to write to it",
        "upgrade amx on this machine: dotnet tool update -g amx");

    public static AmxException TablesMissing(HistoryStoreTarget t, IReadOnlyList<string> schemasWithTables)
    {
        var where = t.Schema.Length == 0 ? t.Profile.Location : $"schema '{t.Schema}' of {t.Profile.Location}";
        var hint = schemasWithTables.Count == 0
            ? $"no schema there holds amx_history_* tables; create them with: amx history-store enable --profile {t.Profile.Name} --schema {t.Schema}"
            : $"schemas that hold amx_history_* tables: {string.Join(", ", schemasWithTables)}; point at one with: " +
              $"amx history-store enable --profile {t.Profile.Name} --schema {schemasWithTables[0]}";
        return AmxException.BadInput($"the shared history tables (amx_history_runs, amx_history_results) are missing in {where}", hint);
    }

    public static AmxException OutOfDate(HistoryStoreTarget t, IReadOnlyList<string> pending) => AmxException.Failed(
        $"the history store {t.Location} lacks migration {string.Join(", ", pending)} of this amx",
        $"upgrade the store with: amx history-store enable --profile {t.Profile.Name} --schema {t.Schema}");

    public static AmxException NoCreatePrivilege(HistoryStoreTarget t, string what, Exception cause) => AmxException.Failed(
        $"user '{t.Profile.User}' lacks the CREATE privilege on database '{t.Profile.Database}' needed to {what} ({FirstLine(cause)})",
        $"ask a DBA to run the DDL above (amx history-store script --backend {t.Backend.ToConfigName()} --schema {t.Schema}), " +
        $"or to pre-create the schema and grant you CREATE in it; then rerun with --schema {t.Schema}: a pre-created schema skips the CREATE");

    public static AmxException NoWritePrivilege(HistoryStoreTarget t, string table, Exception cause) => AmxException.Failed(
        $"user '{t.Profile.User}' cannot write to {QualifiedName(t, table)}: {FirstLine(cause)}",
        $"ask a DBA to run: {t.Provider.GrantStatement(t.Schema, t.Profile.User ?? "<member-role>")}");

    static string QualifiedName(HistoryStoreTarget t, string table) => t.Schema.Length == 0 ? table : $"{t.Schema}.{table}";

    static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is Microsoft.EntityFrameworkCore.DbUpdateException) inner = inner.InnerException;
        return inner.Message.Split('\n')[0].Trim();
    }
}
