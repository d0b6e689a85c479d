using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Pomelo.EntityFrameworkCore.MySql.Infrastructure;

namespace Amx.Data.History.Storage;

/// <summary>
/// The history store's tables. One subclass per provider so that each provider has its own migrations
/// (found by EF through <c>[DbContext(typeof(…))]</c>) and its own design-time factory; the schema is chosen at runtime.
/// </summary>
public abstract class HistoryDbContext : DbContext
{
    protected HistoryDbContext(DbContextOptions options, string? schema) : base(options) => Schema = schema;

    /// <summary>The schema the tables live in; null where the engine has none in the model (SQLite, and MySQL/MariaDB
    /// whose "schema" is the database the connection selects).</summary>
    public string? Schema { get; }

    public DbSet<HistoryRun> Runs => Set<HistoryRun>();
    public DbSet<HistoryResult> Results => Set<HistoryResult>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => HistoryModel.Configure(modelBuilder, Schema);

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RedactPending();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RedactPending();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Every history row written through EF passes here: no secret reaches a (possibly shared) table (docs/security.md).</summary>
    void RedactPending()
    {
        foreach (var e in ChangeTracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified)) continue;
            switch (e.Entity)
            {
                case HistoryRun run: HistoryRedaction.Apply(run); break;
                case HistoryResult result: HistoryRedaction.Apply(result); break;
            }
        }
    }
}

/// <summary>The free-text fields of history rows that can carry a message from a server or a driver.</summary>
public static class HistoryRedaction
{
    public static void Apply(HistoryRun run)
    {
        run.MetadataJson = Security.Redactor.Redact(run.MetadataJson);
        run.Scope = Security.Redactor.Redact(run.Scope);
    }

    public static void Apply(HistoryResult result)
    {
        result.Error = Security.Redactor.Redact(result.Error);
        result.MetadataJson = Security.Redactor.Redact(result.MetadataJson);
    }
}

public sealed class PostgresHistoryDbContext(DbContextOptions<PostgresHistoryDbContext> options, string? schema)
    : HistoryDbContext(options, schema);

public sealed class MySqlHistoryDbContext(DbContextOptions<MySqlHistoryDbContext> options, string? schema)
    : HistoryDbContext(options, schema)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Character set per table, never ALTER DATABASE: the database may be a DBA's and the lead may lack ALTER on it.
        modelBuilder.HasCharSet(CharSet.Utf8Mb4, DelegationModes.ApplyToTables);
        // Keys compare byte-wise, as on the other engines: names differing only in case are different targets.
        modelBuilder.Entity<HistoryRun>().Property(r => r.RunId).UseCollation("utf8mb4_bin");
        modelBuilder.Entity<HistoryResult>().Property(r => r.RunId).UseCollation("utf8mb4_bin");
        modelBuilder.Entity<HistoryResult>().Property(r => r.TargetQname).UseCollation("utf8mb4_bin");
    }
}

public sealed class SqlServerHistoryDbContext(DbContextOptions<SqlServerHistoryDbContext> options, string? schema)
    : HistoryDbContext(options, schema);

public sealed class SqliteHistoryDbContext(DbContextOptions<SqliteHistoryDbContext> options, string? schema)
    : HistoryDbContext(options, schema);

/// <summary>Caches one model per (context type = provider, schema): two schemas in one process never share a model.</summary>
public sealed class HistoryModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        context is HistoryDbContext h
            ? (context.GetType(), context.Database.ProviderName, h.Schema, designTime)
            : (object)(context.GetType(), designTime);
}
