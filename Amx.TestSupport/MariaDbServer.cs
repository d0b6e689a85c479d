using MySqlConnector;

namespace Amx.TestSupport;

/// <summary>
/// A real MariaDB server for the tests: <c>AMX_TEST_MARIADB</c> (an admin connection string) when set,
/// otherwise a throwaway server on a free 127.0.0.1 port (needs <c>apt-get install mariadb-server</c>).
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    string? _dir;
    System.Diagnostics.Process? _process;
    int _dbCounter;

    public string AdminConnectionString { get; private set; } = "";
    /// <summary>The server's folder (data, socket, pid, log) when this run started it; null for AMX_TEST_MARIADB or once stopped.</summary>
    public string? Folder => _dir;
    public int Port => (int)new MySqlConnectionStringBuilder(AdminConnectionString).Port;
    public string AdminUser => new MySqlConnectionStringBuilder(AdminConnectionString).UserID;
    public string AdminPassword => new MySqlConnectionStringBuilder(AdminConnectionString).Password;

    public static async Task<MariaDbServer> StartAsync()
    {
        var server = new MariaDbServer();
        var fromEnv = Environment.GetEnvironmentVariable("AMX_TEST_MARIADB");
        if (!string.IsNullOrWhiteSpace(fromEnv)) server.AdminConnectionString = fromEnv;
        else await server.StartOwnAsync();
        return server;
    }

    /// <summary>
    /// A server of the test's own, never <c>AMX_TEST_MARIADB</c> nor the shared one: for tests that change global
    /// settings (sql_mode) which would disturb fixtures running against the shared server. Dispose it in teardown.
    /// </summary>
    public static async Task<MariaDbServer> StartPrivateAsync()
    {
        var server = new MariaDbServer();
        await server.StartOwnAsync();
        return server;
    }

    static string? Which(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    async Task StartOwnAsync()
    {
        var mariadbd = Which("mariadbd") ?? Which("mysqld")
            ?? throw new InvalidOperationException("mariadbd not found; apt-get install mariadb-server, or set AMX_TEST_MARIADB");
        var installDb = Which("mariadb-install-db") ?? Which("mysql_install_db")!;
        ServerReaper.ReapOrphans();
        var port = TestProcess.FreePort();
        _dir = Path.Combine(Path.GetTempPath(), $"{ServerReaper.FolderPrefix}mariadb-{Environment.ProcessId}-{port}");
        ServerReaper.Register(this);
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        ServerReaper.Watch(_dir);
        var osUser = Environment.UserName == "root" ? "mysql" : Environment.UserName;
        if (Environment.UserName == "root") TestProcess.Check("chown", ["-R", "mysql:mysql", _dir]);
        TestProcess.Check(installDb, ["--no-defaults", $"--datadir={data}", $"--user={osUser}", "--auth-root-authentication-method=normal", "--skip-test-db"]);
        var psi = new System.Diagnostics.ProcessStartInfo(mariadbd)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[]
                 {
                     "--no-defaults", $"--datadir={data}", $"--user={osUser}", $"--port={port}", "--bind-address=127.0.0.1",
                     $"--socket={Path.Combine(_dir, "sock")}", $"--pid-file={Path.Combine(_dir, "pid")}",
                     "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=256M", "--skip-log-bin",
                     "--max-connections=300", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                     $"--log-error={Path.Combine(_dir, "error.log")}",
                 })
            psi.ArgumentList.Add(a);
        _startInfo = psi;
        _port = port;
        await LaunchAsync();
        // Over the socket as root (unix_socket auth), give root a password for TCP and drop anonymous users.
        var sock = Path.Combine(_dir, "sock");
        var setup = "DELETE FROM mysql.global_priv WHERE User=''; FLUSH PRIVILEGES; " +
                    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY 'amx-admin'; " +
                    "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; " +
                    "ALTER USER 'root'@'localhost' IDENTIFIED BY 'amx-admin'; FLUSH PRIVILEGES;";
        var client = Which("mariadb") ?? Which("mysql")!;
        TestProcess.Check(client, ["--no-defaults", "-uroot", $"--socket={sock}", "-e", setup]);
        AdminConnectionString = $"Server=127.0.0.1;Port={port};User ID=root;Password=amx-admin;Pooling=false;AllowUserVariables=true";
    }

    public async Task<string> CreateDatabaseAsync(string prefix = "amx")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _dbCounter)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await ExecuteAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        return name;
    }

    public string ConnectionString(string? database = null, string? user = null, string? password = null)
    {
        var b = new MySqlConnectionStringBuilder(AdminConnectionString);
        if (database is not null) b.Database = database;
        if (user is not null) { b.UserID = user; b.Password = password; }
        return b.ConnectionString;
    }

    public async Task ExecuteAsync(string sql, string? database = null)
    {
        await using var conn = new MySqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql, string? database = null)
    {
        await using var conn = new MySqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)Convert.ChangeType(v, typeof(T));
    }

    System.Diagnostics.ProcessStartInfo? _startInfo;
    int _port;

    async Task LaunchAsync()
    {
        var dir = _dir!;
        _process = System.Diagnostics.Process.Start(_startInfo!)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await TestProcess.WaitForPortAsync(_port, TimeSpan.FromSeconds(60),
            () => File.Exists(Path.Combine(dir, "error.log")) ? File.ReadAllText(Path.Combine(dir, "error.log")) : "");
    }

    /// <summary>
    /// Whether this run's own server died of a signal (its error log says "got signal"), waiting up to
    /// <paramref name="wait"/> for it to finish writing its backtrace and exit.
    /// </summary>
    public async Task<bool> CrashedAsync(TimeSpan wait)
    {
        if (_process is null || ErrorLogPath is not { } log) return false;
        var until = DateTime.UtcNow + wait;
        while (!_process.HasExited && DateTime.UtcNow < until) await Task.Delay(100);
        return _process.HasExited && File.Exists(log) && File.ReadAllText(log).Contains("got signal", StringComparison.Ordinal);
    }

    /// <summary>Starts this run's own server again on the same data folder and port (after a crash).</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("the server is still running");
        await LaunchAsync();
    }

    /// <summary>The server's error log (own servers only), for a test to keep when the server misbehaved.</summary>
    public string? ErrorLogPath => _dir is null ? null : Path.Combine(_dir, "error.log");

    public async ValueTask DisposeAsync()
    {
        ServerReaper.Unregister(this);
        var process = Interlocked.Exchange(ref _process, null);
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var dir = Interlocked.Exchange(ref _dir, null);
        if (dir is not null)
        {
            StopByPidFile(dir);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Kills the server whose pid file is in <paramref name="dir"/> (a server an ended run left behind).</summary>
    internal static void StopByPidFile(string dir)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(Path.Combine(dir, "pid")).Trim(), out var pid)) return;
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            if (!p.ProcessName.StartsWith("mariadbd") && !p.ProcessName.StartsWith("mysqld")) return;
            p.Kill();
            p.WaitForExit(TimeSpan.FromSeconds(20));
        }
        catch (Exception) { /* no pid file, or already gone */ }
    }
}
