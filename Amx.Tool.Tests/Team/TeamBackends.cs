namespace Amx.Tool.Tests.Team;

/// <summary>
/// What differs between hosting the team's history on PostgreSQL and on MariaDB: the small warehouse, the member's
/// narrow grants, and the names. The steps of the user's page are the same for both (TeamWorkflowTests).
/// </summary>
public abstract class TeamBackend
{
    public const string LeadPwVar = "LEAD_DB_PW";
    public const string MemberPwVar = "MEMBER_DB_PW";

    /// <summary>The scope the team drafts (PostgreSQL: schema <c>sales</c>; MariaDB: the warehouse database).</summary>
    public abstract string Scope { get; }
    /// <summary>The schema as typed on the page (<c>AMX</c>) and as the store names it (lower case).</summary>
    public abstract string RequestedSchema { get; }
    public string EffectiveSchema => RequestedSchema.ToLowerInvariant();
    public abstract string BackendName { get; }
    public abstract string AdminPassword { get; }
    public string MemberPassword => "member-pw-" + Suffix;
    protected string Suffix { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Creates the warehouse: <c>customer(c_id, c_first_name, c_last_name)</c> and <c>orders</c>.</summary>
    public abstract Task CreateWarehouseAsync();
    /// <summary>The column the lead's later run sees and the member's earlier run did not.</summary>
    public abstract Task AddLegacyColumnAsync();
    /// <summary>A login with SELECT on the warehouse and SELECT/INSERT/UPDATE on the two audit tables, nothing more.</summary>
    public abstract Task<string> CreateMemberLoginAsync();
    public abstract string[] AddProfileArgs(string profile, string user, string passwordVar);
    public abstract string AdminUser { get; }
    /// <summary>Tables, indexes and other objects in the store's schema (the member must create none).</summary>
    public abstract Task<long> StoreObjectCountAsync();
}

public sealed class PostgresTeam(PostgresServer pg, string db) : TeamBackend
{
    public string Database => db;
    public override string Scope => "sales";
    public override string RequestedSchema => "AMX";
    public override string BackendName => "postgresql";
    public override string AdminPassword => pg.AdminPassword;
    public override string AdminUser => pg.AdminUser;
    public PostgresServer Server => pg;

    public override Task CreateWarehouseAsync() => pg.ExecuteAsync("""
        CREATE SCHEMA sales;
        CREATE TABLE sales.customer (c_id int PRIMARY KEY, c_first_name text, c_last_name text);
        CREATE TABLE sales.orders (o_id int PRIMARY KEY, o_customer_id int REFERENCES sales.customer, o_amount numeric(12,2), o_date date);
        """, db);

    public override Task AddLegacyColumnAsync() => pg.ExecuteAsync("ALTER TABLE sales.customer ADD COLUMN x_legacy_status char(1)", db);

    public override async Task<string> CreateMemberLoginAsync()
    {
        var role = "bob_" + Suffix;
        await pg.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD '{MemberPassword}'");
        await pg.ExecuteAsync($"""
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT CONNECT ON DATABASE "{db}" TO {role};
            GRANT USAGE ON SCHEMA sales TO {role};
            GRANT SELECT ON ALL TABLES IN SCHEMA sales TO {role};
            GRANT USAGE ON SCHEMA {EffectiveSchema} TO {role};
            GRANT SELECT ON {EffectiveSchema}.amx_history_migrations TO {role};
            GRANT SELECT, INSERT, UPDATE ON {EffectiveSchema}.amx_history_runs, {EffectiveSchema}.amx_history_results TO {role};
            """, db);
        return role;
    }

    public override string[] AddProfileArgs(string profile, string user, string passwordVar) =>
        ["add-db-profile", profile, "--backend", "postgresql", "--host", "127.0.0.1", "--port", pg.Port.ToString(),
         "--database", db, "--user", user, "--password-env", passwordVar];

    public override async Task<long> StoreObjectCountAsync() =>
        await pg.ScalarAsync<long>($"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{EffectiveSchema}'", db);
}

public sealed class MariaDbTeam(MariaDbServer my) : TeamBackend
{
    // The server is shared by the whole test run and a MariaDB schema is a server-wide database: unique names.
    public override string Scope => "sales_" + Suffix;
    public override string RequestedSchema => "AMX_" + Suffix.ToUpperInvariant();
    public override string BackendName => "mariadb";
    public override string AdminPassword => my.AdminPassword;
    public override string AdminUser => my.AdminUser;

    public override async Task CreateWarehouseAsync()
    {
        await my.ExecuteAsync($"CREATE DATABASE `{Scope}` CHARACTER SET utf8mb4");
        await my.ExecuteAsync("""
            CREATE TABLE customer (c_id int PRIMARY KEY, c_first_name varchar(100), c_last_name varchar(100));
            CREATE TABLE orders (o_id int PRIMARY KEY, o_customer_id int, o_amount decimal(12,2), o_date date,
                                 FOREIGN KEY (o_customer_id) REFERENCES customer (c_id));
            """, Scope);
    }

    public override Task AddLegacyColumnAsync() => my.ExecuteAsync("ALTER TABLE customer ADD COLUMN x_legacy_status char(1)", Scope);

    public override async Task<string> CreateMemberLoginAsync()
    {
        var user = "bob_" + Suffix;
        // Both host forms: a server that resolves 127.0.0.1 to 'localhost' (and has anonymous users) matches that one first.
        foreach (var host in new[] { "%", "localhost" })
            await my.ExecuteAsync($"""
                CREATE USER '{user}'@'{host}' IDENTIFIED BY '{MemberPassword}';
                GRANT SELECT ON `{Scope}`.* TO '{user}'@'{host}';
                GRANT SELECT, INSERT, UPDATE ON `{EffectiveSchema}`.amx_history_runs TO '{user}'@'{host}';
                GRANT SELECT, INSERT, UPDATE ON `{EffectiveSchema}`.amx_history_results TO '{user}'@'{host}';
                GRANT SELECT ON `{EffectiveSchema}`.amx_history_migrations TO '{user}'@'{host}';
                """);
        return user;
    }

    public override string[] AddProfileArgs(string profile, string user, string passwordVar) =>
        ["add-db-profile", profile, "--backend", "mariadb", "--host", "127.0.0.1", "--port", my.Port.ToString(),
         "--database", Scope, "--user", user, "--password-env", passwordVar];

    public override async Task<long> StoreObjectCountAsync() =>
        await my.ScalarAsync<long>($"SELECT (SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{EffectiveSchema}') + " +
                                   $"(SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '{EffectiveSchema}')");
}
