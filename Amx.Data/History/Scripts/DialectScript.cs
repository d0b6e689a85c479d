using Amx.Data.History.Storage;

namespace Amx.Data.History.Scripts;

/// <summary>
/// Hand-written DDL for warehouses EF has no provider for. Same tables and columns as the EF model; each dialect
/// uses its own types and leaves out keys and indexes the engine does not enforce or have.
/// </summary>
public abstract class DialectScript
{
    public static readonly IReadOnlyDictionary<string, Func<DialectScript>> ByBackend =
        new Dictionary<string, Func<DialectScript>>(StringComparer.OrdinalIgnoreCase)
        {
            ["snowflake"] = () => new SnowflakeScript(),
            ["bigquery"] = () => new BigQueryScript(),
            ["databricks"] = () => new DatabricksScript(),
            ["redshift"] = () => new RedshiftScript(),
        };

    /// <summary>
    /// The migration ids these hand-written tables stand for: PostgreSQL's, whose model they mirror. A new migration
    /// must come with its DDL in every dialect before its id joins this list (a test compares it with EF's).
    /// </summary>
    public static readonly IReadOnlyList<string> ModelMigrations =
        ["20261126113651_InitialCreate", "20261128171150_RunKindRevertResultMetadata", "20261129081150_DropResultsRunIdIndex"];

    /// <summary>The schema as this dialect names it in amx's own SQL.</summary>
    public string SchemaName(string effectiveSchema) => QuoteSchema(effectiveSchema);

    /// <summary>A table of the store as this dialect names it in amx's own SQL.</summary>
    public string QualifiedTable(string effectiveSchema, string table) => Qualify(effectiveSchema, table);

    /// <summary>
    /// Inserts each of <see cref="ModelMigrations"/> not yet recorded, as the product <paramref name="productVersion"/>: a
    /// DBA who runs the script makes a store amx finds current. For one person running a script, not for racing writers.
    /// </summary>
    protected string MigrationRows(string schema, string productVersion)
    {
        var table = Qualify(schema, Storage.HistoryModel.MigrationsTable);
        return string.Concat(ModelMigrations.Select(id =>
            $"INSERT INTO {table} (migration_id, product_version) SELECT '{id}', '{productVersion}' " +
            $"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE migration_id = '{id}');\n"));
    }

    /// <summary>The lock and claim table of hosts without advisory locks (Redshift, Snowflake).</summary>
    protected static readonly (string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key) LocksTable =
        (Storage.HistoryModel.LocksTable, [("lock_name", ColumnType.Qname, true), ("holder", ColumnType.Short, true), ("expires_at", ColumnType.Time, true)], []);

    /// <summary>The schema name as this engine will store it.</summary>
    public abstract string EffectiveSchema(string? configured);

