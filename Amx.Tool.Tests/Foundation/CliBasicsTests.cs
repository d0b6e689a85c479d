namespace Amx.Tool.Tests.Foundation;

/// <summary>The verb tree and the error contract of docs/errors.md, through amx's command line (in-process).</summary>
[Category("Quick")]
public class CliBasicsTests
{
    static readonly string[] Verbs =
    [
        "db-profiles", "add-db-profile", "llm-profiles", "add-llm-profile", "config", "history-store", "run", "review",
        "apply", "run-apply", "revert", "history", "ask", "db", "demo",
    ];

    [Test]
    public void Help_lists_every_verb_with_a_description()
    {
        using var amx = new AmxCli { InProcess = true };
        var r = amx.Run("--help");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        foreach (var verb in Verbs)
            Assert.That(r.Stdout, Does.Match($@"(?m)^\s+{verb}\s+\S.*$"), $"'{verb}' missing from amx --help");
        Assert.That(r.Stdout, Does.Contain("--output"));
        Assert.That(r.Stdout, Does.Contain("--verbose"));
        Assert.That(r.Stdout, Does.Contain("--no-color"));
    }

    [Test]
    public void Unknown_verb_is_bad_input_with_hint()
    {
        using var amx = new AmxCli { InProcess = true };
        var r = amx.Run("frobnicate");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        AssertOneLineError(r, "frobnicate");
    }

    [Test]
    public void Unknown_output_format_is_bad_input()
    {
        using var amx = new AmxCli { InProcess = true };
        var r = amx.Run("db-profiles", "--output", "xml");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        AssertOneLineError(r, "xml");
    }

    /// <summary>error: one line, then hint: one line, and no stack trace.</summary>
    public static void AssertOneLineError(AmxCli.Result r, string mustMention)
    {
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning:")).ToList();
        Assert.That(lines, Has.Count.EqualTo(2), r.ToString());
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain(mustMention), r.ToString());
        Assert.That(lines[1], Does.StartWith("hint: "), r.ToString());
        Assert.That(r.Stderr, Does.Not.Contain("   at "), "no stack trace without --verbose");
    }
}
