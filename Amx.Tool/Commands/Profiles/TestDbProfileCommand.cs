using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Warehouse;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Profiles;

/// <summary><c>amx db-profiles test NAME</c>: connects and prints the server version and the user connected as.</summary>
public sealed class TestDbProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile to test" };

    public TestDbProfileCommand() : base("test", "Connect with a profile; print the server version and the user")
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var profile = ctx.Config.GetDbProfile(parse.GetValue(_name)!);
        var info = await WarehouseProviders.ReadServerInfoAsync(profile, ct);
        ctx.Render(new { profile = profile.Name, backend = profile.Backend.ToConfigName(), location = profile.Location, version = info.Version, user = info.User, ok = true }, () =>
        {
            var t = new OutputTable();
            t.Footer.Add($"ok: connected to '{profile.Name}' ({profile.Location}) as {info.User ?? "(unknown user)"}; server {info.Version}");
            return t;
        });
        return 0;
    }
}
