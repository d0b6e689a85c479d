using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Profiles;

/// <summary><c>amx llm-profiles</c>: lists LLM profiles; <c>remove</c> below it.</summary>
public sealed class LlmProfilesCommand : AmxCommand
{
    public LlmProfilesCommand() : base("llm-profiles", "List LLM profiles (subcommand: remove)")
    {
        Subcommands.Add(new RemoveLlmProfileCommand());
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var rows = config.LlmProfiles.Values.Select(p => new
        {
            name = p.Name, provider = p.Provider, model = p.Model, base_url = Amx.Data.Security.Redactor.MaskUrl(p.BaseUrl), api_key_env = p.ApiKeyEnv,
            active = p.Name == config.ActiveLlmProfile,
        }).ToList();
        ctx.Render(rows, () =>
        {
            var t = new OutputTable("", "name", "provider", "model", "endpoint", "api key from");
            foreach (var p in config.LlmProfiles.Values)
                t.Add(p.Name == config.ActiveLlmProfile ? "*" : "", p.Name, p.Provider, p.Model, Amx.Data.Security.Redactor.MaskUrl(p.BaseUrl), p.ApiKeyEnv is null ? null : "$" + p.ApiKeyEnv);
            if (t.Rows.Count == 0) t.Footer.Add("No LLM profiles yet. Add one: amx add-llm-profile offline --provider offline");
            return t;
        });
        return Task.FromResult(0);
    }
}

public sealed class RemoveLlmProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile to remove" };

    public RemoveLlmProfileCommand() : base("remove", "Remove an LLM profile")
    {
        Arguments.Add(_name);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var config = ctx.Config;
        var profile = config.GetLlmProfile(parse.GetValue(_name)!);
        config.LlmProfiles.Remove(profile.Name);
        if (config.ActiveLlmProfile == profile.Name) config.ActiveLlmProfile = config.LlmProfiles.Keys.FirstOrDefault();
        ctx.SaveConfig();
        ctx.Out.WriteLine($"Removed llm profile '{profile.Name}'.");
        return Task.FromResult(0);
    }
}

/// <summary><c>amx add-llm-profile NAME --provider P …</c>.</summary>
public sealed class AddLlmProfileCommand : AmxCommand
{
    readonly Argument<string> _name = new("NAME") { Description = "Profile name (e.g. default)" };
    readonly Option<string> _provider = new("--provider") { Description = $"One of: {string.Join(", ", LlmProfile.Providers)} (openai = any OpenAI-compatible endpoint)", Required = true };
    readonly Option<string?> _model = new("--model") { Description = "Model name (e.g. gpt-4o-mini, claude-3-5-haiku-latest, llama3.1)" };
    readonly Option<string?> _apiKeyEnv = new("--api-key-env") { Description = "Environment variable that holds the API key" };
    readonly Option<string?> _baseUrl = new("--base-url") { Description = "Endpoint URL (Azure, vLLM, LM Studio, OpenRouter, a proxy…)" };
    readonly Option<bool> _replace = new("--replace") { Description = "Overwrite an existing profile of the same name" };
    readonly Option<bool> _activate = new("--activate") { Description = "Make it the active LLM profile (the first profile always is)" };

    public AddLlmProfileCommand() : base("add-llm-profile", "Add an LLM profile")
    {
        Arguments.Add(_name);
        foreach (var o in new Option[] { _provider, _model, _apiKeyEnv, _baseUrl, _replace, _activate }) Options.Add(o);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ProfileNames.Validate(parse.GetValue(_name)!);
        var provider = parse.GetValue(_provider)!.Trim().ToLowerInvariant();
        if (!LlmProfile.Providers.Contains(provider))
            throw AmxException.BadInput($"unknown provider '{provider}'", $"use one of: {string.Join(", ", LlmProfile.Providers)}");
        var baseUrl = parse.GetValue(_baseUrl);
        if (baseUrl is not null && !Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
            throw AmxException.BadInput($"--base-url '{baseUrl}' is not an absolute URL", "e.g. --base-url http://localhost:11434/v1");
        var config = ctx.Config;
        if (config.LlmProfiles.ContainsKey(name) && !parse.GetValue(_replace))
            throw AmxException.BadInput($"llm profile '{name}' already exists", "pass --replace to overwrite it, or choose another name");
        var apiKeyEnv = parse.GetValue(_apiKeyEnv);
        if (provider is "openai" or "anthropic" && apiKeyEnv is null && baseUrl is null)
            throw AmxException.BadInput($"--api-key-env is required for provider {provider}",
                $"amx add-llm-profile {name} --provider {provider} --api-key-env {(provider == "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY")}");
        config.LlmProfiles[name] = new LlmProfile { Name = name, Provider = provider, Model = parse.GetValue(_model), ApiKeyEnv = apiKeyEnv, BaseUrl = baseUrl, Variables = ctx.Env.Variables };
        if (config.ActiveLlmProfile is null || parse.GetValue(_activate)) config.ActiveLlmProfile = name;
        ctx.SaveConfig();
        ctx.Out.WriteLine($"Added llm profile '{name}' ({provider}{(parse.GetValue(_model) is { } m ? ", " + m : "")}).");
        if (apiKeyEnv is not null && string.IsNullOrWhiteSpace(ctx.Env.Variable(apiKeyEnv)))
            ctx.Warn($"environment variable {apiKeyEnv} is not set in this shell; set it before drafting");
        return Task.FromResult(0);
    }
}
