using System.CommandLine;
using Amx.Data.Errors;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.Profiles;

/// <summary><c>amx db-profiles test NAME</c>: connects and prints the server version and the user connected as.</summary>
public sealed class TestDbProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile to test" };

    public TestDbProfileCommand() : base("test", "Connect with a profile; print the server version and the user")
    {
        Arguments.Add(_name);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct) =>
        throw AmxException.Failed("not implemented yet");
}
