using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
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
        return _schema is null ? migration : new SchemaBoundMigration(migration, _schema);
    }
}
#pragma warning restore EF1001

/// <summary>A migration whose schema-less operations are moved into <paramref name="schema"/>.</summary>
sealed class SchemaBoundMigration : Migration
{
    readonly Migration _inner;
    readonly string _schema;
    IReadOnlyList<MigrationOperation>? _up, _down;

    public SchemaBoundMigration(Migration inner, string schema)
    {
        _inner = inner;
        _schema = schema;
        ActiveProvider = inner.ActiveProvider!;
    }

    public override IModel TargetModel => _inner.TargetModel;
    public override IReadOnlyList<MigrationOperation> UpOperations => _up ??= Bind(_inner.UpOperations);
    public override IReadOnlyList<MigrationOperation> DownOperations => _down ??= Bind(_inner.DownOperations);

    protected override void Up(MigrationBuilder migrationBuilder) => throw new NotSupportedException();

    IReadOnlyList<MigrationOperation> Bind(IReadOnlyList<MigrationOperation> operations)
    {
        foreach (var op in operations)
        {
            SetSchema(op);
            if (op is CreateTableOperation t)
            {
                foreach (var c in t.Columns) SetSchema(c);
                if (t.PrimaryKey is not null) SetSchema(t.PrimaryKey);
                foreach (var u in t.UniqueConstraints) SetSchema(u);
                foreach (var f in t.ForeignKeys) SetSchema(f);
                foreach (var k in t.CheckConstraints) SetSchema(k);
            }
        }
        return operations;
    }

    /// <summary>Every operation type names its schema in a property called Schema (PrincipalSchema, NewSchema for
    /// foreign keys and renames); filling the null ones covers operations a future migration may add.</summary>
    void SetSchema(MigrationOperation op)
    {
        foreach (var p in op.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p is { CanWrite: true, Name: "Schema" or "PrincipalSchema" or "NewSchema" } && p.PropertyType == typeof(string)
                && p.GetValue(op) is null)
                p.SetValue(op, _schema);
    }
}
