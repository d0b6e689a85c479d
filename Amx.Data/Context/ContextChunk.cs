namespace Amx.Data.Context;

/// <summary>A piece of a context document, sent to the LLM as data with where it came from.</summary>
/// <param name="Source"><c>path:line</c> of the chunk's first line (path as given on the command line or in the config).</param>
/// <param name="Text">The chunk's text.</param>
public sealed record ContextChunk(string Source, string Text);
