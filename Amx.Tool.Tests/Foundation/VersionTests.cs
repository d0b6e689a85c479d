using System.Reflection;
using Amx.Tool.Hosting;

namespace Amx.Tool.Tests.Foundation;

/// <summary><c>amx --version</c>: the version, and the informational version with the commit when the build knew it.</summary>
public class VersionTests
{
    [Test, Category("Quick")]
    public void Describe_names_the_commit_of_a_git_build()
    {
        Assert.That(VersionAction.Describe("0.1.0+88d86339cc5d11c5435f5f9ed8e95d920709ce08"),
            Is.EqualTo("amx 0.1.0 (0.1.0+88d86339cc5d11c5435f5f9ed8e95d920709ce08, commit 88d86339cc5d)"));
    }

    [Test, Category("Quick")]
    public void Describe_without_build_metadata_is_the_bare_version()
    {
        Assert.That(VersionAction.Describe("0.1.0"), Is.EqualTo("amx 0.1.0"));
        Assert.That(VersionAction.Describe("0.2.0-beta.1+local"), Is.EqualTo("amx 0.2.0-beta.1 (0.2.0-beta.1+local)"));
    }

    [Test]
    public void Version_option_prints_the_built_version_and_commit()
    {
        var informational = typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        using var amx = new AmxCli();
        var r = amx.Run("--version");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stdout.Trim(), Does.Match(@"^amx \d+\.\d+\.\d+"));
        Assert.That(r.Stdout.Trim(), Is.EqualTo(VersionAction.Describe(informational)));
        Assert.That(r.Stderr, Is.Empty);
    }
}
