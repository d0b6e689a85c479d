using Amx.Data.Config;
using Amx.Data.History;
using Microsoft.Data.Sqlite;

namespace Amx.Tool.Tests.History;

/// <summary>
/// A new AMX_HOME's store is created from LocalStore.sql instead of EF's migrator (the start-up cost of issue #19): the
/// script must stay exactly what EF generates, and the store it makes must be one EF and amx take as current.
/// </summary>
public class LocalStoreScriptTests
{
    [Test, Category("Quick")]
    public void The_embedded_script_is_what_EF_generates_for_the_SQLite_migrations()
    {
        Assert.That(LocalStoreScript.Script.ReplaceLineEndings("\n"), Is.EqualTo(HistoryScripts.ForBackend(Backend.Sqlite, null).ReplaceLineEndings("\n")),
            "regenerate it: amx history-store script --backend sqlite > Amx.Data/History/Migrations/Sqlite/LocalStore.sql");
        var efIds = typeof(Amx.Data.History.Migrations.Sqlite.InitialCreate).Assembly.GetTypes()
            .Where(t => t.Namespace == "Amx.Data.History.Migrations.Sqlite" && t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)))
            .Select(t => ((Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute)Attribute.GetCustomAttribute(t, typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute))!).Id);
        Assert.That(LocalStoreScript.KnownMigrations, Is.EquivalentTo(efIds));
        Assert.That(LocalStoreScript.KnownMigrations, Has.Count.EqualTo(HistoryTestSupport.MigrationCount));
    }

    [Test, Category("Quick")]
    public async Task A_new_home_gets_a_store_EF_sees_as_current_and_a_second_open_changes_nothing()
    {
        var home = Path.Combine(Path.GetTempPath(), "amx-store-script-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var env = new AmxEnvironment(home, "tester");
            var store = await HistoryStore.OpenLocalAsync(env);
            var path = store.Target.Profile.Path!;
            Assert.That(await LocalStoreScript.InspectAsync(store.Target, default), Is.EqualTo(LocalStoreScript.State.Current));
            await using (var db = store.Target.CreateContext())
            {
                Assert.That(await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetPendingMigrationsAsync(db.Database), Is.Empty,
                    "EF finds nothing to migrate");
                db.Runs.Add(new Amx.Data.History.Model.HistoryRun
                {
                    RunId = "run_2026-01-01_00-00-001", Who = "tester", Scope = "s", State = "drafted", StartedAt = DateTime.UtcNow,
                });
                await db.SaveChangesAsync();
            }
            var before = await SchemaOf(path);
            await HistoryStore.OpenLocalAsync(env);
            Assert.That(await SchemaOf(path), Is.EqualTo(before), "opening a current store changes nothing");
            Assert.That(File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead), Is.EqualTo((UnixFileMode)0), "0600");
        }
        finally { if (Directory.Exists(home)) Directory.Delete(home, recursive: true); }
    }

    [TestCase(Backend.PostgreSql)]
    [TestCase(Backend.MariaDb)]
    [TestCase(Backend.SqlServer)]
    [TestCase(Backend.Sqlite)]
    [Category("Quick")]
    public void The_fast_store_check_knows_every_migration_EF_knows(Backend backend)
    {
        // The shared store's fast check compares the recorded ids with these; EF's own list is the reference.
        var provider = Amx.Data.History.Providers.HistoryProvider.For(backend);
        using var context = provider.CreateContext(provider.OfflineConnectionString, provider.ModelSchema(provider.EffectiveSchema(null)));
        Assert.That(provider.KnownMigrations,
            Is.EquivalentTo(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(context.Database)));
        Assert.That(provider.KnownMigrations, Has.Count.EqualTo(HistoryTestSupport.MigrationCount));
    }

    static async Task<string> SchemaOf(string path)
    {
        await using var conn = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY name)";
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
