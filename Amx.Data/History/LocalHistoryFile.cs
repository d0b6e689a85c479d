using System.Buffers.Binary;
using Amx.Data.Errors;
using Microsoft.Data.Sqlite;

namespace Amx.Data.History;

/// <summary>
/// Guards the per-user SQLite file <c>$AMX_HOME/history.db</c> (docs/security.md): a new file is created mode 0600;
/// a damaged one (not a SQLite header, a size that is not whole pages, empty, or failing <c>PRAGMA quick_check</c>)
/// is refused before anything is written into it; a read-only one is opened read-only for the read verbs.
/// </summary>
public static class LocalHistoryFile
{
    static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    public enum State { Missing, Writable, ReadOnly }

    /// <summary>What the file is, after the cheap checks (header, size, mode); damage throws.</summary>
    public static State Inspect(string path)
    {
        var dir = Path.GetDirectoryName(path)!;
        if (File.Exists(dir)) throw HomeUnusable(dir, "it is a file, not a directory");
        if (Directory.Exists(path))
            throw AmxException.Failed($"the history store {path} is a directory, not a SQLite file",
                $"move it aside (mv {path} {path}.dir); amx then starts a new empty store");
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists) return State.Missing;
            if (info.Length == 0) return State.Missing; // decided under the creation lock (PrepareForWritingAsync)
            CheckHeader(path, info.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AmxException.Failed($"cannot read the history store {path}: {FileErrors.Cause(e)}",
                $"check the permissions of {path} and of its directory");
        }
        return IsReadOnly(path) ? State.ReadOnly : State.Writable;
    }

    /// <summary>
    /// Makes sure the file can take writes: the home directory exists, a missing file is created 0600 and migrated by
    /// <paramref name="migrate"/> under a lock (so that a second amx starting at the same moment never mistakes the new,
    /// still empty file for a truncated one), and an existing file passes <c>PRAGMA quick_check</c>.
    /// </summary>
    public static async Task PrepareForWritingAsync(string path, Func<Task> migrate, CancellationToken ct)
    {
        EnsureDirectory(Path.GetDirectoryName(path)!);
        var state = Inspect(path);
        if (state == State.ReadOnly)
            throw AmxException.Failed($"the history store {path} is read-only; this command needs to write to it",
                $"make it writable (chmod u+w {path}), or use a read verb (amx history list/show/compare)");
        if (state == State.Missing)
        {
            await using var creation = await CreationLockAsync(path, ct);
            var info = new FileInfo(path);
            if (info.Exists && info.Length == 0)
                throw Damaged(path, "the file is empty (0 bytes): it was truncated");
            if (!info.Exists)
            {
                CreateOwnerOnly(path);
                try { await migrate(); }
                catch when (new FileInfo(path) is { Exists: true, Length: 0 })
                {
                    File.Delete(path); // never leave an empty file that the next run would call truncated
                    throw;
                }
                return;
            }
        }
        QuickCheck(path);
        RestrictToOwner(path);
        await migrate();
    }

    /// <summary>Stores created by older builds were 0644: tighten them on the first write.</summary>
    static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            var mode = File.GetUnixFileMode(path);
            var owner = mode & ~(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                 UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
            if (owner != mode) File.SetUnixFileMode(path, owner);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not ours to change */ }
    }

    /// <summary>The verdict of <c>PRAGMA quick_check</c> (linear in the file size; milliseconds for a typical store).</summary>
    public static void QuickCheck(string path)
    {
        try
        {
            using var conn = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ConnectionString);
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(1)";
            var verdict = cmd.ExecuteScalar() as string;
            if (verdict != "ok") throw Damaged(path, $"integrity check: {verdict}");
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw Damaged(path, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>SQLITE_CORRUPT (11) and SQLITE_NOTADB (26).</summary>
    public static bool IsCorruption(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SqliteException { SqliteErrorCode: 11 or 26 }) return true;
        return false;
    }

    public static AmxException Damaged(string path, string what) => AmxException.Failed(
        $"the history store {path} is damaged ({what}); amx will not write to it",
        $"move it aside (mv {path} {path}.damaged) and restore it from a backup if you have one; amx then starts a new empty store");

    public static AmxException HomeUnusable(string home, string cause) => AmxException.BadInput(
        $"AMX_HOME {home} cannot be used: {cause}",
        "point AMX_HOME at a directory you own (or unset it to use ~/.amx)");

    static void EnsureDirectory(string dir)
    {
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw HomeUnusable(dir, FileErrors.Cause(e));
        }
    }

    static void CheckHeader(string path, long length)
    {
        var header = new byte[100];
        int read;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            read = f.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Damaged(path, "not a SQLite database: the file header is wrong");
        // Page size at offset 16 (big-endian; 1 means 65536): a file that is not whole pages was cut short.
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2));
        var size = pageSize == 1 ? 65536 : pageSize;
        if (size < 512 || length % size != 0)
            throw Damaged(path, $"the file is {length} bytes, not a whole number of {size}-byte pages: it was truncated");
    }

    /// <summary>Read-only when the owner's write bit is off (honoured even for root, who could write anyway) or the
    /// file cannot be opened for writing.</summary>
    static bool IsReadOnly(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserWrite) == 0) return true;
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            return false;
        }
        catch (UnauthorizedAccessException) { return true; }
        catch (IOException e) when (e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)) { return true; }
    }

    static void CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // It holds scopes, descriptions and errors: private from the first byte, like config.yml.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try { using var _ = new FileStream(path, options); }
        catch (IOException) when (File.Exists(path)) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw HomeUnusable(Path.GetDirectoryName(path)!, $"cannot create {Path.GetFileName(path)}: {FileErrors.Cause(e)}");
        }
    }

    /// <summary>An exclusive lock file beside the store, waited for (another amx may be creating the store).</summary>
    static async Task<IAsyncDisposable> CreationLockAsync(string path, CancellationToken ct)
    {
        var lockPath = path + ".create.lock";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (UnauthorizedAccessException e)
            {
                throw HomeUnusable(Path.GetDirectoryName(path)!, FileErrors.Cause(e));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }
        }
    }
}
