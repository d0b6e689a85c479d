using System.CommandLine;
using Amx.Data.Errors;

namespace Amx.Tool.Hosting;

/// <summary>
/// Base of every verb: options are declared in the subclass constructor, the action lives in
/// <see cref="ExecuteAsync"/>. Errors become <c>error: …</c> / <c>hint: …</c> and the exit code of docs/errors.md.
/// </summary>
public abstract class AmxCommand : Command
{
    protected AmxCommand(string name, string description) : base(name, description)
    {
        SetAction((parse, ct) => CommandRunner.RunAsync(parse, ctx => ExecuteAsync(ctx, parse, ct)));
    }

    protected abstract Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct);
}
