using System.CommandLine;

namespace Amx.Tool.Commands.Db;

/// <summary><c>amx db</c>: commands about the warehouse database itself.</summary>
public sealed class DbCommand : Command
{
    public DbCommand() : base("db", "Inspect a database (subcommand: inspect)")
    {
        Subcommands.Add(new DbInspectCommand());
    }
}
