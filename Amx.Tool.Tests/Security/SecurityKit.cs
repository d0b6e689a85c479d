using System.Security.Cryptography;
using System.Text.Json;

namespace Amx.Tool.Tests.Security;

/// <summary>Shared steps of the security tests: an amx home with the offline demo drafted, and file fingerprints.</summary>
static class SecurityKit
{
    /// <summary>A home with the demo warehouse (SQLite) drafted offline; returns the run id and one column target.</summary>
    public static (string RunId, string Column) DemoHome(AmxCli amx)
    {
        var r = amx.Run("demo", "--output", "json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        var column = json.GetProperty("results").EnumerateArray()
            .First(e => e.GetProperty("kind").GetString() == "COLUMN").GetProperty("target").GetString()!;
        return (json.GetProperty("run_id").GetString()!, column);
    }

    /// <summary>Content hash and mtime: "the file is untouched".</summary>
    public static string Fingerprint(string path) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + "@" + File.GetLastWriteTimeUtc(path).Ticks;

    public static void AssertOneLineError(AmxCli.Result r, int exit, params string[] contains)
    {
        Assert.That(r.ExitCode, Is.EqualTo(exit), r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning:")).ToList();
        Assert.That(lines.Count(l => l.StartsWith("error: ")), Is.EqualTo(1), r.ToString());
        Assert.That(lines[0], Does.StartWith("error: "), r.ToString());
        foreach (var c in contains) Assert.That(lines[0], Does.Contain(c), r.ToString());
        Assert.That(r.Stderr, Does.Not.Contain("Exception").And.Not.Contain("   at "), "no .NET type names or traces");
    }
}
