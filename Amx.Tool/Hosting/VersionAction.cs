using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Amx.Tool.Hosting;

/// <summary>
/// <c>amx --version</c>: the package version, then the informational version with the commit it was built from
/// (the SDK appends <c>+&lt;sha&gt;</c> when the build ran in a git checkout; a source archive has none).
/// </summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Describe(typeof(VersionAction).Assembly));
        return 0;
    }

    /// <summary>Replaces the default action of the root's built-in --version option.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options.OfType<VersionOption>())
            option.Action = new VersionAction();
    }

    public static string Describe(Assembly assembly) =>
        Describe(assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                 ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary><c>amx 0.1.0 (0.1.0+88d86339…, commit 88d86339cc5d)</c>, or <c>amx 0.1.0</c> when the commit is unknown.</summary>
    public static string Describe(string informationalVersion)
    {
        var plus = informationalVersion.IndexOf('+');
        if (plus < 0) return $"amx {informationalVersion}";
        var version = informationalVersion[..plus];
        var metadata = informationalVersion[(plus + 1)..];
        var commit = metadata.Length >= 7 && metadata.All(Uri.IsHexDigit) ? metadata[..Math.Min(12, metadata.Length)] : null;
        return commit is null
            ? $"amx {version} ({informationalVersion})"
            : $"amx {version} ({informationalVersion}, commit {commit})";
    }
}
