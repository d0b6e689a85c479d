using static Amx.Tool.Tests.Security.SecurityKit;

namespace Amx.Tool.Tests.Security;

/// <summary>Issue #13 items 3, 6 and 7: history.db is private, a read-only one stays readable, a damaged one is never written.</summary>
[Parallelizable(ParallelScope.All), Category("Quick")] // in-process (AmxCli.InProcess)
public sealed class LocalStoreTests
{
    static string Db(AmxCli amx) => Path.Combine(amx.Home, "history.db");

    [Test]
    public void A_new_history_db_is_created_0600()
    {
        using var amx = new AmxCli { InProcess = true };
        DemoHome(amx);
        Assert.That(File.GetUnixFileMode(Db(amx)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void A_read_only_store_is_read_without_migrating_and_writes_are_refused_naming_it()
    {
        using var amx = new AmxCli { InProcess = true };
        var (runId, _) = DemoHome(amx);
        File.SetUnixFileMode(Db(amx), UnixFileMode.UserRead);
        try
        {
            var before = Fingerprint(Db(amx));
            var list = amx.Run("history", "list", "--output", "json");
            Assert.That(list.ExitCode, Is.Zero, list.ToString());
            Assert.That(list.Stdout, Does.Contain(runId));
            var show = amx.Run("history", "show", runId, "--hash");
            Assert.That(show.ExitCode, Is.Zero, show.ToString());
            var hashOnly = amx.Run("history", "show", runId, "--hash-only");
            Assert.That(hashOnly.Stdout.Trim(), Is.EqualTo(show.Stdout.TrimEnd('\n').Split('\n')[^1]).And.Match("^[0-9a-f]{64}$"),
                "the streamed hash of the local SQLite store (BINARY order) equals the one computed in memory");

            var write = amx.Run("review", runId, "--accept", "all");
            AssertOneLineError(write, 1, $"the history store {Db(amx)} is read-only");
            Assert.That(Fingerprint(Db(amx)), Is.EqualTo(before), "nothing was written, not even a migration");
            Assert.That(Directory.GetFiles(amx.Home, "history.db-*"), Is.Empty, "no journal left beside it");
        }
        finally { File.SetUnixFileMode(Db(amx), UnixFileMode.UserRead | UnixFileMode.UserWrite); }
    }

    public enum Damage { RandomBytes, CorruptedPages, TruncatedToZero, CutShort }

    [TestCase(Damage.RandomBytes, "not a SQLite database")]
    [TestCase(Damage.CorruptedPages, "integrity check")]
    [TestCase(Damage.TruncatedToZero, "empty (0 bytes)")]
    [TestCase(Damage.CutShort, "not a whole number of")]
    public void A_damaged_store_is_noticed_before_any_write_and_never_written(Damage damage, string what)
    {
        using var amx = new AmxCli { InProcess = true };
        var (runId, _) = DemoHome(amx);
        var db = Db(amx);
        var bytes = File.ReadAllBytes(db);
        Assert.That(bytes.Length, Is.GreaterThan(4 * 4096), "the demo store spans several pages");
        switch (damage)
        {
            case Damage.RandomBytes: File.WriteAllBytes(db, RandomBytes(bytes.Length, 1)); break;
            case Damage.CorruptedPages:
                RandomBytes(3 * 4096, 2).CopyTo(bytes, 2 * 4096); // pages 3–5: b-tree pages of the tables
                File.WriteAllBytes(db, bytes);
                break;
            case Damage.TruncatedToZero: File.WriteAllBytes(db, []); break;
            case Damage.CutShort: File.WriteAllBytes(db, bytes[..(bytes.Length - 1000)]); break;
        }
        var before = Fingerprint(db);
        foreach (var args in new[] { new[] { "run", "main" }, ["review", runId, "--accept", "all"], ["apply", runId, "--yes"], ["history", "list"] })
        {
            var r = amx.Run(args);
            AssertOneLineError(r, 1, $"the history store {db} is damaged", what);
            Assert.That(r.Stderr, Does.Contain($"hint: move it aside (mv {db} {db}.damaged)"));
        }
        Assert.That(Fingerprint(db), Is.EqualTo(before), "never written");
    }

    static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
