using Amx.Data.Errors;
using Amx.Data.Security;

namespace Amx.Data.Config;

/// <summary>A named database connection from <c>db_profiles</c>. Secrets are referenced by environment variable.</summary>
public sealed class DbProfile
{
    public required string Name { get; init; }
    public required Backend Backend { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Database { get; set; }
    public string? User { get; set; }
    /// <summary>Name of the environment variable that holds the password.</summary>
    public string? PasswordEnv { get; set; }
    /// <summary>Plaintext password: still honoured, with a warning.</summary>
    public string? Password { get; set; }
    /// <summary>SQLite or DuckDB file path.</summary>
    public string? Path { get; set; }
    /// <summary>Extra connection-string keywords (<c>--option KEY=VALUE</c>).</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Host/database (or file) for listings; never contains a secret.</summary>
    public string Location => Backend.IsFile()
        ? Path ?? "(no path)"
        // A cloud profile may name only its API endpoint (--base-url), not a host.
        : Backend.IsCloud() && Host is null && Options.TryGetValue("base_url", out var url)
        ? $"{Redactor.MaskUrl(url).TrimEnd('/')}/{Database}"
        // BigQuery needs no host: its API has one address.
        : Backend == Backend.BigQuery && Host is null
        ? $"bigquery.googleapis.com/{Database}"
        : $"{Host ?? "localhost"}{(Port is { } p ? ":" + p : "")}/{Database}";

    /// <summary>Where <see cref="PasswordEnv"/> is read: the process environment unless the config was loaded for another.</summary>
    public Func<string, string?> Variables { get; set; } = Environment.GetEnvironmentVariable;

    public DbProfile WithVariables(Func<string, string?> variables)
    {
        Variables = variables;
        return this;
    }

    /// <summary>The password from the environment variable, the plaintext field, or null.</summary>
    public string? ResolvePassword()
    {
        if (!string.IsNullOrEmpty(PasswordEnv))
        {
            var value = Variables(PasswordEnv);
            if (value is null)
                throw AmxException.BadInput(
                    $"environment variable {PasswordEnv} (password of db profile '{Name}') is not set",
                    $"export {PasswordEnv}=… before running amx");
            Redactor.Register(value);
            return value;
        }
        Redactor.Register(Password);
        return Password;
    }
}
