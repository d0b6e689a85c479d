using System.CommandLine;
using Amx.Tool.Commands.Config;
using Amx.Tool.Commands.Profiles;
using Amx.Tool.Hosting;

namespace Amx.Tool;

/// <summary>The noun-verb tree of DESIGN.md §3. Each verb is one small class under Commands/.</summary>
public static class CommandTree
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "amx drafts table and column descriptions with an LLM, lets you review them, applies the accepted ones " +
            "as database comments, and records who drafted and applied what in a history store.");
        GlobalOptionSet.AddTo(root);

        // Profiles and config
        root.Subcommands.Add(new DbProfilesCommand());
        root.Subcommands.Add(new AddDbProfileCommand());
        root.Subcommands.Add(new LlmProfilesCommand());
        root.Subcommands.Add(new AddLlmProfileCommand());
        root.Subcommands.Add(new ConfigCommand());

        // History store
        root.Subcommands.Add(new Commands.HistoryStore.HistoryStoreCommand());

        // Drafting, review, apply
        root.Subcommands.Add(Stub("run", "Draft descriptions for a scope (schema, schema.table or schema.table.column)"));
        root.Subcommands.Add(Stub("review", "Accept, edit or reject the drafts of a run"));
        root.Subcommands.Add(Stub("apply", "Write a run's accepted and edited descriptions as database comments"));
        root.Subcommands.Add(Stub("run-apply", "Draft, accept and apply in one go (no scope: the whole warehouse)"));
        root.Subcommands.Add(Stub("revert", "Restore the comments a run replaced"));
        root.Subcommands.Add(Stub("demo", "Create a sample SQLite warehouse and draft it offline (no server, no key)"));

        // Reading
        root.Subcommands.Add(Stub("history", "List, show, compare and count runs"));
        root.Subcommands.Add(Stub("ask", "Ask a question about the catalog"));
        root.Subcommands.Add(new Commands.Db.DbCommand());
        return root;
    }

    static Command Stub(string name, string description) => new NotImplementedCommand(name, description);
}
