using Amx.Data.History.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Amx.Data.History.Storage;

/// <summary>The two tables of docs/history-store.md, with their exact table, column and index names.</summary>
public static class HistoryModel
{
    public const string RunsTable = "amx_history_runs";
    public const string ResultsTable = "amx_history_results";
    public const string MigrationsTable = "amx_history_migrations";
    /// <summary>Hosts without advisory locks (Redshift): the table amx LOCKs and keeps its run claims in.</summary>
    public const string LocksTable = "amx_history_locks";
    public const string TargetIndex = "ix_amx_history_results_target";

    // Key lengths keep the composite key under every engine's index limit
    // (SQL Server clustered 900 bytes, InnoDB 3072 bytes in utf8mb4) while fitting three quoted 128-char names.
    public const int RunIdLength = 40;
    public const int QnameLength = 400;

    public static void Configure(ModelBuilder b, string? schema)
    {
        if (schema is not null) b.HasDefaultSchema(schema);

        b.Entity<HistoryRun>(e =>
        {
            e.ToTable(RunsTable);
            e.HasKey(r => r.RunId).HasName("pk_amx_history_runs");
            e.Property(r => r.RunId).HasMaxLength(RunIdLength);
            e.Property(r => r.Who).HasMaxLength(256);
            e.Property(r => r.Host).HasMaxLength(256);
            e.Property(r => r.ClientVersion).HasMaxLength(64);
            e.Property(r => r.Scope).HasMaxLength(1024);
            e.Property(r => r.DbProfile).HasMaxLength(256);
            e.Property(r => r.DbBackend).HasMaxLength(32);
            e.Property(r => r.LlmProvider).HasMaxLength(64);
            e.Property(r => r.LlmModel).HasMaxLength(256);
            e.Property(r => r.State).HasMaxLength(16);
            e.Property(r => r.AppliedBy).HasMaxLength(256);
            e.Property(r => r.RunKind).HasMaxLength(16).HasDefaultValue(RunKinds.Draft);
            e.Property(r => r.RevertedBy).HasMaxLength(256);
        });

        b.Entity<HistoryResult>(e =>
        {
            e.ToTable(ResultsTable);
            e.HasKey(r => new { r.RunId, r.TargetQname }).HasName("pk_amx_history_results");
            e.Property(r => r.RunId).HasMaxLength(RunIdLength);
            e.Property(r => r.TargetQname).HasMaxLength(QnameLength);
            e.Property(r => r.TargetKind).HasMaxLength(32);
            e.Property(r => r.Confidence).HasMaxLength(16);
            e.Property(r => r.Decision).HasMaxLength(16);
            e.Property(r => r.ReviewedBy).HasMaxLength(256);
            e.Property(r => r.AppliedBy).HasMaxLength(256);
            e.Property(r => r.ApplyStatus).HasMaxLength(16);
            e.Property(r => r.RevertedBy).HasMaxLength(256);
            e.Property(r => r.Applied).HasDefaultValue(false);
            // No index on run_id alone: the primary key's leading column serves every lookup by run, and a second
            // index on it led PostgreSQL's planner, before statistics knew a fresh run, to scan the whole run per row
            // updated (migration DropResultsRunIdIndex).
            e.HasIndex(r => r.TargetQname).HasDatabaseName(TargetIndex);
        });

        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var p in entity.GetProperties())
            {
                p.SetColumnName(SnakeCase(p.Name));
                if (p.ClrType == typeof(DateTime)) p.SetValueConverter(UtcConverter);
                else if (p.ClrType == typeof(DateTime?)) p.SetValueConverter(NullableUtcConverter);
            }
    }

    /// <summary>Times are stored in UTC; engines without a zone type hand them back as Unspecified.</summary>
    static readonly ValueConverter<DateTime, DateTime> UtcConverter = new(
        v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    static readonly ValueConverter<DateTime?, DateTime?> NullableUtcConverter = new(
        v => v == null ? null : v.Value.Kind == DateTimeKind.Local ? v.Value.ToUniversalTime() : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc),
        v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

    internal static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
