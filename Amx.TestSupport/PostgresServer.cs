using Npgsql;

namespace Amx.TestSupport;

/// <summary>
/// A real PostgreSQL 15 server for the tests: <c>AMX_TEST_PG</c> (an admin connection string) when set,
/// otherwise a throwaway cluster on a free 127.0.0.1 port, started once per test run and removed afterwards.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    const string BinDir = "/usr/lib/postgresql/15/bin";
    string? _dataDir;
    int _dbCounter;

    public string AdminConnectionString { get; private set; } = "";
    /// <summary>The server's folder (data, socket, log) when this run started it; null for AMX_TEST_PG or once stopped.</summary>
    public string? Folder => _dataDir;
    public string Host => new NpgsqlConnectionStringBuilder(AdminConnectionString).Host!;
    public int Port => new NpgsqlConnectionStringBuilder(AdminConnectionString).Port;
    public string AdminUser => new NpgsqlConnectionStringBuilder(AdminConnectionString).Username!;
    public string AdminPassword => new NpgsqlConnectionStringBuilder(AdminConnectionString).Password ?? "";

    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        var fromEnv = Environment.GetEnvironmentVariable("AMX_TEST_PG");
        if (!string.IsNullOrWhiteSpace(fromEnv)) server.AdminConnectionString = fromEnv;
        else await server.StartOwnAsync();
        return server;
    }

    async Task StartOwnAsync()
    {
        if (!File.Exists(Path.Combine(BinDir, "postgres")))
            throw new InvalidOperationException($"PostgreSQL 15 binaries not found in {BinDir}; install postgresql-15 or set AMX_TEST_PG");
        ServerReaper.ReapOrphans();
        var port = TestProcess.FreePort();
        _dataDir = Path.Combine(Path.GetTempPath(), $"{ServerReaper.FolderPrefix}pg-{Environment.ProcessId}-{port}");
        ServerReaper.Register(this);
        Directory.CreateDirectory(_dataDir);
        ServerReaper.Watch(_dataDir);
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        if (runAs is not null) TestProcess.Check("chown", ["-R", "postgres:postgres", _dataDir]);
        var pwFile = Path.Combine(_dataDir, "pw");
        var data = Path.Combine(_dataDir, "data");
        await File.WriteAllTextAsync(pwFile, "amx-admin");
        if (runAs is not null) TestProcess.Check("chown", ["postgres:postgres", pwFile]);
        TestProcess.Check(Path.Combine(BinDir, "initdb"),
            ["-D", data, "-U", "postgres", "--pwfile", pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], runAs);
        TestProcess.Check(Path.Combine(BinDir, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_dataDir, "log"), "-w", "-t", "60", "-o",
             $"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
             "start"], runAs);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password=amx-admin;Database=postgres;Pooling=false";
        await TestProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
    }

    /// <summary>A fresh, empty database; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "amx")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _dbCounter)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return name;
    }

    public string ConnectionString(string database, string? user = null, string? password = null)
    {
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database };
        if (user is not null) { b.Username = user; b.Password = password; }
        return b.ConnectionString;
    }

    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)v;
    }

    public async ValueTask DisposeAsync()
    {
        ServerReaper.Unregister(this);
        var dir = Interlocked.Exchange(ref _dataDir, null);
        if (dir is null) return;
        StopCluster(dir);
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        await Task.CompletedTask;
    }

    /// <summary>Stops the cluster under <paramref name="dir"/> (<c>dir/data</c>) at once, if it runs.</summary>
    internal static void StopCluster(string dir)
    {
        var data = Path.Combine(dir, "data");
        if (!File.Exists(Path.Combine(data, "postmaster.pid"))) return;
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        try { TestProcess.Run(Path.Combine(BinDir, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asUser: runAs, timeout: TimeSpan.FromSeconds(30)); }
        catch (Exception) { /* already gone */ }
    }
}
