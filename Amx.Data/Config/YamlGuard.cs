using Amx.Data.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Amx.Data.Config;

/// <summary>
/// A first pass over a YAML file with YamlDotNet's pull parser (a state machine, no recursion) before anything builds a
/// tree from it: the tree builders recurse once per level, so a 100,000-level document would overflow the stack and
/// kill the process. Also turns the parser's odd exceptions into <c>path:L:C: malformed YAML …</c> (exit 2).
/// </summary>
public static class YamlGuard
{
    /// <summary>Far deeper than any config or review file amx writes (4 levels).</summary>
    public const int MaxDepth = 64;

    public static void Check(string text, string path, string hint)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.Start;
                if (ev is MappingStart or SequenceStart)
                {
                    if (++depth > MaxDepth)
                        throw Malformed(path, ev.Start, $"nested deeper than {MaxDepth} levels", hint);
                }
                else if (ev is MappingEnd or SequenceEnd) depth--;
            }
        }
        catch (YamlException e)
        {
            throw Malformed(path, e.Start, (e.InnerException?.Message ?? e.Message).Split('\n')[0].Trim(), hint);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this on some broken flow collections instead of a YamlException.
            throw Malformed(path, last, "unexpected text after this point (an unclosed bracket or quote?)", hint);
        }
    }

    public static AmxException Malformed(string path, Mark at, string what, string hint) =>
        AmxException.BadInput($"{path}:{Math.Max(at.Line, 1)}:{Math.Max(at.Column, 1)}: malformed YAML: {what}", hint);
}
