namespace Amx.Data.Errors;

/// <summary>Process exit codes of docs/errors.md.</summary>
public enum ExitCode
{
    Ok = 0,
    Failed = 1,
    BadInput = 2,
    Conflict = 3,
    Partial = 4,
    /// <summary>A check found problems: coverage below the bar, drift found.</summary>
    CheckFailed = 5,
    /// <summary>Another amx process holds the same scheduled work (run-apply lock).</summary>
    Busy = 6,
}

/// <summary>
/// An error meant for the user: one line of message, an optional hint with the fix, and the exit code.
/// The host prints <c>error: …</c> and <c>hint: …</c>; anything else that escapes is a bug.
/// </summary>
public class AmxException(ExitCode code, string message, string? hint = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ExitCode Code { get; } = code;
    public string? Hint { get; } = hint;

    public static AmxException BadInput(string message, string? hint = null) => new(ExitCode.BadInput, message, hint);
    public static AmxException Failed(string message, string? hint = null, Exception? inner = null) => new(ExitCode.Failed, message, hint, inner);
    public static AmxException Conflict(string message, string? hint = null) => new(ExitCode.Conflict, message, hint);
}
