using System.CommandLine;
using System.Text.RegularExpressions;

namespace Amx.Tool.Tests.Foundation;

/// <summary>
/// Every amx command that README and docs/ show (in code blocks and in backticks) names a verb the tool has, and
/// every <c>--option</c> on it is one that verb takes: a newcomer who copies a line from the docs never meets
/// "unrecognized command or argument". Checked in process against the real command tree.
/// </summary>
public class DocsCommandsTests
{
    static readonly string Root = FindRoot();

    [Test, Category("Quick")]
    public void Every_amx_command_in_the_docs_uses_verbs_and_options_the_tool_has()
    {
        var tree = CommandTree.Build();
        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var (file, line, command, strict) in DocumentedCommands())
        {
            // Outside shell blocks "amx …" may be prose or a message ("amx will not write…"): checked only when it
            // starts with one of the tool's verbs.
            var first = Tokens(command).Skip(1).FirstOrDefault() ?? "";
            if (!strict && !first.StartsWith('-') && tree.Subcommands.All(c => c.Name != first)) continue;
            checkedCount++;
            var problem = Check(tree, command);
            if (problem is not null) problems.Add($"{file}:{line}: `{command}`: {problem}");
        }
        Assert.That(checkedCount, Is.GreaterThan(80), "the docs show plenty of amx commands; the scanner found too few");
        Assert.That(problems, Is.Empty, "commands in the docs that the tool would refuse:\n" + string.Join("\n", problems));
    }

    [Test, Category("Quick")]
    public void The_checker_catches_an_unknown_verb_and_an_unknown_option()
    {
        var tree = CommandTree.Build();
        Assert.That(Check(tree, "amx history shwo RUN"), Does.Contain("no command"));
        Assert.That(Check(tree, "amx apply RUN --yse"), Does.Contain("--yse"));
        Assert.That(Check(tree, "amx apply RUN --dry-run --output json"), Is.Null, "a verb's own and a global option");
        Assert.That(Check(tree, "amx history-store enable --profile p --schema AMX --yes"), Is.Null);
    }

    /// <summary>Null when the tool accepts the command's verbs and options; else what is wrong.</summary>
    static string? Check(RootCommand root, string command)
    {
        var tokens = Tokens(command).Skip(1).ToList(); // "amx"
        Command current = root;
        var i = 0;
        for (; i < tokens.Count && !tokens[i].StartsWith('-'); i++)
        {
            var sub = current.Subcommands.FirstOrDefault(c => c.Name == tokens[i] || c.Aliases.Contains(tokens[i]));
            if (sub is null) break;
            current = sub;
        }
        // A token where a verb must be: at the root, or under a group that takes no arguments of its own.
        if (i < tokens.Count && !tokens[i].StartsWith('-') && (current == root || (current.Subcommands.Count > 0 && current.Arguments.Count == 0)))
            return $"no command '{tokens[i]}'" + (current == root ? "" : $" under '{current.Name}'");
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (Command? c = current; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            foreach (var o in c.Options)
                if (c == current || o.Recursive)
                {
                    known.Add(o.Name);
                    foreach (var a in o.Aliases) known.Add(a);
                }
        var unknown = tokens.Skip(i).Where(t => t.StartsWith("--")).Select(t => t.Split('=')[0])
            .Where(t => t.Length > 2 && !known.Contains(t)).ToList();
        return unknown.Count == 0 ? null : $"'{current.Name}' has no option {string.Join(", ", unknown)}";
    }

    static IEnumerable<string> Tokens(string command) =>
        Regex.Split(command, @"\s+")
            .Select(t => t.Trim('[', ']', '(', ')', ',', ';', '`', '"', '\'', '…', '|'))
            .Where(t => t.Length > 0);

    /// <summary>amx commands in fenced code blocks (one per line, backslash continuations joined) and in backticks.</summary>
    static IEnumerable<(string File, int Line, string Command, bool Strict)> DocumentedCommands()
    {
        var files = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"));
        foreach (var path in files)
        {
            var name = Path.GetRelativePath(Root, path);
            var lines = File.ReadAllLines(path);
            var inFence = false;
            var shell = false;
            for (var n = 0; n < lines.Length; n++)
            {
                var text = lines[n];
                if (text.TrimStart().StartsWith("```"))
                {
                    inFence = !inFence;
                    shell = inFence && text.Trim().TrimStart('`') is "sh" or "bash" or "shell" or "console";
                    continue;
                }
                if (inFence)
                {
                    var start = n;
                    while (text.EndsWith('\\') && n + 1 < lines.Length) text = text[..^1] + " " + lines[++n];
                    foreach (var cmd in CommandsInShellLine(text)) yield return (name, start + 1, cmd, shell);
                }
                else
                    foreach (Match m in Regex.Matches(text, @"`(amx [^`]+)`"))
                        yield return (name, n + 1, Cut(m.Groups[1].Value), false);
            }
        }
    }

    /// <summary>The amx invocations on a shell line: after a prompt, at the start, or after <c>&amp;&amp;</c>,
    /// <c>|</c>, <c>$(</c>; up to a comment or the next shell operator.</summary>
    static IEnumerable<string> CommandsInShellLine(string text)
    {
        foreach (Match m in Regex.Matches(text, @"(?:^|&&|\|\||\||\$\(|^\s*\$)\s*(amx\s[^#;&|)]*)"))
            yield return Cut(m.Groups[1].Value);
    }

    /// <summary>Drops what follows the command on a docs line: a comment, a "·" alternative list, an ellipsis.</summary>
    static string Cut(string command)
    {
        foreach (var stop in new[] { " #", " ·", "  " })
        {
            var at = command.IndexOf(stop, StringComparison.Ordinal);
            if (at > 0) command = command[..at];
        }
        return command.Trim();
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "amx-tool.sln"))) return dir.FullName;
        throw new AssertionException("amx-tool.sln not found above " + AppContext.BaseDirectory);
    }
}
