using System.Data.Common;
using System.Runtime.CompilerServices;
using Amx.Data.History.Model;
using Amx.Data.History.Storage;

namespace Amx.Data.History;

/// <summary>A run's results counted as a finished run records them (<see cref="HistoryReader.RunTallyAsync"/>).</summary>
public sealed class RunResultTally
{
    /// <summary>Results with a description, and without one (failed drafts).</summary>
    public int Ok { get; set; }
    public int Failed { get; set; }
    /// <summary>Described results still pending review.</summary>
    public int PendingDescribed { get; set; }
    /// <summary>Described results per confidence.</summary>
    public Dictionary<string, int> ByConfidence { get; } = new(StringComparer.Ordinal);
    /// <summary>Results per decision, described or not.</summary>
    public Dictionary<string, int> ByDecision { get; } = new(StringComparer.Ordinal);
    /// <summary>Results inherited from a view's base (metadata names a source).</summary>
    public int Inherited { get; set; }
    /// <summary>The outcomes per schema (run-apply's closing tally), one entry per key.</summary>
    public List<OutcomeCount> Outcomes { get; } = [];
}

/// <summary>A run's outcomes for one key (<see cref="RunResultTally.Outcomes"/>). <see cref="Key"/> is the schema of
/// the results' names, or the whole name where it is quoted (the caller parses those few). Failed counts drafts the LLM
/// did not deliver and comment writes that failed.</summary>
public readonly record struct OutcomeCount(string Key, int Drafted, int Accepted, int Applied, int Conflicts, int Failed);

/// <summary>The counts of <c>history stats</c> (<see cref="HistoryReader.StatsAsync"/>), by state or by person.</summary>
public sealed record StoreStats(Dictionary<string, int> RunsByState, Dictionary<string, int> RunsByWho, Dictionary<string, int> DraftedByWho,
    Dictionary<string, int> AcceptedBy, Dictionary<string, int> AppliedBy);

/// <summary>Which runs <c>history list</c> wants: newest first, at most <see cref="Limit"/>.</summary>
public sealed record RunQuery(int Limit, string? Who = null, string? Scope = null, string? State = null);

/// <summary>
/// Plain-SQL reads of the store for the read verbs, apply and drafting. EF's cold start (service provider, model,
/// query compilation) is most of a one-shot command's time, and a read needs none of it: one connection, one
/// parameterised SELECT. The statements that write are built in <see cref="ApplySql"/> and <see cref="RunSql"/>.
/// </summary>
public sealed class HistoryReader(HistoryStoreTarget target)
{
    const string RunColumns = RunSql.RunColumns;

    string Runs => target.Provider.QualifiedTable(target.Schema, HistoryModel.RunsTable);
    string Results => target.Provider.QualifiedTable(target.Schema, HistoryModel.ResultsTable);

