using System.CommandLine;
using Amx.Tool.Commands.Apply;
using Amx.Tool.Commands.Ask;
using Amx.Tool.Commands.Config;
using Amx.Tool.Commands.Coverage;
using Amx.Tool.Commands.Db;
using Amx.Tool.Commands.Drafting;
using Amx.Tool.Commands.Drift;
using Amx.Tool.Commands.Export;
using Amx.Tool.Commands.Eval;
using Amx.Tool.Commands.History;
using Amx.Tool.Commands.HistoryStore;
using Amx.Tool.Commands.Profiles;
using Amx.Tool.Commands.Review;
using Amx.Tool.Hosting;

namespace Amx.Tool;

/// <summary>The noun-verb tree of docs/architecture.md. Each verb is one small class under Commands/.</summary>
public static class CommandTree
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "amx drafts table and column descriptions with an LLM, lets you review them, applies the accepted ones " +
            "as database comments, and records who drafted and applied what in a history store.");
        GlobalOptionSet.AddTo(root);
        VersionAction.Install(root);

        // Profiles and config
        root.Subcommands.Add(new DbProfilesCommand());
        root.Subcommands.Add(new AddDbProfileCommand());
        root.Subcommands.Add(new LlmProfilesCommand());
        root.Subcommands.Add(new AddLlmProfileCommand());
        root.Subcommands.Add(new ConfigCommand());

        // History store
        root.Subcommands.Add(new HistoryStoreCommand());

        // Drafting, review, apply
        root.Subcommands.Add(new RunCommand());
        root.Subcommands.Add(new ReviewCommand());
        root.Subcommands.Add(new ApplyCommand());
        root.Subcommands.Add(new RunApplyCommand());
        root.Subcommands.Add(new RevertCommand());
        root.Subcommands.Add(new DemoCommand());
        root.Subcommands.Add(new ExportCommand());
        root.Subcommands.Add(new EvalCommand());

        // Reading
        root.Subcommands.Add(new HistoryCommand());
        root.Subcommands.Add(new AskCommand());
        root.Subcommands.Add(new DbCommand());

        // Checks for CI and cron (docs/ci-and-cron.md)
        root.Subcommands.Add(new CoverageCommand());
        root.Subcommands.Add(new DriftCommand());
        return root;
    }
}
