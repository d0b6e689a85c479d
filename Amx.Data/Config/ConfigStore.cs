using System.Globalization;
using Amx.Data.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Amx.Data.Config;

/// <summary>
/// Reads and writes <c>config.yml</c>. The YAML tree is kept as loaded and only the keys amx owns are
/// rewritten, so keys written by a newer amx or by hand survive. Writes are atomic (temp file + rename),
/// mode 0600, and keep the last <see cref="Backups"/> versions as <c>config.yml.bak.N</c>.
/// </summary>
public sealed class ConfigStore(string path, Func<string, string?>? variables = null)
{
    /// <summary>Where the loaded profiles read their password_env / api_key_env (the process environment by default).</summary>
    public Func<string, string?> Variables { get; } = variables ?? Environment.GetEnvironmentVariable;

    public const int Backups = 5;

    public string Path { get; } = path;

    YamlMappingNode _root = new();

    /// <summary>The config versions this build reads and writes.</summary>
    public const int SchemaVersion = 1;

    const string RestoreHint = "fix the file by hand, or restore a previous version from config.yml.bak.1";

    /// <summary>
    /// Parses a small config that touches nothing outside this process: the first parse pays YamlDotNet's set-up (its
    /// tag-directive pattern is a regex compiled at first use, ~10 ms), which a warm-up thread can pay instead.
    /// </summary>
    public static void WarmUp() =>
        new ConfigStore("config.yml", _ => null).Parse("schema_version: 1\ndb_profiles:\n  warm:\n    backend: postgresql\n    host: localhost\n");

