using System.Diagnostics;

namespace Amx.Tool.Tests.Apply;

/// <summary>Running several amx processes at once and collecting what each printed.</summary>
static class ApplyTestKit
{
    public sealed record Outcome(string User, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"[{User}] exit {ExitCode}\n{Stdout}\n{Stderr}";
    }

    public sealed class Running(AmxCli cli, Process process)
    {
        readonly Task<string> _stdout = process.StandardOutput.ReadToEndAsync();
        readonly Task<string> _stderr = process.StandardError.ReadToEndAsync();
        public Process Process => process;

        public async Task<Outcome> WaitAsync(TimeSpan? timeout = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"amx of {cli.User} did not finish");
            }
            return new Outcome(cli.User, process.ExitCode, await _stdout, await _stderr);
        }
    }

    public static Running Start(AmxCli cli, params string[] args)
    {
        var p = cli.Start(args);
        p.StandardInput.Close();
        return new Running(cli, p);
    }

    /// <summary>Starts every command before waiting for any of them.</summary>
    public static async Task<Outcome[]> RunAllAsync(IEnumerable<(AmxCli Cli, string[] Args)> commands)
    {
        var running = commands.Select(c => Start(c.Cli, c.Args)).ToList();
        return await Task.WhenAll(running.Select(r => r.WaitAsync()));
    }

    /// <summary>Polls until the condition holds (or fails the test after the timeout).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? onTimeout = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
                Assert.Fail("timed out waiting until " + what + (onTimeout is null ? "" : "\n" + await onTimeout()));
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// Holds one target's apply lock (the history store's, keyed like <c>ApplyService</c> keys it) on an admin session so
/// that racing applies all queue up on it; released when disposed.
/// </summary>
sealed class TargetBarrier(System.Data.Common.DbConnection session, string countWaitersSql, string releaseSql) : IAsyncDisposable
{
    public static async Task<TargetBarrier> HoldAsync(WarehouseWorld wh, string qname)
    {
        var session = wh.Open();
        await session.OpenAsync();
        var (take, count, release) = await wh.TargetLockSqlAsync(session, qname);
        await using (var cmd = session.CreateCommand())
        {
            cmd.CommandText = take;
            Assert.That(Convert.ToInt64(await cmd.ExecuteScalarAsync()), Is.EqualTo(1), "the test holds the target lock");
        }
        return new TargetBarrier(session, count, release);
    }

    /// <summary>Waits until <paramref name="n"/> other sessions wait for the lock: every racer is at the same point.</summary>
    public Task WaitForWaitersAsync(int n, Func<Task<string>> onTimeout) =>
        ApplyTestKit.WaitUntilAsync(async () =>
        {
            await using var cmd = session.CreateCommand();
            cmd.CommandText = countWaitersSql;
            return Convert.ToInt64(await cmd.ExecuteScalarAsync()) >= n;
        }, $"{n} applies wait for the target lock", TimeSpan.FromSeconds(120), onTimeout);

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = session.CreateCommand())
        {
            cmd.CommandText = releaseSql;
            await cmd.ExecuteScalarAsync();
        }
        await session.DisposeAsync();
    }
}
