using Amx.Data.Security;
using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Config;

/// <summary><c>amx config show | validate | path</c>. Every command reads the config afresh, so there is no reload.</summary>
public sealed class ConfigCommand : Command
{
    public ConfigCommand() : base("config", "Show, validate or locate the configuration")
    {
        Subcommands.Add(new ConfigShowCommand());
        Subcommands.Add(new ConfigValidateCommand());
        Subcommands.Add(new ConfigPathCommand());
    }
}

public sealed class ConfigPathCommand() : AmxCommand("path", "Print the path of config.yml")
{
    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.Out.WriteLine(ctx.Env.ConfigPath);
        return Task.FromResult(0);
    }
}

/// <summary>Effective values; a secret is never printed, only where it comes from.</summary>
public sealed class ConfigShowCommand() : AmxCommand("show", "Show the effective configuration (secrets masked)")
{
    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var c = ctx.Config;
        var model = new
        {
            config_path = ctx.Env.ConfigPath,
            amx_home = ctx.Env.Home,
            user = ctx.Env.User,
            schema_version = c.SchemaVersion,
            active_db_profile = c.ActiveDbProfile,
            active_llm_profile = c.ActiveLlmProfile,
            history_store_enabled = c.HistoryStoreEnabled,
            history_store_profile = c.HistoryStoreProfile,
            history_store_schema = c.HistoryStoreSchema ?? AmxConfig.DefaultHistorySchema,
            db_profiles = c.DbProfiles.Values.ToDictionary(p => p.Name, p => new
            {
                backend = p.Backend.ToConfigName(), host = p.Host, port = p.Port, database = p.Database, user = p.User, path = p.Path,
                password = SecretSource(p.Variables, p.PasswordEnv, p.Password),
                options = p.Options.Count == 0 ? null
                    : p.Options.ToDictionary(o => o.Key, o => Redactor.IsSecretKeyword(o.Key) ? "********" : o.Value),
            }),
            llm_profiles = c.LlmProfiles.Values.ToDictionary(p => p.Name, p => new
            {
                provider = p.Provider, model = p.Model, base_url = Redactor.MaskUrl(p.BaseUrl),
                api_key = p.ApiKeyEnv is null ? null : SecretSource(p.Variables, p.ApiKeyEnv, null),
            }),
        };
        ctx.Render(model, () =>
        {
            var t = new OutputTable("key", "value");
            t.Add("config", ctx.Env.ConfigPath).Add("user", ctx.Env.User)
             .Add("active_db_profile", c.ActiveDbProfile).Add("active_llm_profile", c.ActiveLlmProfile)
             .Add("history_store_enabled", c.HistoryStoreEnabled ? "true" : "false")
             .Add("history_store_profile", c.HistoryStoreProfile)
             .Add("history_store_schema", c.HistoryStoreSchema ?? AmxConfig.DefaultHistorySchema);
            foreach (var p in c.DbProfiles.Values)
                t.Add($"db_profiles.{p.Name}", $"{p.Backend.ToConfigName()} {p.Location} user={p.User} password={SecretSource(p.Variables, p.PasswordEnv, p.Password)}");
            foreach (var p in c.LlmProfiles.Values)
                t.Add($"llm_profiles.{p.Name}", $"{p.Provider} model={p.Model} {(p.BaseUrl is null ? "" : "url=" + Redactor.MaskUrl(p.BaseUrl) + " ")}api_key={(p.ApiKeyEnv is null ? "(none)" : SecretSource(p.Variables, p.ApiKeyEnv, null))}");
            return t;
        });
        return Task.FromResult(0);
    }

    static string SecretSource(Func<string, string?> variables, string? env, string? plaintext) =>
        env is not null ? $"${env} ({(variables(env) is null ? "not set" : "set")})"
        : plaintext is not null ? "******** (plaintext in config)" : "(none)";
}

/// <summary>Checks the file parses and that every reference points somewhere; exit 2 with the problems listed.</summary>
public sealed class ConfigValidateCommand() : AmxCommand("validate", "Check config.yml: syntax, references, secrets available")
{
    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var c = ctx.Config; // malformed YAML throws here with file:line:column
        var problems = new List<string>();
        if (c.SchemaVersion != 1) problems.Add($"schema_version {c.SchemaVersion} is not supported by this amx (1); upgrade amx");
        if (c.ActiveDbProfile is { } a && !c.DbProfiles.ContainsKey(a)) problems.Add($"active_db_profile '{a}' is not a db profile");
        if (c.ActiveLlmProfile is { } l && !c.LlmProfiles.ContainsKey(l)) problems.Add($"active_llm_profile '{l}' is not an llm profile");
        if (c.HistoryStoreEnabled && (c.HistoryStoreProfile is null || !c.DbProfiles.ContainsKey(c.HistoryStoreProfile)))
            problems.Add($"history_store_profile '{c.HistoryStoreProfile}' is not a db profile");
        foreach (var p in c.DbProfiles.Values)
        {
            if (p.PasswordEnv is { } env && p.Variables(env) is null)
                problems.Add($"db profile '{p.Name}': environment variable {env} is not set");
            else
                try { ConnectionStringFactory.For(p); }
                catch (AmxException e) { problems.Add(e.Message); }
        }
        foreach (var p in c.LlmProfiles.Values)
            if (p.ApiKeyEnv is { } env && p.Variables(env) is null)
                problems.Add($"llm profile '{p.Name}': environment variable {env} is not set");

        ctx.Render(new { path = ctx.Env.ConfigPath, valid = problems.Count == 0, problems }, () =>
        {
            var t = new OutputTable("problem");
            foreach (var p in problems) t.Add(p);
            if (problems.Count == 0) t.Footer.Add($"{ctx.Env.ConfigPath}: valid ({c.DbProfiles.Count} db profiles, {c.LlmProfiles.Count} llm profiles)");
            return t;
        });
        return Task.FromResult(problems.Count == 0 ? 0 : (int)ExitCode.BadInput);
    }
}
