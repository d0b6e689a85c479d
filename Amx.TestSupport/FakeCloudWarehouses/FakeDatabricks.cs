using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>
/// A loopback fake of the Databricks SQL Statement Execution API 2.0, written from its API reference:
/// <c>POST /api/2.0/sql/statements</c> (statement, warehouse_id, catalog, named <c>parameters</c> whose omitted value
/// is NULL, wait_timeout/on_wait_timeout, disposition, format), <c>GET /api/2.0/sql/statements/{id}</c> while PENDING
/// or RUNNING, <c>…/result/chunks/{n}</c>, <c>…/cancel</c>; Bearer token auth; EXTERNAL_LINKS results whose presigned
/// links are refused when they carry an Authorization header (as cloud storage does); FAILED statements with
/// status.error and sql_state; HTTP errors as <c>{"error_code", "message"}</c>. Statements run against the same kind
/// of in-memory catalog as <see cref="FakeSnowflake"/>. Databricks string literals: backslash escapes, and adjacent
/// literals ('a''b') are concatenated, so a doubled quote is not an escape.
/// </summary>
public sealed class FakeDatabricks : FakeHttpServer
{
    readonly ConcurrentDictionary<string, Statement> _statements = new();
    readonly object _gate = new();

    public string Token { get; init; } = "dapi-fake-token-0123456789abcdef";
    public string WarehouseId { get; init; } = "abc123def456";
    public string Catalog { get; init; } = "main";
    public string User { get; init; } = "amx@example.com";
    public int RowsPerChunk { get; set; } = 1000;
    /// <summary>How many PENDING/RUNNING answers a statement gets before it succeeds (the submission included).</summary>
    public int PendingPolls { get; set; }
    public HashSet<string> ReadOnlyTables { get; } = new(StringComparer.Ordinal);
    public List<FakeCloudTable> Tables { get; } = [];
    public ConcurrentQueue<(string Sql, IReadOnlyDictionary<string, string?> Parameters)> Statements { get; } = new();

    sealed class Statement(string id, string[] columns, string[] types, List<string?[]> rows)
    {
        public string Id { get; } = id;
        public string[] Columns { get; } = columns;
        public string[] Types { get; } = types;
        public List<string?[]> Rows { get; } = rows;
        public int PollsLeft;
        public (string Code, string Message, string State)? Failure;
    }

    public FakeCloudTable? Find(string schema, string table) => Tables.FirstOrDefault(t => t.Schema == schema && t.Name == table);

    /// <summary>The profiling statements amx sends, in Databricks' spelling (DatabricksProfiler).</summary>
    public static readonly FakeProfilingSql.Dialect ProfilingDialect = new(
        "`(?:[^`]|``)+`", q => q[1..^1].Replace("``", "`"), "COUNT(*)",
        "COUNT({c})", "COUNT(DISTINCT left(CAST({c} AS STRING), 100))", "left(CAST(min({c}) AS STRING), 100)", "left(CAST(max({c}) AS STRING), 100)",
        "to_json(slice(array_sort(collect_set(left(CAST({c} AS STRING), 100))), 1, 5))", "left(CAST({c} AS STRING), 100)",
        @" TABLESAMPLE \((?<n>\d+) ROWS\)");

    FakeProfilingSql Profiling => field ??= new FakeProfilingSql(ProfilingDialect, Find);

