using Amx.Data.Errors;

namespace Amx.Data.Warehouse;

/// <summary>
/// A comment write of one target failed (privilege, object gone, too long, unsupported, read-back mismatch).
/// Nothing was changed for that target, or the change was not what was asked; the others are unaffected.
/// </summary>
public sealed class CommentWriteException(CommentTarget target, ExitCode code, string message, string? hint = null, Exception? inner = null)
    : AmxException(code, message, hint, inner)
{
    public CommentTarget Target { get; } = target;

    public static CommentWriteException BadInput(CommentTarget t, string message, string? hint = null) => new(t, ExitCode.BadInput, message, hint);
    public static CommentWriteException Failed(CommentTarget t, string message, string? hint = null, Exception? inner = null) => new(t, ExitCode.Failed, message, hint, inner);
}
