using System.CommandLine;
using Amx.Data.Config;
using Amx.Data.Errors;
using Amx.Data.History;
using Amx.Data.History.Scripts;
using Amx.Tool.Hosting;

namespace Amx.Tool.Commands.HistoryStore;

/// <summary><c>amx history-store script --backend B [--schema S]</c>: the DDL for a DBA, without connecting anywhere.</summary>
public sealed class ScriptCommand : AmxCommand
{
    static readonly string[] Backends =
        [.. BackendNames.All.Where(b => !HistoryStoreTarget.RefusedHosts.ContainsKey(b)).Union(DialectScript.ByBackend.Keys)];

    readonly Option<string> _backend = new("--backend")
    {
        Description = $"One of: {string.Join(", ", Backends)}",
        Required = true,
    };
    readonly Option<string?> _schema = new("--schema") { Description = "Schema for the tables (default AMX, normalised for the backend)" };

    public ScriptCommand() : base("script", "Print the history store's DDL for a backend (idempotent; no connection)")
    {
        Options.Add(_backend);
        Options.Add(_schema);
    }

    protected override Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var backend = parse.GetValue(_backend)!.Trim();
        var schema = parse.GetValue(_schema);
        if (schema is not null && string.IsNullOrWhiteSpace(schema))
            throw AmxException.BadInput("--schema is empty", "pass a schema name, e.g. --schema AMX");
        // Refusals first: DuckDB is a warehouse backend too, but never a history host.
        if (HistoryStoreTarget.RefusedHosts.TryGetValue(backend, out var reason) && !DialectScript.ByBackend.ContainsKey(backend))
            throw AmxException.BadInput($"{backend} cannot host the history store: {reason}",
                "host it on PostgreSQL (recommended), MySQL/MariaDB or SQL Server");
        // A script-only dialect first: Redshift, Snowflake and Databricks are warehouse backends too, but their store DDL is a DialectScript.
        if (DialectScript.ByBackend.TryGetValue(backend, out var make))
        {
            var dialect = make();
            ctx.Out.Write(dialect.Generate(dialect.EffectiveSchema(schema)));
        }
        else if (BackendNames.TryParse(backend, out var b))
            ctx.Out.Write(HistoryScripts.ForBackend(b, schema));
        else
            throw AmxException.BadInput($"unknown backend '{backend}'", $"use one of: {string.Join(", ", Backends)}");
        return Task.FromResult(0);
    }
}
