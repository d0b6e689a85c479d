namespace Amx.Data.Errors;

/// <summary>Short causes for file-system failures, for one-line errors that already name the path.</summary>
public static class FileErrors
{
    public static string Cause(Exception e) => e switch
    {
        DirectoryNotFoundException => "the directory does not exist",
        FileNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path is too long",
        IOException io when io.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) => "read-only file system",
        IOException io when io.Message.Contains("Not a directory", StringComparison.OrdinalIgnoreCase) => "a part of the path is a file, not a directory",
        _ => e.Message.ReplaceLineEndings(" ").Trim(),
    };
}
