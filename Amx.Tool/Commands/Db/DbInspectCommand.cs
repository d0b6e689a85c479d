using System.CommandLine;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Tool.Hosting;
using Amx.Tool.Output;

namespace Amx.Tool.Commands.Db;

/// <summary>
/// <c>amx db inspect [--profile P]</c>: what amx sees of a database — backend, version, user, comment capabilities,
/// and per schema the tables, views and columns and how many are already described; amx's own tables are named.
/// </summary>
public sealed class DbInspectCommand : AmxCommand
{
    readonly Option<string?> _profile = new("--profile", "--db-profile") { Description = "Db profile to inspect (default: the active one)" };

    public DbInspectCommand() : base("inspect", "Show backend, version, user, comment capabilities and per-schema counts of a database")
    {
        Options.Add(_profile);
    }

    protected override async Task<int> ExecuteAsync(CommandContext ctx, ParseResult parse, CancellationToken ct)
    {
        var profile = ctx.Config.GetDbProfile(parse.GetValue(_profile));
        var provider = WarehouseProviders.For(profile.Backend);
        await using var connection = await provider.OpenAsync(profile, ct);
        var server = await provider.ServerInfo.ReadAsync(connection, ct);
        var catalog = await provider.Metadata.ReadAsync(connection, null, new MetadataOptions { IncludeAmxTables = true }, ct);
        var report = DbInspectReport.Build(profile.Name, server, provider.Dialect, catalog);

        ctx.Render(report, () =>
        {
            var table = new OutputTable("schema", "tables", "views", "matviews", "columns", "tables described", "columns described", "amx tables");
            foreach (var s in report.Schemas)
                table.Add(s.Schema, N(s.Tables), N(s.Views), N(s.MaterializedViews), N(s.Columns),
                    $"{s.RelationsWithComment}/{s.Tables + s.Views + s.MaterializedViews}", $"{s.ColumnsWithComment}/{s.Columns}",
                    s.AmxTables.Count == 0 ? "" : string.Join(", ", s.AmxTables));
            var c = report.Capabilities;
            table.Footer.Add($"profile {report.Profile}: {report.ServerVersion}, connected as {report.User ?? "(unknown)"}");
            table.Footer.Add(c.TableComments || c.ColumnComments
                ? $"comments: tables {YesLimit(c.TableComments, c.MaxTableCommentLength, c.LengthUnit)}, views {(c.ViewComments ? "yes" : "no")}, " +
                  $"columns {YesLimit(c.ColumnComments, c.MaxColumnCommentLength, c.LengthUnit)}" +
                  (c.FourByteUtf8InComments ? "" : "; emoji and other 4-byte characters are not stored")
                : $"comments: not supported by {report.Backend} (descriptions stay in the amx history)");
            table.Footer.Add($"history store: {(c.CanHostHistoryStore ? "can be hosted here" : "cannot be hosted here")}");
            foreach (var s in report.Schemas.Where(s => s.AmxTables.Count > 0))
                table.Footer.Add($"amx: schema {s.Schema} holds amx's history tables ({string.Join(", ", s.AmxTables)})");
            return table;
        });
        return 0;
    }

    static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static string YesLimit(bool yes, int? max, string unit) => !yes ? "no" : max is null ? "yes (no length limit)" : $"yes (max {max} {unit})";
}

/// <summary>The json of <c>db inspect</c> (snake_case keys).</summary>
public sealed record DbInspectReport(
    string Profile, string Backend, string ServerVersion, string? User, DbCapabilities Capabilities, IReadOnlyList<SchemaSummary> Schemas)
{
    public static DbInspectReport Build(string profile, ServerInfo server, WarehouseDialect dialect, Data.Warehouse.Model.Catalog catalog)
    {
        var schemas = catalog.Tables
            .GroupBy(t => t.Name.Schema, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var user = g.Where(t => !t.IsAmxOwned).ToList();
                return new SchemaSummary(
                    g.Key,
                    user.Count(t => t.Kind == TargetKinds.Table),
                    user.Count(t => t.Kind == TargetKinds.View),
                    user.Count(t => t.Kind == TargetKinds.MaterializedView),
                    user.Sum(t => t.Columns.Count),
                    user.Count(t => t.Comment is not null),
                    user.Sum(t => t.Columns.Count(c => c.Comment is not null)),
                    user.Count(t => t.PrimaryKey.Count > 0),
                    user.Sum(t => t.UniqueKeys.Count),
                    user.Sum(t => t.ForeignKeys.Count),
                    g.Where(t => t.IsAmxOwned).Select(t => t.Name.Table).OrderBy(n => n, StringComparer.Ordinal).ToList());
            })
            .ToList();
        var caps = new DbCapabilities(
            dialect.SupportsTableComments, dialect.SupportsViewComments, dialect.SupportsColumnComments,
            dialect.MaxTableCommentLength, dialect.MaxColumnCommentLength,
            dialect.LengthUnit == LengthUnit.Utf16Bytes ? "bytes" : "characters",
            dialect.SupportsFourByteUtf8InComments, dialect.CanHostHistoryStore);
        return new DbInspectReport(profile, server.Backend, server.Version, server.User, caps, schemas);
    }
}

public sealed record DbCapabilities(
    bool TableComments, bool ViewComments, bool ColumnComments, int? MaxTableCommentLength, int? MaxColumnCommentLength,
    string LengthUnit, bool FourByteUtf8InComments, bool CanHostHistoryStore);

public sealed record SchemaSummary(
    string Schema, int Tables, int Views, int MaterializedViews, int Columns, int RelationsWithComment, int ColumnsWithComment,
    int PrimaryKeys, int UniqueKeys, int ForeignKeys, IReadOnlyList<string> AmxTables);
