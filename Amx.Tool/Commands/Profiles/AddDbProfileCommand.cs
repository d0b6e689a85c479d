using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.Profiles;

/// <summary><c>amx add-db-profile NAME --backend B …</c>: adds a database profile; secrets stay in env vars.</summary>
public sealed class AddDbProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile name (e.g. prod-pg)" };
    readonly Option<string> _backend = new("--backend") { Description = $"One of: {string.Join(", ", BackendNames.All)}", Required = true };
    readonly Option<string?> _host = new("--host") { Description = "Server host name" };
    readonly Option<int?> _port = new("--port") { Description = "Server port (default: the backend's; Redshift 5439)" };
    readonly Option<string?> _database = new("--database") { Description = "Database name (MySQL/MariaDB: the default schema)" };
    readonly Option<string?> _user = new("--user") { Description = "User name" };
    readonly Option<string?> _passwordEnv = new("--password-env", "--secret-env")
    {
        Description = "Environment variable that holds the password (recommended); cloud warehouses: the token, private key or key file (docs/cloud-warehouses.md)",
    };
    readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read a password from stdin and store it in plaintext (warned; prefer --password-env)" };
    readonly Option<string?> _path = new("--path") { Description = "SQLite or DuckDB database file" };
    readonly Option<bool> _readOnly = new("--read-only") { Description = "DuckDB: open the file read-only (drafting only; shares the file with other readers)" };
    readonly Option<string[]> _options = new("--option") { Description = "Extra connection keyword KEY=VALUE (repeatable), e.g. SslMode=Require", AllowMultipleArgumentsPerToken = false };
    readonly CloudProfileOptions _cloud = new();
    readonly Option<bool> _replace = new("--replace") { Description = "Overwrite an existing profile of the same name" };
    readonly Option<bool> _activate = new("--activate") { Description = "Make it the active db profile (the first profile always is)" };

    public AddDbProfileCommand() : base("add-db-profile", "Add a database profile")
    {
        Arguments.Add(_name);
        foreach (var o in new Option[] { _backend, _host, _port, _database, _user, _passwordEnv, _passwordStdin, _path, _readOnly, _options, _replace, _activate })
            Options.Add(o);
        foreach (var o in _cloud.All) Options.Add(o);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ProfileNames.Validate(parse.GetValue(_name)!);
        var backendName = parse.GetValue(_backend);
        if (!BackendNames.TryParse(backendName, out var backend))
            throw AmxException.BadInput(
                BackendNames.NotYetSupported.Contains(backendName?.Trim().ToLowerInvariant())
                    ? $"{backendName} is not supported as a warehouse yet"
                    : $"unknown backend '{backendName}'",
                $"use one of: {string.Join(", ", BackendNames.All)}");

        var config = ctx.Config;
        if (config.DbProfiles.ContainsKey(name) && !parse.GetValue(_replace))
            throw AmxException.BadInput($"db profile '{name}' already exists", $"pass --replace to overwrite it, or choose another name");

        var profile = new DbProfile
        {
            Name = name, Backend = backend, Variables = ctx.Env.Variables,
            Host = parse.GetValue(_host), Port = parse.GetValue(_port), Database = parse.GetValue(_database),
            User = parse.GetValue(_user), PasswordEnv = parse.GetValue(_passwordEnv), Path = parse.GetValue(_path),
        };
        foreach (var kv in parse.GetValue(_options) ?? [])
        {
            var eq = kv.IndexOf('=');
            if (eq <= 0) throw AmxException.BadInput($"--option '{kv}' is not KEY=VALUE", "e.g. --option SslMode=Require");
            profile.Options[kv[..eq].Trim()] = kv[(eq + 1)..];
        }
        if (parse.GetValue(_readOnly))
        {
            if (backend != Backend.DuckDb) throw AmxException.BadInput("--read-only applies to duckdb profiles only", "drop --read-only; give the profile a read-only database user instead");
            profile.Options[Amx.Data.Connections.ConnectionStringFactory.DuckDbAccessMode] = "read_only";
        }
        _cloud.Apply(parse, profile);
        if (parse.GetValue(_passwordStdin))
        {
            if (profile.PasswordEnv is not null) throw AmxException.BadInput("--password-env and --password-stdin exclude each other");
            profile.Password = Console.In.ReadLine() ?? "";
            ctx.Warn($"the password of '{name}' is stored in plaintext in {ctx.Env.ConfigPath} (mode 0600); prefer --password-env VAR");
        }
        foreach (var (k, v) in profile.Options)
            if (Amx.Data.Security.Redactor.IsSecretKeyword(k)) Amx.Data.Security.Redactor.Register(v);
        Amx.Data.Security.Redactor.Register(profile.Password);
        Validate(profile);

        config.DbProfiles[name] = profile;
        if (config.ActiveDbProfile is null || parse.GetValue(_activate)) config.ActiveDbProfile = name;
        ctx.SaveConfig();
        ctx.Out.WriteLine($"Added db profile '{name}' ({backend.ToConfigName()}, {profile.Location}).");
        if (Amx.Data.Warehouse.Redshift.Iam.RedshiftIamSettings.UsesIam(profile) && profile.User is not null
            && Amx.Data.Warehouse.Redshift.Iam.RedshiftIamSettings.From(profile).Serverless)
            ctx.Warn($"--user {profile.User} is not sent to Redshift Serverless: GetCredentials logs in as the AWS identity's own database user");
        if (profile.PasswordEnv is { } env && ctx.Env.Variable(env) is null)
            ctx.Warn($"environment variable {env} is not set in this shell; set it before connecting");
        return Task.FromResult(0);
    }

    static void Validate(DbProfile p)
    {
        if (p.Backend.IsFile())
        {
            var b = p.Backend.ToConfigName();
            if (string.IsNullOrWhiteSpace(p.Path))
                throw AmxException.BadInput($"--path is required for a {b} profile", $"amx add-db-profile {p.Name} --backend {b} --path FILE");
            p.Path = System.IO.Path.GetFullPath(p.Path);
            return;
        }
        if (p.Backend.IsCloud())
        {
            CloudProfileOptions.Validate(p);
            return;
        }
        var iam = Amx.Data.Warehouse.Redshift.Iam.RedshiftIamSettings.UsesIam(p);
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(p.Host)) missing.Add("--host");
        if (string.IsNullOrWhiteSpace(p.Database) && p.Backend is Backend.PostgreSql or Backend.Redshift) missing.Add("--database");
        // IAM without --user: the database user is the AWS identity's own (GetClusterCredentialsWithIAM, Serverless).
        if (string.IsNullOrWhiteSpace(p.User) && p.Backend != Backend.SqlServer && !iam) missing.Add("--user");
        if (missing.Count > 0)
            throw AmxException.BadInput($"missing {string.Join(", ", missing)} for a {p.Backend.ToConfigName()} profile",
                $"amx add-db-profile {p.Name} --backend {p.Backend.ToConfigName()} --host H --database D --user U --password-env VAR");
        if (p.Port is <= 0 or > 65535) throw AmxException.BadInput($"--port {p.Port} is not a TCP port (1-65535)");
        if (p.Backend == Backend.Redshift) CloudProfileOptions.ValidateRedshift(p);
    }
}

/// <summary>Profile names are config keys and appear in commands: keep them simple.</summary>
static class ProfileNames
{
    public static string Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw AmxException.BadInput($"'{name}' is not a valid profile name", "use letters, digits, '-', '_' or '.'");
        return name;
    }
}
