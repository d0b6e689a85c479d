using Amx.Data.Config;
using Amx.Data.History;
using Amx.Data.History.Providers;
using Amx.Data.History.Scripts;
using Amx.Data.History.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Amx.Tool.Tests.History;

/// <summary>Migrations match the model on every provider; scripts parse (SQL Server) or match their golden files.</summary>
public class HistoryMigrationsTests
{
    static readonly Backend[] Hosts = [Backend.PostgreSql, Backend.MySql, Backend.MariaDb, Backend.SqlServer, Backend.Sqlite];

    [TestCaseSource(nameof(Hosts))]
    public void Migrations_have_no_pending_model_changes(Backend backend)
    {
        // The design-time configuration (schema-less), exactly what `dotnet ef migrations add` diffed against.
        var provider = HistoryProvider.For(backend);
        using var db = provider.CreateContext(provider.OfflineConnectionString, null);
        Assert.That(db.Database.GetMigrations(), Is.Not.Empty);
        Assert.That(db.Database.HasPendingModelChanges(), Is.False,
            $"the {backend} model changed without a migration: dotnet ef migrations add NAME --context {db.GetType().Name} …");
    }

    [TestCaseSource(nameof(Hosts))]
    public void The_context_type_named_for_the_quick_store_check_is_the_one_built_and_knows_every_migration(Backend backend)
    {
        // The quick check compares the store's migration rows with the migrations of ContextType, without building a context.
        var provider = HistoryProvider.For(backend);
        using var db = provider.CreateContext(provider.OfflineConnectionString, null);
        Assert.That(provider.ContextType, Is.EqualTo(db.GetType()));
        Assert.That(provider.KnownMigrations, Is.EquivalentTo(db.Database.GetMigrations()), "the provider's written-out ids are EF's");
    }

    [Test]
    public void Two_schemas_in_one_process_get_two_models()
    {
        var provider = new PostgresHistoryProvider();
        using var a = provider.CreateContext(provider.OfflineConnectionString, "team_a");
        using var b = provider.CreateContext(provider.OfflineConnectionString, "team_b");
        Assert.That(a.Model.FindEntityType(typeof(Amx.Data.History.Model.HistoryRun))!.GetSchema(), Is.EqualTo("team_a"));
        Assert.That(b.Model.FindEntityType(typeof(Amx.Data.History.Model.HistoryRun))!.GetSchema(), Is.EqualTo("team_b"));
    }

    [TestCase(Backend.PostgreSql, "AMX", "amx")]
    [TestCase(Backend.MariaDb, "Team_Audit", "team_audit")]
    [TestCase(Backend.MySql, "AMX", "amx")]
    [TestCase(Backend.SqlServer, "Amx", "Amx")]
    [TestCase(Backend.Sqlite, "AMX", "")]
    public void Schema_names_are_normalised_per_backend(Backend backend, string given, string effective) =>
        Assert.That(HistoryProvider.For(backend).EffectiveSchema(given), Is.EqualTo(effective));

    [Test]
    public void Scripts_use_the_given_schema_not_a_hard_coded_one()
    {
        var pg = HistoryScripts.ForBackend(Backend.PostgreSql, "Team_Audit");
        Assert.That(pg, Does.Contain("CREATE TABLE team_audit.amx_history_runs"));
        Assert.That(pg, Does.Contain("CREATE INDEX ix_amx_history_results_target ON team_audit.amx_history_results"));
        Assert.That(pg, Does.Contain("team_audit.amx_history_migrations"));
        Assert.That(pg, Does.Not.Contain("amx.amx_history"));
        var my = HistoryScripts.ForBackend(Backend.MariaDb, "Team_Audit");
        Assert.That(my, Does.StartWith("CREATE DATABASE IF NOT EXISTS `team_audit`"));
    }

    [TestCase("AMX")]
    [TestCase("Audit Schema")]
    public void Sql_server_script_parses_with_ScriptDom(string schema)
    {
        var script = HistoryScripts.ForBackend(Backend.SqlServer, schema);
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(script), out var errors);
        Assert.That(errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"), Is.Empty, script);
        Assert.That(script, Does.Contain($"CREATE TABLE [{schema}].[amx_history_results]"));
        Assert.That(script, Does.Contain("CREATE INDEX [ix_amx_history_results_target]"));
        // The first migration's run_id index, dropped by a later one (the primary key's leading column serves it).
        Assert.That(script.IndexOf("DROP INDEX [ix_amx_history_results_run_id]", StringComparison.Ordinal),
            Is.GreaterThan(script.IndexOf("CREATE INDEX [ix_amx_history_results_run_id]", StringComparison.Ordinal)).And.GreaterThan(0));
    }

    [TestCase("snowflake")]
    [TestCase("bigquery")]
    [TestCase("databricks")]
    [TestCase("redshift")]
    public void Dialect_scripts_match_their_golden_files(string backend)
    {
        using var amx = new AmxCli();
        var r = amx.Run("history-store", "script", "--backend", backend, "--schema", "Amx");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var golden = Path.Combine(AppContext.BaseDirectory, "History", "Golden", $"{backend}.sql");
        Assert.That(r.Stdout.ReplaceLineEndings("\n"), Is.EqualTo(File.ReadAllText(golden).ReplaceLineEndings("\n")),
            $"regenerate deliberately with: amx history-store script --backend {backend} --schema Amx > {golden}");
    }

    [Test]
    public void Snowflake_upper_cases_the_schema()
    {
        var s = new SnowflakeScript();
        Assert.That(s.Generate(s.EffectiveSchema("amx")), Does.Contain("CREATE TABLE IF NOT EXISTS AMX.amx_history_results"));
    }

    [TestCase("duckdb", "single-writer")]
    [TestCase("clickhouse", "update single rows")]
    public void Script_refuses_hosts_that_cannot_hold_the_store(string backend, string reason)
    {
        using var amx = new AmxCli();
        var r = amx.Run("history-store", "script", "--backend", backend);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain(reason));
    }
}
