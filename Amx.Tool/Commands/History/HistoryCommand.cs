using System.CommandLine;

namespace Amx.Tool.Commands.History;

/// <summary><c>amx history list | show | compare | stats</c>: the read side of the history store.</summary>
public sealed class HistoryCommand : Command
{
    public HistoryCommand() : base("history", "List, show, compare and count runs")
    {
        Subcommands.Add(new HistoryListCommand());
        Subcommands.Add(new HistoryShowCommand());
        Subcommands.Add(new HistoryCompareCommand());
        Subcommands.Add(new HistoryStatsCommand());
    }
}