    protected override (int, byte[], IReadOnlyDictionary<string, string>?) Answer(FakeHttpRequest request)
    {
        var path = request.PathAndQuery.Split('?')[0];
        var storage = Regex.Match(path, "^/fake-storage/([0-9a-f-]+)/(\\d+)$");
        if (storage.Success) return Download(request, storage.Groups[1].Value, int.Parse(storage.Groups[2].Value));
        if (request.Headers.GetValueOrDefault("Authorization") != "Bearer " + Token)
            return HttpError(401, "UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API.");
        if (request.Method == "POST" && path == "/api/2.0/sql/statements") return Submit(request);
        var m = Regex.Match(path, "^/api/2.0/sql/statements/([0-9a-f-]+)(/cancel|/result/chunks/(\\d+))?$");
        if (!m.Success || !_statements.TryGetValue(m.Groups[1].Value, out var st))
            return HttpError(404, "NOT_FOUND", "The statement was not found.");
        if (m.Groups[2].Value == "/cancel") return Json(200, _ => { });
        if (m.Groups[3].Success) return Json(200, w => WriteLinks(w, st, int.Parse(m.Groups[3].Value)));
        return Status(st);
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Download(FakeHttpRequest request, string id, int chunk)
    {
        if (request.Headers.ContainsKey("Authorization"))
            return (400, Encoding.UTF8.GetBytes("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>"), null);
        if (!request.PathAndQuery.Contains("?sig=") || !_statements.TryGetValue(id, out var st))
            return (403, Encoding.UTF8.GetBytes("<Error><Code>AccessDenied</Code></Error>"), null);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            foreach (var row in st.Rows.Skip(chunk * RowsPerChunk).Take(RowsPerChunk))
            {
                w.WriteStartArray();
                foreach (var cell in row) if (cell is null) w.WriteNullValue(); else w.WriteStringValue(cell);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        return (200, ms.ToArray(), null);
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Submit(FakeHttpRequest request)
    {
        using var doc = JsonDocument.Parse(request.Body);
        var body = doc.RootElement;
        var sql = body.GetProperty("statement").GetString() ?? "";
        var parameters = new Dictionary<string, string?>();
        if (body.TryGetProperty("parameters", out var ps))
            foreach (var p in ps.EnumerateArray())
                parameters[p.GetProperty("name").GetString()!] = p.TryGetProperty("value", out var v) ? v.GetString() : null;
        Statements.Enqueue((sql, parameters));
        if (body.GetProperty("warehouse_id").GetString() != WarehouseId)
            return HttpError(404, "RESOURCE_DOES_NOT_EXIST", $"SQL warehouse {body.GetProperty("warehouse_id").GetString()} does not exist.");
        if (body.GetProperty("disposition").GetString() != "EXTERNAL_LINKS" || body.GetProperty("format").GetString() != "JSON_ARRAY")
            return HttpError(400, "INVALID_PARAMETER_VALUE", "the fake serves EXTERNAL_LINKS + JSON_ARRAY only");
        Statement st;
        lock (_gate)
        {
            try { st = Execute(body.TryGetProperty("catalog", out var c) ? c.GetString() : null, sql.Trim(), parameters); }
            catch (SqlError e) { st = new Statement(Guid.NewGuid().ToString(), [], [], []) { Failure = (e.Code, e.Message, e.State) }; }
        }
        st.PollsLeft = PendingPolls;
        _statements[st.Id] = st;
        return Status(st);
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Status(Statement st)
    {
        if (st.PollsLeft > 0)
        {
            st.PollsLeft--;
            return Json(200, w => { w.WriteString("statement_id", st.Id); w.WriteStartObject("status"); w.WriteString("state", st.PollsLeft % 2 == 0 ? "RUNNING" : "PENDING"); w.WriteEndObject(); });
        }
        if (st.Failure is var (code, message, state))
            return Json(200, w =>
            {
                w.WriteString("statement_id", st.Id);
                w.WriteStartObject("status");
                w.WriteString("state", "FAILED");
                w.WriteStartObject("error"); w.WriteString("error_code", code); w.WriteString("message", message); w.WriteEndObject();
                w.WriteString("sql_state", state);
                w.WriteEndObject();
            });
        var chunks = ChunkCount(st);
        return Json(200, w =>
        {
            w.WriteString("statement_id", st.Id);
            w.WriteStartObject("status"); w.WriteString("state", "SUCCEEDED"); w.WriteEndObject();
            w.WriteStartObject("manifest");
            w.WriteString("format", "JSON_ARRAY");
            w.WriteStartObject("schema");
            w.WriteNumber("column_count", st.Columns.Length);
            w.WriteStartArray("columns");
            for (var i = 0; i < st.Columns.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("name", st.Columns[i]); w.WriteString("type_text", st.Types[i]); w.WriteString("type_name", st.Types[i]); w.WriteNumber("position", i);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNumber("total_chunk_count", chunks);
            w.WriteNumber("total_row_count", st.Rows.Count);
            w.WriteBoolean("truncated", false);
            w.WriteEndObject();
            w.WriteStartObject("result");
            if (chunks > 0) WriteLinks(w, st, 0, inline: true);
            w.WriteEndObject();
        });
    }

    int ChunkCount(Statement st) => (st.Rows.Count + RowsPerChunk - 1) / RowsPerChunk;

    void WriteLinks(Utf8JsonWriter w, Statement st, int chunk, bool inline = false)
    {
        var chunks = ChunkCount(st);
        w.WriteStartArray("external_links");
        if (chunk < chunks)
        {
            w.WriteStartObject();
            w.WriteNumber("chunk_index", chunk);
            w.WriteNumber("row_offset", (long)chunk * RowsPerChunk);
            w.WriteNumber("row_count", Math.Min(RowsPerChunk, st.Rows.Count - chunk * RowsPerChunk));
            w.WriteString("external_link", $"{BaseUrl}/fake-storage/{st.Id}/{chunk}?sig={Guid.NewGuid():N}");
            w.WriteString("expiration", DateTimeOffset.UtcNow.AddMinutes(15).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
            if (chunk + 1 < chunks)
            {
                w.WriteNumber("next_chunk_index", chunk + 1);
                w.WriteString("next_chunk_internal_link", $"/api/2.0/sql/statements/{st.Id}/result/chunks/{chunk + 1}");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        _ = inline;
    }

    sealed class SqlError(string code, string message, string state) : Exception(message)
    {
        public string Code { get; } = code;
        public string State { get; } = state;
    }

    static Statement Rows(string[] columns, string[] types, List<string?[]> rows) => new(Guid.NewGuid().ToString(), columns, types, rows);

    /// <summary>Where the history store's tables live when a test hosts the store on this fake (null: no store).</summary>
    public FakeStoreTables? StoreTables { get; set; }

    /// <summary>How many of the next MERGEs on the store fail as a lost Delta commit race (DELTA_CONCURRENT_APPEND), before running.</summary>
    public int ConcurrentMergeFailures { get; set; }

    /// <summary>A store statement, run by <see cref="StoreTables"/>, answered as the API does (type names, ISO timestamps, DML counts as a row).</summary>
    Statement ExecuteOnStore(string sql, Dictionary<string, string?> parameters)
    {
        if (sql.StartsWith("MERGE", StringComparison.Ordinal) && ConcurrentMergeFailures > 0)
        {
            ConcurrentMergeFailures--;
            throw new SqlError("BAD_REQUEST", "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table by a concurrent update. Please try the operation again.", "2D521");
        }
        FakeStoreTables.Answer a;
        try { a = StoreTables!.Execute(sql, name => parameters.TryGetValue(name, out var v) ? v : throw new SqlError("BAD_REQUEST", $"[UNBOUND_SQL_PARAMETER] Found the unbound parameter: {name}.", "42P02")); }
        catch (FakeStoreTables.Failure e)
        {
            throw e.SqlState switch
            {
                "42P01" or "3F000" => new SqlError("BAD_REQUEST", $"[TABLE_OR_VIEW_NOT_FOUND] {e.Message}. SQLSTATE: 42P01", "42P01"),
                "42501" => new SqlError("BAD_REQUEST", $"[INSUFFICIENT_PERMISSIONS] Insufficient privileges: {e.Message}. SQLSTATE: 42501", "42501"),
                _ => new SqlError("BAD_REQUEST", $"[PARSE_SYNTAX_ERROR] {e.Message}. SQLSTATE: 42601", "42601"),
            };
        }
        if (a.IsDml)
            return a.Verb == "MERGE"
                ? Rows(["num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"], ["LONG", "LONG", "LONG", "LONG"],
                    [[a.RowsAffected.ToString(), "0", "0", a.RowsAffected.ToString()]])
                : Rows(["num_affected_rows"], ["LONG"], [[a.RowsAffected.ToString()]]);
        var types = a.PgTypes.Select(t => t switch
        {
            "smallint" or "integer" => "INT",
            "bigint" => "LONG",
            "numeric" => "DECIMAL",
            "boolean" => "BOOLEAN",
            "timestamp with time zone" => "TIMESTAMP",
            _ => "STRING",
        }).ToArray();
        return Rows(a.Columns, types, a.TextRows(d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)));
    }

    Statement Execute(string? catalog, string sql, Dictionary<string, string?> parameters)
    {
        if (catalog != Catalog)
            throw new SqlError("BAD_REQUEST", $"[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found.", "42704");
        if (StoreTables is not null && FakeStoreTables.IsStoreStatement(sql)) return ExecuteOnStore(sql, parameters);
        if (sql == "SELECT 1") return Rows(["1"], ["INT"], [["1"]]);
        if (sql == "SELECT version(), current_user(), current_catalog()")
            return Rows(["version()", "current_user()", "current_catalog()"], ["STRING", "STRING", "STRING"], [["3.5.0 (fake)", User, Catalog]]);
        if (sql == "SELECT current_metastore(), current_catalog()")
            return Rows(["current_metastore()", "current_catalog()"], ["STRING", "STRING"], [["aws:us-west-2:0f1e2d3c", Catalog]]);
        var from = Regex.Match(sql, @"^SELECT (?<cols>.+?)\s+FROM information_schema\.(?<view>tables|columns|views|key_column_usage|referential_constraints)\s+WHERE (?<where>.*)$", RegexOptions.Singleline);
        if (from.Success) return InformationSchema(from.Groups["view"].Value, from.Groups["cols"].Value.Split(',').Select(c => c.Trim()).ToArray(), from.Groups["where"].Value, parameters);
        if (sql.StartsWith("COMMENT ON ", StringComparison.Ordinal)) return Comment(sql);
        if (sql.StartsWith("SELECT ", StringComparison.Ordinal))
        {
            FakeProfilingSql.Result? r;
            try { r = Profiling.TryEvaluate(sql); }
            catch (FakeProfilingException e)
            {
                throw e.Kind switch
                {
                    FakeProfilingError.MissingTable => new SqlError("BAD_REQUEST", $"[TABLE_OR_VIEW_NOT_FOUND] {e.Message} SQLSTATE: 42P01", "42P01"),
                    FakeProfilingError.MissingColumn => new SqlError("BAD_REQUEST", $"[UNRESOLVED_COLUMN] {e.Message} SQLSTATE: 42703", "42703"),
                    _ => new SqlError("BAD_REQUEST", $"[PARSE_SYNTAX_ERROR] {e.Message} SQLSTATE: 42601", "42601"),
                };
            }
            if (r is not null) return Rows(r.Columns, r.Numeric.Select(n => n ? "LONG" : "STRING").ToArray(), r.Rows);
        }
        throw new SqlError("BAD_REQUEST", $"[PARSE_SYNTAX_ERROR] Syntax error at or near '{sql.Split(' ')[0]}'. SQLSTATE: 42601", "42601");
    }

    Statement InformationSchema(string view, string[] columns, string where, Dictionary<string, string?> p)
    {
        Func<string, string, bool> match;
        if (where.Contains(" IN (", StringComparison.Ordinal))
        {
            var names = p.Where(kv => kv.Key.StartsWith('t') && kv.Key != "table").Select(kv => kv.Value).ToHashSet();
            match = (s, t) => s == p["schema"] && names.Contains(t);
        }
        else if (where.Contains("COALESCE(:schema, table_schema)", StringComparison.Ordinal) && p.ContainsKey("schema") && p.ContainsKey("table"))
            match = (s, t) => (p["schema"] is null || s == p["schema"]) && (p["table"] is null || t == p["table"]);
        else if (view == "referential_constraints" && where == "constraint_schema = COALESCE(:schema, constraint_schema)" && p.ContainsKey("schema") && !p.ContainsKey("table"))
            match = (s, _) => p["schema"] is null || s == p["schema"]; // Unity Catalog keeps a constraint in its table's schema
        else throw new SqlError("BAD_REQUEST", "[UNBOUND_SQL_PARAMETER] the fake does not understand this WHERE clause", "42P02");

        var rows = new List<Dictionary<string, string?>>();
        foreach (var t in Tables.Where(t => match(t.Schema, t.Name)).OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            var common = new Dictionary<string, string?> { ["table_catalog"] = Catalog, ["table_schema"] = t.Schema, ["table_name"] = t.Name };
            switch (view)
            {
                case "tables": rows.Add(new(common) { ["table_type"] = t.Type, ["comment"] = t.Comment }); break;
                case "views" when t.Type == "VIEW": rows.Add(new(common) { ["view_definition"] = t.ViewDefinition }); break;
                case "key_column_usage" when t.Type != "VIEW":
                    for (var i = 0; i < t.PrimaryKey.Count; i++)
                        rows.Add(new(common)
                        {
                            ["constraint_catalog"] = Catalog, ["constraint_schema"] = t.Schema, ["constraint_name"] = $"{t.Name}_pk",
                            ["column_name"] = t.PrimaryKey[i], ["ordinal_position"] = (i + 1).ToString(), ["position_in_unique_constraint"] = null,
                        });
                    for (var k = 0; k < t.ForeignKeys.Count; k++)
                    {
                        var fk = t.ForeignKeys[k];
                        var parent = Find(fk.ReferencedSchema, fk.ReferencedTable) ?? throw new InvalidOperationException($"fake: no table {fk.ReferencedSchema}.{fk.ReferencedTable}");
                        for (var i = 0; i < fk.Columns.Count; i++)
                            rows.Add(new(common)
                            {
                                ["constraint_catalog"] = Catalog, ["constraint_schema"] = t.Schema, ["constraint_name"] = $"{t.Name}_fk{k + 1}",
                                ["column_name"] = fk.Columns[i], ["ordinal_position"] = (i + 1).ToString(),
                                ["position_in_unique_constraint"] = (parent.PrimaryKey.IndexOf(fk.ReferencedColumns[i]) + 1) is > 0 and var pos ? pos.ToString()
                                    : throw new InvalidOperationException("fake: a foreign key must reference its parent's primary key"),
                            });
                    }
                    break;
                case "referential_constraints" when t.Type != "VIEW":
                    for (var k = 0; k < t.ForeignKeys.Count; k++)
                        rows.Add(new()
                        {
                            ["constraint_catalog"] = Catalog, ["constraint_schema"] = t.Schema, ["constraint_name"] = $"{t.Name}_fk{k + 1}",
                            ["unique_constraint_catalog"] = Catalog, ["unique_constraint_schema"] = t.ForeignKeys[k].ReferencedSchema,
                            ["unique_constraint_name"] = $"{t.ForeignKeys[k].ReferencedTable}_pk", ["match_option"] = "FULL",
                            ["update_rule"] = "NO ACTION", ["delete_rule"] = "NO ACTION",
                        });
                    break;
                case "columns":
                    for (var i = 0; i < t.Columns.Count; i++)
                    {
                        var c = t.Columns[i];
                        rows.Add(new(common)
                        {
                            ["column_name"] = c.Name, ["ordinal_position"] = i.ToString(), ["data_type"] = c.DataType,
                            ["is_nullable"] = c.Nullable ? "YES" : "NO", ["column_default"] = c.Default, ["comment"] = c.Comment,
                        });
                    }
                    break;
            }
        }
        foreach (var c in columns)
            if (rows.Count > 0 && !rows[0].ContainsKey(c))
                throw new SqlError("BAD_REQUEST", $"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column with name `{c}` cannot be resolved.", "42703");
        var types = columns.Select(c => c is "ordinal_position" or "position_in_unique_constraint" ? "INT" : "STRING").ToArray();
        return Rows(columns, types, rows.Select(r => columns.Select(c => r.GetValueOrDefault(c)).ToArray()).ToList());
    }

    Statement Comment(string sql)
    {
        var m = Regex.Match(sql, "^COMMENT ON (TABLE|COLUMN) ");
        if (!m.Success) throw new SqlError("BAD_REQUEST", "[PARSE_SYNTAX_ERROR] Syntax error in COMMENT", "42601");
        var kind = m.Groups[1].Value;
        var pos = m.Length;
        var names = new List<string>();
        while (true)
        {
            names.Add(ReadIdentifier(sql, ref pos));
            if (pos < sql.Length && sql[pos] == '.') { pos++; continue; }
            break;
        }
        string? text;
        if (sql[pos..] == " IS NULL") { text = null; pos = sql.Length; }
        else if (sql[pos..].StartsWith(" IS '", StringComparison.Ordinal)) { pos += 4; text = ReadLiterals(sql, ref pos); }
        else throw new SqlError("BAD_REQUEST", "[PARSE_SYNTAX_ERROR] Syntax error: expected IS 'comment' or IS NULL", "42601");
        if (pos != sql.Length) throw new SqlError("BAD_REQUEST", $"[PARSE_SYNTAX_ERROR] Syntax error at or near '{sql[pos..]}'", "42601");
        if (names.Count != (kind == "COLUMN" ? 3 : 2)) throw new SqlError("BAD_REQUEST", "[PARSE_SYNTAX_ERROR] wrong name", "42601");
        var table = Find(names[0], names[1])
            ?? throw new SqlError("BAD_REQUEST", $"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{Catalog}`.`{names[0]}`.`{names[1]}` cannot be found. SQLSTATE: 42P01", "42P01");
        if (ReadOnlyTables.Contains($"{table.Schema}.{table.Name}"))
            throw new SqlError("BAD_REQUEST", $"[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have MODIFY on Table '{Catalog}.{table.Schema}.{table.Name}'. SQLSTATE: 42501", "42501");
        if (kind == "COLUMN")
        {
            var column = table.Columns.FirstOrDefault(c => c.Name == names[2])
                ?? throw new SqlError("BAD_REQUEST", $"[UNRESOLVED_COLUMN] A column with name `{names[2]}` cannot be resolved. SQLSTATE: 42703", "42703");
            column.Comment = text;
        }
        else table.Comment = text;
        return Rows([], [], []);
    }

    static string ReadIdentifier(string sql, ref int pos)
    {
        if (sql[pos] != '`')
        {
            var start = pos;
            while (pos < sql.Length && (char.IsLetterOrDigit(sql[pos]) || sql[pos] == '_')) pos++;
            return sql[start..pos].ToLowerInvariant(); // Unity Catalog names are stored lower case
        }
        var sb = new StringBuilder();
        pos++;
        while (true)
        {
            if (sql[pos] == '`')
            {
                if (pos + 1 < sql.Length && sql[pos + 1] == '`') { sb.Append('`'); pos += 2; continue; }
                pos++;
                return sb.ToString();
            }
            sb.Append(sql[pos++]);
        }
    }

    /// <summary>One or more adjacent literals, concatenated; backslash escapes inside.</summary>
    static string ReadLiterals(string sql, ref int pos)
    {
        var sb = new StringBuilder();
        while (pos < sql.Length && sql[pos] == '\'')
        {
            pos++;
            while (true)
            {
                if (pos >= sql.Length) throw new SqlError("BAD_REQUEST", "[PARSE_SYNTAX_ERROR] unterminated string literal", "42601");
                var c = sql[pos];
                if (c == '\'') { pos++; break; }
                if (c == '\\' && pos + 1 < sql.Length)
                {
                    var e = sql[pos + 1];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                    pos += 2;
                    continue;
                }
                sb.Append(c);
                pos++;
            }
            var save = pos;
            while (pos < sql.Length && sql[pos] == ' ') pos++;
            if (pos >= sql.Length || sql[pos] != '\'') { pos = save; break; }
        }
        return sb.ToString();
    }

    static (int, byte[], IReadOnlyDictionary<string, string>?) HttpError(int status, string code, string message) =>
        Json(status, w => { w.WriteString("error_code", code); w.WriteString("message", message); });

    /// <summary>A rate-limit answer as the Databricks REST APIs send it.</summary>
    public static FakeHttpFault TooManyRequests() =>
        new(429, """{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = "0" });

    static (int, byte[], IReadOnlyDictionary<string, string>?) Json(int status, Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return (status, ms.ToArray(), null);
    }
}
