using Amx.Data.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Amx.Data.Export.Dbt;

/// <summary>A YAML node with where it sits in the file's text (character offsets), so edits can be made in place.</summary>
public abstract class YNode
{
    /// <summary>Offset of the node's first character (its anchor or tag included).</summary>
    public int Start { get; init; }
    /// <summary>Offset just past the node's last content character (block scalars: past their last content line).</summary>
    public int End { get; internal set; }
    /// <summary>1-based column of <see cref="Start"/>.</summary>
    public int Column { get; init; }
    public int Line { get; init; }
    public string? Anchor { get; init; }
}

public sealed class YScalar : YNode
{
    public required string Value { get; init; }
    public ScalarStyle Style { get; init; }
}

public sealed class YAlias : YNode;

public sealed class YMapping : YNode
{
    public bool Flow { get; init; }
    public List<(YNode Key, YNode Value)> Pairs { get; } = [];

    public (YScalar Key, YNode Value)? Find(string key)
    {
        foreach (var (k, v) in Pairs)
            if (k is YScalar s && s.Value == key) return (s, v);
        return null;
    }

    public string? Text(string key) => Find(key)?.Value is YScalar s ? s.Value : null;
}

public sealed class YSequence : YNode
{
    public bool Flow { get; init; }
    public List<YNode> Items { get; } = [];
}

/// <summary>
/// The first document of a YAML text as nodes carrying their positions, built from YamlDotNet's parser events (whose
/// Start/End marks are character offsets). The text is never re-serialised: callers cut and insert at these offsets.
/// </summary>
public static class YamlTree
{
    public static YNode? Parse(string text, string path)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _)) return null;
            return Read(parser, text);
        }
        catch (YamlException e)
        {
            throw AmxException.BadInput($"{path}:{e.Start.Line}:{e.Start.Column}: malformed YAML: {e.Message}",
                "fix the YAML (amx changes nothing in the project until every file parses)");
        }
    }

    static YNode Read(IParser parser, string text)
    {
        var e = parser.Current!;
        parser.MoveNext();
        switch (e)
        {
            case Scalar s:
            {
                var end = (int)s.End.Index;
                if (s.Style is ScalarStyle.Literal or ScalarStyle.Folded) end = BlockScalarEnd(text, (int)s.Start.Index, end);
                return new YScalar { Start = (int)s.Start.Index, End = end, Line = (int)s.Start.Line, Column = (int)s.Start.Column, Anchor = Anchor(s.Anchor), Value = s.Value, Style = s.Style };
            }
            case AnchorAlias a:
                return new YAlias { Start = (int)a.Start.Index, End = (int)a.End.Index, Line = (int)a.Start.Line, Column = (int)a.Start.Column };
            case MappingStart m:
            {
                var map = new YMapping { Start = (int)m.Start.Index, Line = (int)m.Start.Line, Column = (int)m.Start.Column, Anchor = Anchor(m.Anchor), Flow = m.Style == MappingStyle.Flow };
                var last = map.Start;
                while (parser.Current is not MappingEnd)
                {
                    var k = Read(parser, text);
                    var v = Read(parser, text);
                    map.Pairs.Add((k, v));
                    // An empty value (`description:`) has no text of its own; its marks point past the key's line.
                    last = Math.Max(last, v is YScalar { Value: "", Style: ScalarStyle.Plain } ? k.End : Math.Max(k.End, v.End));
                }
                parser.MoveNext();
                map.End = map.Flow ? Closing(text, last, '}') : last;
                return map;
            }
            case SequenceStart q:
            {
                var seq = new YSequence { Start = (int)q.Start.Index, Line = (int)q.Start.Line, Column = (int)q.Start.Column, Anchor = Anchor(q.Anchor), Flow = q.Style == SequenceStyle.Flow };
                var last = seq.Start;
                while (parser.Current is not SequenceEnd)
                {
                    var item = Read(parser, text);
                    seq.Items.Add(item);
                    last = Math.Max(last, item.End);
                }
                parser.MoveNext();
                seq.End = seq.Flow ? Closing(text, last, ']') : last;
                return seq;
            }
            default:
                throw new YamlException(e.Start, e.End, $"unexpected {e.GetType().Name}");
        }
    }

    static string? Anchor(AnchorName name) => name.IsEmpty ? null : name.Value;

    /// <summary>A block scalar's end mark lies past its trailing blank lines; its content ends with its last non-blank line.</summary>
    static int BlockScalarEnd(string text, int start, int end)
    {
        var i = Math.Min(end, text.Length) - 1;
        while (i > start && char.IsWhiteSpace(text[i])) i--;
        // Through the end of that line (trailing spaces are content of a literal block; they go with it).
        i++;
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        return i;
    }

    /// <summary>Offset just past the bracket closing a flow collection whose content ends at <paramref name="from"/>
    /// (the parser's end marks for flow collections do not point at the bracket).</summary>
    static int Closing(string text, int from, char bracket)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == bracket) return i + 1;
            if (text[i] == '#') while (i < text.Length && text[i] != '\n') i++;
        }
        return text.Length;
    }
}