    public string Generate(string effectiveSchema)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Header(effectiveSchema));
        sb.Append($"CREATE SCHEMA IF NOT EXISTS {QuoteSchema(effectiveSchema)};\n\n");
        foreach (var (_, sql) in TableStatements(effectiveSchema)) sb.Append(sql).Append(";\n\n");
        sb.Append(Indexes(effectiveSchema));
        sb.Append(Epilogue(effectiveSchema));
        return sb.ToString();
    }

    /// <summary>Each table's CREATE TABLE IF NOT EXISTS (no trailing semicolon), keyed by table name, in creation order.</summary>
    public IReadOnlyList<(string Table, string Sql)> TableStatements(string effectiveSchema)
    {
        var tables = new List<(string, (string Name, ColumnType Type, bool NotNull)[], string[])>
        {
            (HistoryModel.RunsTable, RunColumns, ["run_id"]),
            (HistoryModel.ResultsTable, ResultColumns, ["run_id", "target_qname"]),
            (HistoryModel.MigrationsTable, MigrationColumns, ["migration_id"]),
        };
        tables.AddRange(ExtraTables());
        return tables.Select(t => (t.Item1, Table(effectiveSchema, t.Item1, t.Item2, t.Item3))).ToList();
    }

    string Table(string schema, string table, (string Name, ColumnType Type, bool NotNull)[] columns, string[] key)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"CREATE TABLE IF NOT EXISTS {Qualify(schema, table)} (\n");
        var lines = columns.Select(c => $"    {c.Name} {TypeName(c.Type)}{(c.NotNull ? " NOT NULL" : "")}{(c.Type == ColumnType.Bool ? " DEFAULT FALSE" : "")}").ToList();
        if (key.Length > 0 && PrimaryKey($"pk_{table}", key) is { } pk) lines.Add("    " + pk);
        sb.Append(string.Join(",\n", lines)).Append("\n)").Append(TableOptions(table));
        return sb.ToString();
    }

    /// <summary>Tables a host needs beyond the model's (Redshift: its lock table).</summary>
    protected virtual IEnumerable<(string Table, (string Name, ColumnType Type, bool NotNull)[] Columns, string[] Key)> ExtraTables() => [];

    /// <summary>Statements after the tables (Redshift: the migration ids, so a DBA-run script makes a current store).</summary>
    protected virtual string Epilogue(string schema) => "";

    /// <summary>Comment lines: what the engine enforces and what it does not.</summary>
    protected abstract string Header(string schema);
    protected abstract string QuoteSchema(string schema);
    protected virtual string Qualify(string schema, string table) => $"{QuoteSchema(schema)}.{table}";
    protected abstract string TypeName(ColumnType type);
    /// <summary>The key clause, or null where the engine has none.</summary>
    protected abstract string? PrimaryKey(string name, string[] columns);
    protected virtual string TableOptions(string table) => "";
    protected virtual string Indexes(string schema) => "";

    protected static string DefaultSchema(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? Config.AmxConfig.DefaultHistorySchema : configured.Trim();

    /// <summary>Columns of amx_history_runs in order, with a portable type class.</summary>
    protected static readonly (string Name, ColumnType Type, bool NotNull)[] RunColumns =
    [
        ("run_id", ColumnType.Key, true), ("who", ColumnType.Short, true), ("host", ColumnType.Short, false),
        ("client_version", ColumnType.Short, false), ("started_at", ColumnType.Time, true), ("finished_at", ColumnType.Time, false),
        ("scope", ColumnType.Medium, true), ("db_profile", ColumnType.Short, false), ("db_backend", ColumnType.Short, false),
        ("llm_provider", ColumnType.Short, false), ("llm_model", ColumnType.Short, false), ("state", ColumnType.Short, true),
        ("ok_count", ColumnType.Int, true), ("fail_count", ColumnType.Int, true), ("applied_at", ColumnType.Time, false),
        ("applied_by", ColumnType.Short, false), ("metadata_json", ColumnType.Text, false),
        ("run_kind", ColumnType.Short, true), ("reverted_at", ColumnType.Time, false), ("reverted_by", ColumnType.Short, false),
    ];

    protected static readonly (string Name, ColumnType Type, bool NotNull)[] ResultColumns =
    [
        ("run_id", ColumnType.Key, true), ("target_qname", ColumnType.Qname, true), ("target_kind", ColumnType.Short, true),
        ("description", ColumnType.Text, false), ("alternatives", ColumnType.Text, false), ("confidence", ColumnType.Short, false),
        ("previous_comment", ColumnType.Text, false), ("decision", ColumnType.Short, true), ("reviewed_by", ColumnType.Short, false),
        ("reviewed_at", ColumnType.Time, false), ("applied", ColumnType.Bool, true), ("applied_at", ColumnType.Time, false),
        ("applied_by", ColumnType.Short, false), ("apply_status", ColumnType.Short, false), ("error", ColumnType.Text, false),
        ("reverted_at", ColumnType.Time, false), ("reverted_by", ColumnType.Short, false), ("metadata_json", ColumnType.Text, false),
    ];

    protected static readonly (string Name, ColumnType Type, bool NotNull)[] MigrationColumns =
    [
        ("migration_id", ColumnType.Medium, true), ("product_version", ColumnType.Short, true),
    ];

    protected enum ColumnType { Key, Qname, Short, Medium, Text, Time, Int, Bool }
}
