using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Profiles;

/// <summary><c>amx db-profiles</c>: lists database profiles; <c>remove</c> and <c>test</c> below it.</summary>
public sealed class DbProfilesCommand : AmxCommand
{
    public DbProfilesCommand() : base("db-profiles", "List database profiles (subcommands: remove, test)")
    {
        Subcommands.Add(new RemoveDbProfileCommand());
        Subcommands.Add(new TestDbProfileCommand());
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var rows = config.DbProfiles.Values.Select(p => new
        {
            name = p.Name,
            backend = p.Backend.ToConfigName(),
            host = p.Host,
            port = p.Port,
            database = p.Database,
            path = p.Path,
            user = p.User,
            password_env = p.PasswordEnv,
            active = p.Name == config.ActiveDbProfile,
            history_store = config.HistoryStoreEnabled && p.Name == config.HistoryStoreProfile,
        }).ToList();
        ctx.Render(rows, () =>
        {
            var t = new OutputTable("", "name", "backend", "location", "user");
            foreach (var p in config.DbProfiles.Values)
                t.Add(p.Name == config.ActiveDbProfile ? "*" : "", p.Name, p.Backend.ToConfigName(), p.Location, p.User);
            if (t.Rows.Count == 0) t.Footer.Add("No db profiles yet. Add one: amx add-db-profile NAME --backend postgresql --host H --database D --user U --password-env VAR");
            return t;
        });
        return Task.FromResult(0);
    }
}

public sealed class RemoveDbProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile to remove" };

    public RemoveDbProfileCommand() : base("remove", "Remove a database profile")
    {
        Arguments.Add(_name);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var profile = config.GetDbProfile(parse.GetValue(_name)!);
        if (config.HistoryStoreEnabled && config.HistoryStoreProfile == profile.Name)
            throw AmxException.BadInput($"db profile '{profile.Name}' hosts the shared history store",
                "run 'amx history-store disable' first, or point the store at another profile");
        config.DbProfiles.Remove(profile.Name);
        if (config.ActiveDbProfile == profile.Name) config.ActiveDbProfile = config.DbProfiles.Keys.FirstOrDefault();
        ctx.SaveConfig();
        ctx.Out.WriteLine($"Removed db profile '{profile.Name}'.");
        return Task.FromResult(0);
    }
}
