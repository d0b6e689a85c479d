using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace Amx.Data.History.Storage;

#pragma warning disable EF1001 // MigrationsAssembly is pubternal; subclassing it is the supported hook for creating migrations.
/// <summary>
/// The migrations are generated without a schema; this hands each one out bound to the schema of the context that
/// runs it, so one set of migrations serves every schema name a team picks.
/// </summary>
public sealed class SchemaBoundMigrationsAssembly(
    ICurrentDbContext currentContext,
    IDbContextOptions options,
    IMigrationsIdGenerator idGenerator,
    IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
    : MigrationsAssembly(currentContext, options, idGenerator, logger)
{
    readonly string? _schema = (currentContext.Context as HistoryDbContext)?.Schema;

    public override Migration CreateMigration(TypeInfo migrationClass, string activeProvider)
    {
        var migration = base.CreateMigration(migrationClass, activeProvider);
        return _schema is null ? migration : SchemaBinder.Bind(migration, _schema);
    }
}
#pragma warning restore EF1001

/// <summary>
/// Moves a migration's schema-less operations into a schema. Migration caches its operation lists, so binding the
/// objects in place is what the migrator, the script generator and the id lookup all see.
/// </summary>
static class SchemaBinder
{
    public static Migration Bind(Migration migration, string schema)
    {
        Bind(migration.UpOperations, schema);
        Bind(migration.DownOperations, schema);
        return migration;
    }

    static void Bind(IReadOnlyList<MigrationOperation> operations, string schema)
    {
        foreach (var op in operations)
        {
            SetSchema(op, schema);
            if (op is CreateTableOperation t)
            {
                foreach (var c in t.Columns) SetSchema(c, schema);
                if (t.PrimaryKey is not null) SetSchema(t.PrimaryKey, schema);
                foreach (var u in t.UniqueConstraints) SetSchema(u, schema);
                foreach (var f in t.ForeignKeys) SetSchema(f, schema);
                foreach (var k in t.CheckConstraints) SetSchema(k, schema);
            }
        }
    }

    /// <summary>Every operation type names its schema in a property called Schema (PrincipalSchema, NewSchema for
    /// foreign keys and renames); filling the null ones also covers operations a future migration may add.</summary>
    static void SetSchema(MigrationOperation op, string schema)
    {
        foreach (var p in op.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p is { CanWrite: true, Name: "Schema" or "PrincipalSchema" or "NewSchema" } && p.PropertyType == typeof(string)
                && p.GetValue(op) is null)
                p.SetValue(op, schema);
    }
}