    /// <summary>Runs newest first; a scope filter matches the scope and what lies inside it (sales → sales.customer).</summary>
    public async Task<List<HistoryRun>> RunsAsync(RunQuery q, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var where = new List<string>();
        if (q.Who is not null) { where.Add("who = @who"); Add(cmd, "who", q.Who); }
        if (q.Scope is not null)
        {
            where.Add("(scope = @scope OR scope LIKE @inside ESCAPE '!')");
            AddScope(cmd, q.Scope);
        }
        if (q.State is not null) { where.Add("state = @state"); Add(cmd, "state", q.State); }
        cmd.CommandText = $"SELECT {RunColumns} FROM {Runs}" + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) +
                          $" ORDER BY started_at DESC, run_id DESC {target.Provider.Limit(q.Limit)}";
        return await ReadRunsAsync(cmd, ct);
    }

    /// <summary>Every run, oldest first (what <c>history-store migrate</c> copies).</summary>
    public async Task<List<HistoryRun>> AllRunsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {RunColumns} FROM {Runs} ORDER BY started_at, run_id";
        return await ReadRunsAsync(cmd, ct);
    }

    /// <summary>The runs among <paramref name="runIds"/> that this store holds, 1,000 ids per query.</summary>
    public async Task<Dictionary<string, HistoryRun>> RunsNamedAsync(IReadOnlyCollection<string> runIds, CancellationToken ct = default)
    {
        var found = new Dictionary<string, HistoryRun>(StringComparer.Ordinal);
        await using var conn = await OpenAsync(ct);
        foreach (var chunk in runIds.Chunk(1000))
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT {RunColumns} FROM {Runs} WHERE run_id IN ({string.Join(", ", chunk.Select((_, i) => $"@t{i}"))})";
            for (var i = 0; i < chunk.Length; i++) Add(cmd, $"t{i}", chunk[i]);
            foreach (var run in await ReadRunsAsync(cmd, ct)) found[run.RunId] = run;
        }
        return found;
    }

    public async Task<HistoryRun?> FindRunAsync(string runId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {RunColumns} FROM {Runs} WHERE run_id = @run";
        Add(cmd, "run", runId);
        return (await ReadRunsAsync(cmd, ct)).FirstOrDefault();
    }

    /// <summary>
    /// The run's results in UTF-8 order of target_qname (the descriptions hash's order, whatever the collation).
    /// Without <paramref name="full"/> the bulky alternatives and previous_comment are left unread.
    /// </summary>
    public async Task<List<HistoryResult>> ResultsAsync(string runId, bool full, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = ResultsCommand(conn, runId, full, ordered: false);
        var list = new List<HistoryResult>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add(ReadResult(r, runId, full));
        list.Sort((a, b) => Utf8Order.Comparer.Compare(a.TargetQname, b.TargetQname));
        return list;
    }

    /// <summary>
    /// The run's results one at a time, in the server's byte order of target_qname
    /// (<see cref="Providers.HistoryProvider.ByteOrder"/>): for output that must not hold a million results in memory
    /// (<c>history show --output json|csv</c>, <c>review --export</c>).
    /// </summary>
    public async IAsyncEnumerable<HistoryResult> StreamResultsAsync(string runId, bool full, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = ResultsCommand(conn, runId, full, ordered: true);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return ReadResult(r, runId, full);
    }

    /// <summary>Without <paramref name="full"/> the bulky alternatives and previous_comment are left unread.</summary>
    DbCommand ResultsCommand(DbConnection conn, string runId, bool full, bool ordered)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {(full ? ApplySql.ResultColumns : ApplySql.LeanResultColumns)} FROM {Results} WHERE run_id = @run" +
                          (ordered ? $" ORDER BY {target.Provider.ByteOrder("target_qname")}" : "");
        Add(cmd, "run", runId);
        return cmd;
    }

    /// <summary>A row of <see cref="ApplySql.ResultColumns"/> (or, without <paramref name="full"/>, <see cref="ApplySql.LeanResultColumns"/>).</summary>
    static HistoryResult ReadResult(DbDataReader r, string runId, bool full) => new()
    {
        RunId = runId, TargetQname = r.GetString(0), TargetKind = r.GetString(1), Description = Text(r, 2), Confidence = Text(r, 3),
        Decision = r.GetString(4), ReviewedBy = Text(r, 5), ReviewedAt = Time(r, 6), Applied = Convert.ToBoolean(r.GetValue(7)),
        AppliedAt = Time(r, 8), AppliedBy = Text(r, 9), ApplyStatus = Text(r, 10), Error = Text(r, 11),
        MetadataJson = Text(r, 12), RevertedAt = Time(r, 13), RevertedBy = Text(r, 14),
        Alternatives = full ? Text(r, 15) : null, PreviousComment = full ? Text(r, 16) : null,
    };

    /// <summary>
    /// The descriptions hash of a run, streamed: the server orders by target name in UTF-8 byte order
    /// (<see cref="Providers.HistoryProvider.ByteOrder"/>) and each row is hashed as it arrives, so memory stays flat
    /// at any size. Should a server's order not be byte order after all, the rows are read again and sorted here.
    /// </summary>
    public async Task<string> DescriptionsHashAsync(string runId, CancellationToken ct = default)
    {
        // The digest is all the command waits for: the connection opens on this thread (Open).
        await using (var conn = Open())
        {
            // Where the store's engine writes the hash's text itself (PostgreSQL's COPY), amx only hashes its bytes.
            if (await target.Provider.DescriptionsHashAsync(conn, target.Schema, runId, ct) is { } digest) return digest;
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT target_qname, target_kind, confidence, description FROM {Results} " +
                              $"WHERE run_id = @run ORDER BY {target.Provider.ByteOrder("target_qname")}";
            Add(cmd, "run", runId);
            using var hasher = new DescriptionsHash.Hasher();
            string? previous = null;
            var inOrder = true;
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    var qname = r.GetString(0);
                    if (previous is not null && Utf8Order.Comparer.Compare(previous, qname) > 0) { inOrder = false; break; }
                    hasher.Add(qname, Text(r, 1), Text(r, 2), Text(r, 3));
                    previous = qname;
                }
            if (inOrder) return hasher.Finish();
        }
        var rows = await ResultsAsync(runId, full: false, ct);
        return DescriptionsHash.Compute(rows);
    }

    /// <summary>The run's (target, description) pairs only: what compare needs.</summary>
    public async Task<List<(string Target, string? Description)>> DescriptionsAsync(string runId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT target_qname, description FROM {Results} WHERE run_id = @run";
        Add(cmd, "run", runId);
        var list = new List<(string, string?)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add((r.GetString(0), Text(r, 1)));
        return list;
    }

    /// <summary>
    /// The run's (target, description) pairs streamed in UTF-8 byte order of target_qname (<see cref="Providers.HistoryProvider.ByteOrder"/>),
    /// for compare's merge join: one open cursor, nothing held. A <paramref name="prefix"/> is pushed into the SQL as an escaped
    /// LIKE and checked again here, since some engines' LIKE ignores case (SQLite). A row that arrives out of byte order throws
    /// <see cref="ByteOrderException"/>, so the caller can fall back to sorting in memory.
    /// </summary>
    public async IAsyncEnumerable<(string Target, string? Description)> OrderedDescriptionsAsync(string runId, string? prefix,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var filtered = !string.IsNullOrEmpty(prefix);
        cmd.CommandText = $"SELECT target_qname, description FROM {Results} WHERE run_id = @run" +
                          (filtered ? " AND target_qname LIKE @prefix ESCAPE '!'" : "") + $" ORDER BY {target.Provider.ByteOrder("target_qname")}";
        Add(cmd, "run", runId);
        if (filtered) Add(cmd, "prefix", Like(prefix!) + "%");
        string? previous = null;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var qname = r.GetString(0);
            if (filtered && !qname.StartsWith(prefix!, StringComparison.Ordinal)) continue;
            if (previous is not null && Utf8Order.Comparer.Compare(previous, qname) >= 0) throw new ByteOrderException(previous, qname);
            yield return (qname, Text(r, 1));
            previous = qname;
        }
    }

    /// <summary>
    /// What apply (or revert) still has to do, in the store's order of target_qname: the next <paramref name="take"/>
    /// after <paramref name="after"/> (keyset). Apply: accepted or edited, with a description, not applied; revert: applied.
    /// </summary>
    public async Task<List<HistoryResult>> ApplyCandidatesAsync(string runId, bool revert, string? after, int? take, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = CandidatesCommand(conn, runId, revert, after, take);
        var list = new List<HistoryResult>(Math.Min(take ?? 1000, 10_000));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadResult(r, runId, full: true));
        return list;
    }

    /// <summary>
    /// Apply's candidates <paramref name="size"/> at a time, in the store's order of target_qname. Where the provider
    /// streams (<see cref="Providers.HistoryProvider.StreamsApplyCandidates"/>) one query feeds every chunk as its rows
    /// arrive; elsewhere, and after the stream breaks (a server <c>statement_timeout</c> shorter than the apply, a
    /// dropped connection), each chunk is a keyset query after the last chunk handed out. Either way memory holds one chunk.
    /// </summary>
    public async IAsyncEnumerable<List<HistoryResult>> ApplyCandidateChunksAsync(string runId, bool revert, int size,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? after = null;
        if (target.Provider.StreamsApplyCandidates)
        {
            await using var conn = await OpenAsync(ct);
            await using var cmd = CandidatesCommand(conn, runId, revert, after: null, take: null);
            DbDataReader? r = null;
            var ended = false;
            try
            {
                var chunk = new List<HistoryResult>(size);
                while (true)
                {
                    // The stream may fail at any read: the chunks handed out are done, the keyset below goes on after them.
                    try
                    {
                        r ??= await cmd.ExecuteReaderAsync(ct);
                        ended = !await r.ReadAsync(ct);
                    }
                    catch (DbException) { break; }
                    if (ended) break;
                    chunk.Add(ReadResult(r, runId, full: true));
                    if (chunk.Count < size) continue;
                    yield return chunk;
                    after = chunk[^1].TargetQname;
                    chunk = new List<HistoryResult>(size);
                }
                if (ended && chunk.Count > 0) yield return chunk;
            }
            finally
            {
                // A broken stream may fail again while closing; the keyset takes over.
                if (r is not null) try { await r.DisposeAsync(); } catch (DbException) { }
            }
            if (ended) yield break;
        }
        while (await ApplyCandidatesAsync(runId, revert, after, size, ct) is { Count: > 0 } next)
        {
            yield return next;
            after = next[^1].TargetQname;
        }
    }

    DbCommand CandidatesCommand(DbConnection conn, string runId, bool revert, string? after, int? take)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = ApplySql.Candidates(target.Provider, target.Schema, revert, after is not null, take);
        BindCandidateFilter(cmd, revert);
        Add(cmd, "run", runId);
        if (after is not null) Add(cmd, "after", after);
        return cmd;
    }

    /// <summary>How many results apply (or revert) has left, how many are applied, and how many were reverted.</summary>
    public async Task<(int Pending, int Applied, int Reverted)> ApplyTallyAsync(string runId, bool revert, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = ApplySql.Tally(target.Provider, target.Schema, revert);
        BindCandidateFilter(cmd, revert);
        Add(cmd, "run", runId);
        Add(cmd, "reverted", ApplyStatuses.Reverted);
        if (!revert) Add(cmd, "yes", true); // a revert's filter binds it already
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2)));
    }

    /// <summary>The parameters of <see cref="ApplySql.CandidateFilter"/>.</summary>
    static void BindCandidateFilter(DbCommand cmd, bool revert)
    {
        if (revert)
        {
            Add(cmd, "yes", true);
            return;
        }
        Add(cmd, "no", false);
        Add(cmd, "accepted", Decisions.Accepted);
        Add(cmd, "edited", Decisions.Edited);
    }

    /// <summary>
    /// The applies amx recorded for these targets, in any run, that bear on each one's live comment: those that wrote
    /// that text, or whose revert restored it. The rest of a target's history (every earlier quarterly apply) is
    /// filtered out by the server, so apply's cost does not grow with how often the targets were applied before.
    /// Engines may compare text more loosely than byte-exact (case, trailing spaces); the caller compares exactly.
    /// </summary>
    public async Task<List<HistoryResult>> AppliedToAsync(IReadOnlyList<(string Target, string? Live)> targets, CancellationToken ct = default)
    {
        var list = new List<HistoryResult>();
        if (targets.Count == 0) return list;
        await using var conn = await OpenAsync(ct);
        foreach (var batch in targets.Chunk(500))
        {
            await using var cmd = conn.CreateCommand();
            target.Provider.PrepareAppliedTo(cmd, target.Schema, batch);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new HistoryResult
                {
                    TargetQname = r.GetString(0), RunId = r.GetString(1), AppliedAt = Time(r, 2), AppliedBy = Text(r, 3), RevertedAt = Time(r, 4),
                    RevertedBy = Text(r, 5), Description = Text(r, 6), PreviousComment = Text(r, 7),
                });
        }
        return list;
    }

    /// <summary>The run's results for the given targets, 1,000 per query (what views inherit from their bases).</summary>
    public async Task<Dictionary<string, Drafting.InheritancePlan.RunResult>> RunResultsOfAsync(string runId, IReadOnlyCollection<string> targets, CancellationToken ct = default)
    {
        var found = new Dictionary<string, Drafting.InheritancePlan.RunResult>(StringComparer.Ordinal);
        await ForNamesAsync(runId, targets, "target_qname, description, confidence", r => found[r.GetString(0)] = new(Text(r, 1), Text(r, 2)), ct);
        return found;
    }

    /// <summary>The run's results (every column) for the given names, 1,000 per query; names it lacks are left out.</summary>
    public async Task<Dictionary<string, HistoryResult>> ResultsNamedAsync(string runId, IReadOnlyCollection<string> names, CancellationToken ct = default)
    {
        var found = new Dictionary<string, HistoryResult>(StringComparer.Ordinal);
        await ForNamesAsync(runId, names, ApplySql.ResultColumns, r =>
        {
            var result = ReadResult(r, runId, full: true);
            found[result.TargetQname] = result;
        }, ct);
        return found;
    }

    /// <summary>Reads <paramref name="columns"/> of the run's results named in <paramref name="names"/>, 1,000 names per query.</summary>
    async Task ForNamesAsync(string runId, IReadOnlyCollection<string> names, string columns, Action<DbDataReader> read, CancellationToken ct)
    {
        if (names.Count == 0) return;
        await using var conn = await OpenAsync(ct);
        foreach (var chunk in names.Chunk(1000))
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT {columns} FROM {Results} WHERE run_id = @run AND target_qname IN " +
                              $"({string.Join(", ", chunk.Select((_, i) => $"@t{i}"))})";
            Add(cmd, "run", runId);
            for (var i = 0; i < chunk.Length; i++) Add(cmd, $"t{i}", chunk[i]);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) read(r);
        }
    }

    /// <summary>Runs by anyone but <paramref name="who"/> started since <paramref name="since"/> (who, run, scope, start).</summary>
    public async Task<List<(string Who, string RunId, string Scope, DateTime StartedAt)>> RecentRunsOfOthersAsync(string who, DateTime since, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = RunSql.RecentRunsOfOthers(target.Provider, target.Schema);
        Add(cmd, "who", who);
        Add(cmd, "since", target.Provider.StoredTime(since)!);
        var list = new List<(string, string, string, DateTime)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3)!.Value));
        return list;
    }

    /// <summary>Targets with an accepted, edited or applied draft in any run, within <paramref name="scope"/> ("*": all).</summary>
    public async Task<HashSet<string>> CoveredTargetsAsync(string scope, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var scoped = scope != "*";
        cmd.CommandText = RunSql.Covered(target.Provider, target.Schema, scoped);
        Add(cmd, "yes", true);
        Add(cmd, "accepted", Decisions.Accepted);
        Add(cmd, "edited", Decisions.Edited);
        if (scoped) AddScope(cmd, scope);
        return new HashSet<string>(await Providers.HistoryProvider.ReadStrings(cmd, ct), StringComparer.Ordinal);
    }

    /// <summary>What a finished run records about its results, from one grouped read (<see cref="RunSql.Tally"/>).</summary>
    public async Task<RunResultTally> RunTallyAsync(string runId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = RunSql.Tally(target.Provider, target.Schema);
        BindTally(cmd, runId);
        return await ReadTallyAsync(cmd, ct);
    }

    /// <summary>The parameters of <see cref="RunSql.Tally"/>.</summary>
    internal static void BindTally(DbCommand cmd, string runId)
    {
        Add(cmd, "yes", true);
        Add(cmd, "conflict", ApplyStatuses.Conflict);
        Add(cmd, "failed", ApplyStatuses.Failed);
        Add(cmd, "run", runId);
    }

    /// <summary>The rows of <see cref="RunSql.Tally"/>, counted (also read inside a copier's transaction).</summary>
    internal static async Task<RunResultTally> ReadTallyAsync(DbCommand cmd, CancellationToken ct)
    {
        var tally = new RunResultTally();
        var perKey = new Dictionary<string, OutcomeCount>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var (key, confidence, decision) = (r.GetString(0), Text(r, 1), r.GetString(2));
            var described = Convert.ToInt32(r.GetValue(3));
            var count = Convert.ToInt32(r.GetValue(8));
            tally.Inherited += Convert.ToInt32(r.GetValue(4));
            tally.ByDecision[decision] = tally.ByDecision.GetValueOrDefault(decision) + count;
            tally.Failed += count - described;
            var o = perKey.GetValueOrDefault(key, new OutcomeCount(key, 0, 0, 0, 0, 0));
            perKey[key] = o with
            {
                Drafted = o.Drafted + described,
                Accepted = o.Accepted + (decision is Decisions.Accepted or Decisions.Edited ? count : 0),
                Applied = o.Applied + Convert.ToInt32(r.GetValue(5)),
                Conflicts = o.Conflicts + Convert.ToInt32(r.GetValue(6)),
                Failed = o.Failed + Convert.ToInt32(r.GetValue(7)),
            };
            if (described == 0) continue;
            tally.Ok += described;
            if (decision == Decisions.Pending) tally.PendingDescribed += described;
            if (confidence is not null) tally.ByConfidence[confidence] = tally.ByConfidence.GetValueOrDefault(confidence) + described;
        }
        tally.Outcomes.AddRange(perKey.Values);
        return tally;
    }

    /// <summary>
    /// The last write of each target amx applied (or reverted) on <paramref name="profile"/>, within <paramref name="scope"/>,
    /// one at a time in the store's byte order of target_qname: the newest row per target (by applied_at, then run id).
    /// </summary>
    public async IAsyncEnumerable<HistoryResult> StreamLastWritesAsync(string profile, string? scope, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var columns = string.Join(", ", ApplySql.ResultColumns.Split(", ").Select(c => "x." + c));
        cmd.CommandText = $"SELECT {columns}, x.run_id FROM {Results} x JOIN {Runs} r ON r.run_id = x.run_id " +
                          "WHERE r.db_profile = @profile AND x.applied_at IS NOT NULL AND (x.applied = @yes OR x.apply_status = @reverted)" +
                          (scope is null ? "" : " AND (x.target_qname = @scope OR x.target_qname LIKE @inside ESCAPE '!')") +
                          $" ORDER BY {target.Provider.ByteOrder("x.target_qname")}, x.applied_at DESC, {target.Provider.ByteOrder("x.run_id")} DESC";
        Add(cmd, "profile", profile);
        Add(cmd, "yes", true);
        Add(cmd, "reverted", ApplyStatuses.Reverted);
        if (scope is not null) AddScope(cmd, scope);
        var runColumn = ApplySql.ResultColumns.Split(", ").Length;
        string? last = null;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var name = r.GetString(0);
            if (name == last) continue; // an older write of the same target
            last = name;
            yield return ReadResult(r, r.GetString(runColumn), full: true);
        }
    }

    /// <summary>Every described, not rejected result with its run's start (what <c>ask</c> searches).</summary>
    public async Task<List<(string Target, string Description, string RunId, bool Applied, string Decision, DateTime StartedAt)>> DescribedResultsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT x.target_qname, x.description, x.run_id, x.applied, x.decision, r.started_at FROM {Results} x " +
                          $"JOIN {Runs} r ON r.run_id = x.run_id WHERE x.description IS NOT NULL AND x.decision <> @rejected";
        Add(cmd, "rejected", Decisions.Rejected);
        var list = new List<(string, string, string, bool, string, DateTime)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add((r.GetString(0), r.GetString(1), r.GetString(2), Convert.ToBoolean(r.GetValue(3)), r.GetString(4), Time(r, 5)!.Value));
        return list;
    }

    /// <summary>The run's accepted or edited descriptions (applied or not) in the store's order of target_qname (dbt export).</summary>
    public async Task<List<(string Target, string Description)>> AcceptedDescriptionsAsync(string runId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT target_qname, description FROM {Results} WHERE run_id = @run AND description IS NOT NULL " +
                          "AND decision IN (@accepted, @edited) ORDER BY target_qname";
        Add(cmd, "run", runId);
        Add(cmd, "accepted", Decisions.Accepted);
        Add(cmd, "edited", Decisions.Edited);
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    /// <summary>
    /// <c>history stats</c>: runs per state and per person, drafted results per run owner, accepted (or edited) per
    /// reviewer, applied per applier: five grouped reads on one connection.
    /// </summary>
    public async Task<StoreStats> StatsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        async Task<Dictionary<string, int>> Grouped(string sql, params (string Name, object Value)[] parameters)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters) Add(cmd, name, value);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) counts[r.GetString(0)] = Convert.ToInt32(r.GetValue(1));
            return counts;
        }
        return new StoreStats(
            RunsByState: await Grouped($"SELECT state, COUNT(*) FROM {Runs} GROUP BY state"),
            RunsByWho: await Grouped($"SELECT who, COUNT(*) FROM {Runs} GROUP BY who"),
            DraftedByWho: await Grouped($"SELECT r.who, COUNT(*) FROM {Runs} r JOIN {Results} x ON x.run_id = r.run_id " +
                                        "WHERE x.description IS NOT NULL GROUP BY r.who"),
            AcceptedBy: await Grouped($"SELECT reviewed_by, COUNT(*) FROM {Results} WHERE reviewed_by IS NOT NULL " +
                                      "AND decision IN (@accepted, @edited) GROUP BY reviewed_by",
                ("accepted", Decisions.Accepted), ("edited", Decisions.Edited)),
            AppliedBy: await Grouped($"SELECT applied_by, COUNT(*) FROM {Results} WHERE applied = @yes AND applied_by IS NOT NULL GROUP BY applied_by",
                ("yes", true)));
    }

    /// <summary>The runs still marked running (candidates for <see cref="RunLiveness"/>).</summary>
    public async Task<List<HistoryRun>> RunningAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {RunColumns} FROM {Runs} WHERE state = @state";
        Add(cmd, "state", RunStates.Running);
        return await ReadRunsAsync(cmd, ct);
    }

    async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var conn = target.Provider.CreateConnection(target.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>
    /// Opens on the calling thread, for a one-shot read the command waits on and nothing else: an async open hands each
    /// step of the handshake to a thread pool such a command has yet to start.
    /// </summary>
    DbConnection Open()
    {
        var conn = target.Provider.CreateConnection(target.ConnectionString);
        conn.Open();
        return conn;
    }

    /// <summary>
    /// <c>@scope</c> and <c>@inside</c> for "<c>= @scope OR LIKE @inside ESCAPE '!'</c>": the scope and what lies inside
    /// it, on whole name parts (scope 'sales' takes 'sales.customer', never 'sales_archive.x').
    /// </summary>
    static void AddScope(DbCommand cmd, string scope)
    {
        Add(cmd, "scope", scope);
        Add(cmd, "inside", Like(scope) + ".%");
    }

    /// <summary>Text matched literally by <c>LIKE … ESCAPE '!'</c>.</summary>
    static string Like(string text) => text.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_");

    static void Add(DbCommand cmd, string name, object? value) => Providers.HistoryProvider.AddParameter(cmd, "@" + name, value);

    static async Task<List<HistoryRun>> ReadRunsAsync(DbCommand cmd, CancellationToken ct)
    {
        var runs = new List<HistoryRun>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            runs.Add(new HistoryRun
            {
                RunId = r.GetString(0), Who = r.GetString(1), Host = Text(r, 2), ClientVersion = Text(r, 3), StartedAt = Time(r, 4)!.Value,
                FinishedAt = Time(r, 5), Scope = r.GetString(6), DbProfile = Text(r, 7), DbBackend = Text(r, 8), LlmProvider = Text(r, 9),
                LlmModel = Text(r, 10), State = r.GetString(11), OkCount = Convert.ToInt32(r.GetValue(12)), FailCount = Convert.ToInt32(r.GetValue(13)),
                AppliedAt = Time(r, 14), AppliedBy = Text(r, 15), MetadataJson = Text(r, 16), RunKind = Text(r, 17) ?? RunKinds.Draft,
                RevertedAt = Time(r, 18), RevertedBy = Text(r, 19),
            });
        return runs;
    }

    static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>Stored in UTC (docs/history-store.md); engines without a zone type hand them back unspecified.</summary>
    static DateTime? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc),
        DateTimeOffset o => o.UtcDateTime,
        _ => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc),
    };
}
