namespace Amx.Data.History.Providers;

/// <summary>
/// Claims kept as rows of <c>amx_history_locks</c> on hosts without session locks (Redshift, Snowflake): a claim lives
/// <see cref="Lease"/> unless renewed, is renewed every quarter lease while held and deleted on release, so a killed
/// process's claim lapses by itself. Server clocks are not read: machines' clocks must agree within a lease.
/// </summary>
static class LeaseClaims
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>This process's holder tag (user, machine, process and a nonce), at most 256 characters.</summary>
    public static string NewHolder()
    {
        var holder = $"{Environment.UserName}@{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return holder.Length > 256 ? holder[^256..] : holder;
    }

    /// <summary>A run claim's row name: short run ids as they are, anything longer than the column as a hash.</summary>
    public static string RunClaimName(string runId)
    {
        var name = "apply_run:" + runId;
        return name.Length <= Storage.HistoryModel.QnameLength
            ? name
            : "apply_run#" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(runId)));
    }

    /// <summary>
    /// Keeps a taken claim: <paramref name="renew"/> runs every quarter lease until the handle is disposed, then
    /// <paramref name="release"/> deletes the row and <paramref name="close"/> frees what the claim used. A failed
    /// renewal or release is not fatal: the claim lapses, and compare-and-set still guards every comment.
    /// </summary>
    public static IAsyncDisposable Hold(Func<CancellationToken, Task> renew, Func<Task> release, Func<ValueTask> close)
    {
        var stop = new CancellationTokenSource();
        var renewing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Lease / 4, stop.Token);
                try { await renew(stop.Token); }
                catch (Exception e) when (e is not OperationCanceledException) { }
            }
        });
        return new Release(async () =>
        {
            stop.Cancel();
            try { await renewing; } catch (OperationCanceledException) { }
            try { await release(); }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException) { /* lapses by itself */ }
            await close();
            stop.Dispose();
        });
    }
}