    public AmxConfig Load()
    {
        ThrowIfDirectory();
        if (!File.Exists(Path))
        {
            _root = new YamlMappingNode();
            return new AmxConfig();
        }
        string text;
        try { text = File.ReadAllText(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AmxException.BadInput($"cannot read {Path}: {e.Message}", "check the file's permissions");
        }
        return Parse(text);
    }

    internal AmxConfig Parse(string text)
    {
        YamlGuard.Check(text, Path, RestoreHint);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            throw YamlGuard.Malformed(Path, e.Start, FirstLine(e.InnerException?.Message ?? e.Message), RestoreHint);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            _root = new YamlMappingNode();
            return new AmxConfig();
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw AmxException.BadInput($"{Path}:1:1: the config must be a YAML mapping", "see README, section Configuration");
        _root = root;
        var config = ConfigMapper.Read(root, Path, Variables);
        // A newer amx wrote this file: reading it could misread keys and writing it would drop what we do not know.
        if (config.SchemaVersion > SchemaVersion)
            throw AmxException.BadInput(
                $"{Path}: schema_version {config.SchemaVersion} is newer than this amx understands ({SchemaVersion})",
                "upgrade amx (dotnet tool update -g amx), or point AMX_HOME at another directory");
        return config;
    }

    void ThrowIfDirectory()
    {
        var home = System.IO.Path.GetDirectoryName(Path)!;
        if (File.Exists(home))
            throw AmxException.BadInput($"AMX_HOME {home} cannot be used: it is a file, not a directory",
                "point AMX_HOME at a directory you own (or unset it to use ~/.amx)");
        if (Directory.Exists(Path))
            throw AmxException.BadInput($"{Path} is a directory, not a config file",
                "move it aside (mv config.yml config.yml.dir); amx then starts a new config file");
    }

    public void Save(AmxConfig config)
    {
        ThrowIfDirectory();
        ConfigMapper.Write(config, _root);
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        var tmp = System.IO.Path.Combine(dir, $".config.yml.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            // Created 0600 from the first byte: a secret-bearing file is never world-readable, even briefly.
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(tmp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Serialize(_root));
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            RotateBackups();
            File.Move(tmp, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            throw AmxException.BadInput($"cannot write {Path}: {FileErrors.Cause(e)}",
                "make AMX_HOME writable, or point AMX_HOME at a directory you own");
        }
    }

    /// <summary>Block-style YAML without the document end marker, as a person would write it.</summary>
    static string Serialize(YamlMappingNode root)
    {
        foreach (var node in root.AllNodes)
            if (node is YamlMappingNode m) m.Style = YamlDotNet.Core.Events.MappingStyle.Block;
        var sw = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(sw, assignAnchors: false);
        var text = sw.ToString();
        return text.EndsWith("...\n") ? text[..^4] : text.EndsWith("...\r\n") ? text[..^5] : text;
    }

    void RotateBackups()
    {
        if (!File.Exists(Path)) return;
        for (var i = Backups - 1; i >= 1; i--)
        {
            var from = $"{Path}.bak.{i}";
            if (File.Exists(from)) File.Move(from, $"{Path}.bak.{i + 1}", overwrite: true);
        }
        File.Copy(Path, $"{Path}.bak.1", overwrite: true);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode($"{Path}.bak.1", UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

/// <summary>Maps between the YAML tree and <see cref="AmxConfig"/>.</summary>
static class ConfigMapper
{
    public static AmxConfig Read(YamlMappingNode root, string path, Func<string, string?>? variables = null)
    {
        var config = new AmxConfig();
        variables ??= Environment.GetEnvironmentVariable;
        if (Scalar(root, "schema_version", path) is { } v)
            config.SchemaVersion = int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw Bad(root, "schema_version", path, "must be a number");
        config.ActiveDbProfile = Scalar(root, "active_db_profile", path);
        config.ActiveLlmProfile = Scalar(root, "active_llm_profile", path);
        config.HistoryStoreProfile = Scalar(root, "history_store_profile", path);
        config.HistoryStoreSchema = Scalar(root, "history_store_schema", path);
        if (Scalar(root, "history_store_enabled", path) is { } enabled)
            config.HistoryStoreEnabled = bool.TryParse(enabled, out var b) ? b
                : throw Bad(root, "history_store_enabled", path, "must be true or false");

        if (Mapping(root, "db_profiles", path) is { } dbs)
            foreach (var (k, node) in dbs.Children)
                config.DbProfiles[((YamlScalarNode)k).Value!] = ReadDb(((YamlScalarNode)k).Value!, node, path, config).WithVariables(variables);
        if (Mapping(root, "llm_profiles", path) is { } llms)
            foreach (var (k, node) in llms.Children)
                config.LlmProfiles[((YamlScalarNode)k).Value!] = ReadLlm(((YamlScalarNode)k).Value!, node, path).WithVariables(variables);
        Amx.Data.Security.ConfigSecrets.Register(config, variables);
        return config;
    }

    static DbProfile ReadDb(string name, YamlNode node, string path, AmxConfig config)
    {
        if (node is not YamlMappingNode m)
            throw AmxException.BadInput($"{path}:{node.Start.Line}:{node.Start.Column}: db profile '{name}' must be a mapping");
        var backendName = Scalar(m, "backend", path);
        if (!BackendNames.TryParse(backendName, out var backend))
            throw AmxException.BadInput(
                $"{path}:{m.Start.Line}:{m.Start.Column}: db profile '{name}' has unknown backend '{backendName}'",
                $"use one of: {string.Join(", ", BackendNames.All)}");
        var profile = new DbProfile
        {
            Name = name,
            Backend = backend,
            Host = Scalar(m, "host", path),
            Database = Scalar(m, "database", path),
            User = Scalar(m, "user", path),
            PasswordEnv = Scalar(m, "password_env", path),
            Password = Scalar(m, "password", path),
            Path = Scalar(m, "path", path),
        };
        if (Scalar(m, "port", path) is { } port)
            profile.Port = int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p
                : throw Bad(m, "port", path, $"db profile '{name}': port must be a number");
        if (Mapping(m, "options", path) is { } options)
            foreach (var (k, v) in options.Children)
                profile.Options[((YamlScalarNode)k).Value!] = (v as YamlScalarNode)?.Value ?? "";
        if (profile.Password is not null)
            config.Warnings.Add($"db profile '{name}' stores a plaintext password; prefer password_env: VAR");
        return profile;
    }

    static LlmProfile ReadLlm(string name, YamlNode node, string path)
    {
        if (node is not YamlMappingNode m)
            throw AmxException.BadInput($"{path}:{node.Start.Line}:{node.Start.Column}: llm profile '{name}' must be a mapping");
        var provider = Scalar(m, "provider", path)?.ToLowerInvariant();
        if (provider is null || !LlmProfile.Providers.Contains(provider))
            throw AmxException.BadInput(
                $"{path}:{m.Start.Line}:{m.Start.Column}: llm profile '{name}' has unknown provider '{provider}'",
                $"use one of: {string.Join(", ", LlmProfile.Providers)}");
        var profile = new LlmProfile
        {
            Name = name,
            Provider = provider,
            Model = Scalar(m, "model", path),
            ApiKeyEnv = Scalar(m, "api_key_env", path),
            BaseUrl = Scalar(m, "base_url", path),
            Instructions = Scalar(m, "instructions", path),
        };
        if (Scalar(m, "max_request_chars", path) is { } max)
            profile.MaxRequestChars = int.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 2000 ? n
                : throw Bad(m, "max_request_chars", path, $"llm profile '{name}': max_request_chars must be a number of at least 2000");
        // context: one path or a list of paths (files or folders); read-only here, so the list is kept as written.
        if (m.Children.TryGetValue(new YamlScalarNode("context"), out var ctx))
            profile.Context.AddRange(ctx switch
            {
                YamlScalarNode s when !string.IsNullOrEmpty(s.Value) => [s.Value],
                YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(x => x.Value).OfType<string>().Where(v => v.Length > 0),
                _ => [],
            });
        return profile;
    }

    public static void Write(AmxConfig c, YamlMappingNode root)
    {
        Set(root, "schema_version", c.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        var dbs = ChildMapping(root, "db_profiles");
        foreach (var gone in dbs.Children.Keys.Cast<YamlScalarNode>().Where(k => !c.DbProfiles.ContainsKey(k.Value!)).ToList())
            dbs.Children.Remove(gone);
        foreach (var p in c.DbProfiles.Values)
        {
            var m = ChildMapping(dbs, p.Name);
            Set(m, "backend", p.Backend.ToConfigName());
            Set(m, "host", p.Host);
            Set(m, "port", p.Port?.ToString(CultureInfo.InvariantCulture));
            Set(m, "database", p.Database);
            Set(m, "user", p.User);
            Set(m, "password_env", p.PasswordEnv);
            Set(m, "password", p.Password);
            Set(m, "path", p.Path);
            if (p.Options.Count == 0) m.Children.Remove(new YamlScalarNode("options"));
            else
            {
                var o = new YamlMappingNode();
                foreach (var (k, v) in p.Options) o.Add(k, v);
                m.Children[new YamlScalarNode("options")] = o;
            }
        }
        var llms = ChildMapping(root, "llm_profiles");
        foreach (var gone in llms.Children.Keys.Cast<YamlScalarNode>().Where(k => !c.LlmProfiles.ContainsKey(k.Value!)).ToList())
            llms.Children.Remove(gone);
        foreach (var p in c.LlmProfiles.Values)
        {
            var m = ChildMapping(llms, p.Name);
            Set(m, "provider", p.Provider);
            Set(m, "model", p.Model);
            Set(m, "api_key_env", p.ApiKeyEnv);
            Set(m, "base_url", p.BaseUrl);
            Set(m, "max_request_chars", p.MaxRequestChars?.ToString(CultureInfo.InvariantCulture));
            Set(m, "instructions", p.Instructions);
        }
        Set(root, "active_db_profile", c.ActiveDbProfile);
        Set(root, "active_llm_profile", c.ActiveLlmProfile);
        Set(root, "history_store_enabled", c.HistoryStoreEnabled ? "true" : "false");
        Set(root, "history_store_profile", c.HistoryStoreProfile);
        Set(root, "history_store_schema", c.HistoryStoreSchema);
    }

    static YamlMappingNode ChildMapping(YamlMappingNode parent, string key)
    {
        if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode m) return m;
        m = new YamlMappingNode();
        parent.Children[new YamlScalarNode(key)] = m;
        return m;
    }

    static void Set(YamlMappingNode m, string key, string? value)
    {
        if (value is null) m.Children.Remove(new YamlScalarNode(key));
        else m.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
    }

    static string? Scalar(YamlMappingNode m, string key, string path)
    {
        if (!m.Children.TryGetValue(new YamlScalarNode(key), out var node)) return null;
        return node switch
        {
            YamlScalarNode s => string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null" ? null : s.Value,
            _ => throw Bad(m, key, path, "must be a single value"),
        };
    }

    static YamlMappingNode? Mapping(YamlMappingNode m, string key, string path)
    {
        if (!m.Children.TryGetValue(new YamlScalarNode(key), out var node)) return null;
        return node switch
        {
            YamlMappingNode map => map,
            YamlScalarNode { Value: null or "" or "~" or "null" } => null,
            _ => throw Bad(m, key, path, "must be a mapping"),
        };
    }

    static AmxException Bad(YamlMappingNode m, string key, string path, string what)
    {
        var node = m.Children[new YamlScalarNode(key)];
        return AmxException.BadInput($"{path}:{node.Start.Line}:{node.Start.Column}: {key} {what}", "fix the value in the config file");
    }
}
