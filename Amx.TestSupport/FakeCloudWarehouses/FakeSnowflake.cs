using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>
/// A loopback fake of the Snowflake SQL API v2, written from Snowflake's API reference: <c>POST /api/v2/statements</c>
/// (JSON body with statement, database, warehouse, role, positional <c>bindings</c>), <c>GET
/// /api/v2/statements/{handle}[?partition=n]</c>, <c>POST …/cancel</c>; key-pair JWT checked against the user's public
/// key (RS256 signature, <c>ACCOUNT.USER.SHA256:fp</c> issuer, lifetime ≤ 1 h) or an OAuth token, with the
/// <c>X-Snowflake-Authorization-Token-Type</c> header; 202 + statementStatusUrl for statements still running;
/// results split into partitions (partitionInfo; later partitions carry data only); error bodies with code, message
/// and sqlState. It executes the statements amx sends (INFORMATION_SCHEMA reads, COMMENT ON, CURRENT_*()) against
/// an in-memory catalog; anything else is a SQL compilation error.
/// </summary>
public sealed class FakeSnowflake : FakeHttpServer
{
    readonly ConcurrentDictionary<string, Statement> _statements = new();
    readonly object _gate = new();

    public string Account { get; init; } = "FAKEACCT";
    public string User { get; init; } = "AMX_BOT";
    public string Database { get; init; } = "ANALYTICS";
    public string Version { get; init; } = "8.44.2";
    public RSA Key { get; } = RSA.Create(2048);
    public string PrivateKeyPem => Key.ExportPkcs8PrivateKeyPem();
    /// <summary>Accepted OAuth token (null: OAuth refused).</summary>
    public string? OAuthToken { get; set; }
    public int RowsPerPartition { get; set; } = 1000;
    /// <summary>How many 202 answers a statement gets before its result (each status poll uses one).</summary>
    public int AsyncPolls { get; set; }
    /// <summary>Tables (<c>SCHEMA.TABLE</c>) the role may read but not comment.</summary>
    public HashSet<string> ReadOnlyTables { get; } = new(StringComparer.Ordinal);
    public List<FakeCloudTable> Tables { get; } = [];
    /// <summary>
    /// Benchmarks only: answer a repeated read-only statement (same SQL and bindings) with the same handle and the
    /// same serialized partitions, so that the fake's own work drops out of the client's figure. Off in tests.
    /// </summary>
    public bool CacheAnswers { get; set; }
    readonly ConcurrentDictionary<string, Statement> _byText = new();
    readonly ConcurrentDictionary<(string, int), (int, byte[], IReadOnlyDictionary<string, string>?)> _pages = new();
    int _running, _maxRunning;
    /// <summary>The most statements that were still running (answered 202) at once: shows the client's concurrency.</summary>
    public int MaxRunningStatements => Volatile.Read(ref _maxRunning);

    void NoteRunning()
    {
        var now = Interlocked.Increment(ref _running);
        for (var max = Volatile.Read(ref _maxRunning); now > max && Interlocked.CompareExchange(ref _maxRunning, now, max) != max; max = Volatile.Read(ref _maxRunning)) { }
    }

    /// <summary>Statements received, in order (SQL text and bindings).</summary>
    public ConcurrentQueue<(string Sql, IReadOnlyList<string?> Bindings)> Statements { get; } = new();

    /// <summary>Where the history store's tables live when a test hosts the store on this fake (null: no store).</summary>
    public FakeStoreTables? StoreTables { get; set; }

    sealed class Statement(string handle, string[] columns, string[] types, List<string?[]> rows)
    {
        /// <summary>A DML statement's changed rows, sent as <c>stats</c> (Snowflake's numRowsInserted/Updated/Deleted).</summary>
        public (string Verb, long Rows)? Dml;
        public string Handle { get; } = handle;
        public string[] Columns { get; } = columns;
        public string[] Types { get; } = types;
        public List<string?[]> Rows { get; } = rows;
        public int PollsLeft;
        public bool Counted;
    }

    public FakeCloudTable? Find(string schema, string table) => Tables.FirstOrDefault(t => t.Schema == schema && t.Name == table);

    /// <summary>The profiling statements amx sends, in Snowflake's spelling (SnowflakeProfiler).</summary>
    public static readonly FakeProfilingSql.Dialect ProfilingDialect = new(
        "\"(?:[^\"]|\"\")+\"", q => q[1..^1].Replace("\"\"", "\""), "COUNT(*)",
        "COUNT({c})", "COUNT(DISTINCT LEFT(TO_VARCHAR({c}), 100))", "LEFT(TO_VARCHAR(MIN({c})), 100)", "LEFT(TO_VARCHAR(MAX({c})), 100)",
        "TO_JSON(ARRAY_SLICE(ARRAY_SORT(ARRAY_AGG(DISTINCT LEFT(TO_VARCHAR({c}), 100))), 0, 5))", "LEFT(TO_VARCHAR({c}), 100)",
        @" SAMPLE ROW \((?<n>\d+) ROWS\)");

    FakeProfilingSql Profiling => field ??= new FakeProfilingSql(ProfilingDialect, Find);

    protected override (int, byte[], IReadOnlyDictionary<string, string>?) Answer(FakeHttpRequest request)
    {
        if (Authenticate(request) is { } refused) return refused;
        var path = request.PathAndQuery.Split('?')[0];
        var query = request.PathAndQuery.Contains('?') ? request.PathAndQuery[(request.PathAndQuery.IndexOf('?') + 1)..] : "";
        if (request.Method == "POST" && path == "/api/v2/statements") return Submit(request);
        var m = Regex.Match(path, "^/api/v2/statements/([0-9a-f-]+)(/cancel)?$");
        if (m.Success && _statements.TryGetValue(m.Groups[1].Value, out var st))
        {
            if (m.Groups[2].Success) return Json(200, w => { w.WriteString("code", "000604"); w.WriteString("message", "successfully canceled"); });
            if (st.PollsLeft > 0) { st.PollsLeft--; return Running(st); }
            if (st.Counted) { st.Counted = false; Interlocked.Decrement(ref _running); }
            var partition = Regex.Match(query, @"(?:^|&)partition=(\d+)") is { Success: true } p ? int.Parse(p.Groups[1].Value) : 0;
            return Result(st, partition);
        }
        return Error(404, "000709", "Statement not found", "02000");
    }

    (int, byte[], IReadOnlyDictionary<string, string>?)? Authenticate(FakeHttpRequest r)
    {
        var auth = r.Headers.GetValueOrDefault("Authorization") ?? "";
        var type = r.Headers.GetValueOrDefault("X-Snowflake-Authorization-Token-Type");
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal)) return Error(401, "390101", "Authorization header not found.", null);
        var token = auth["Bearer ".Length..];
        if (type == "OAUTH")
            return OAuthToken is not null && token == OAuthToken ? null : Error(401, "390303", "Invalid OAuth access token. ", null);
        if (type != "KEYPAIR_JWT") return Error(401, "390101", "Unsupported authorization token type.", null);
        return CheckJwt(token) ? null : Error(401, "390144", "JWT token is invalid.", null);
    }

    bool CheckJwt(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3) return false;
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!Key.VerifyData(signed, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) return false;
        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "RS256") return false;
        using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
        var p = payload.RootElement;
        var fp = "SHA256:" + Convert.ToBase64String(SHA256.HashData(Key.ExportSubjectPublicKeyInfo()));
        var subject = $"{Account}.{User}";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = p.GetProperty("iat").GetInt64();
        var exp = p.GetProperty("exp").GetInt64();
        return p.GetProperty("iss").GetString() == $"{subject}.{fp}" && p.GetProperty("sub").GetString() == subject
            && exp > now && iat <= now + 60 && exp - iat <= 3600;
    }

    static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Submit(FakeHttpRequest request)
    {
        using var doc = JsonDocument.Parse(request.Body);
        var body = doc.RootElement;
        var sql = body.GetProperty("statement").GetString() ?? "";
        var bindings = new List<string?>();
        if (body.TryGetProperty("bindings", out var b))
            for (var i = 1; b.TryGetProperty(i.ToString(), out var v); i++)
                bindings.Add(v.GetProperty("value").ValueKind == JsonValueKind.Null ? null : v.GetProperty("value").GetString());
        Statements.Enqueue((sql, bindings));
        var database = body.TryGetProperty("database", out var d) ? d.GetString() : null;
        if (database != Database)
            return Error(422, "002003", $"SQL compilation error:\nDatabase '{database}' does not exist or not authorized.", "02000");
        Statement st;
        var key = sql + "\u0001" + string.Join("\u0001", bindings);
        if (CacheAnswers && !sql.StartsWith("COMMENT", StringComparison.Ordinal) && _byText.TryGetValue(key, out var cached)) st = cached;
        else
        {
            try
            {
                lock (_gate) st = Execute(sql.Trim(), bindings);
            }
            catch (SqlError e) { return Error(422, e.Code, e.Message, e.State); }
            if (CacheAnswers) _byText[key] = st;
        }
        _statements[st.Handle] = st;
        st.PollsLeft = AsyncPolls;
        if (st.PollsLeft > 0) { st.Counted = true; NoteRunning(); st.PollsLeft--; return Running(st); }
        return Result(st, 0);
    }

    sealed class SqlError(string code, string message, string state) : Exception(message)
    {
        public string Code { get; } = code;
        public string State { get; } = state;
    }

    static Statement Rows(string[] columns, string[] types, List<string?[]> rows) => new(Guid.NewGuid().ToString(), columns, types, rows);

    Statement Execute(string sql, List<string?> bindings)
    {
        if (StoreTables is not null && FakeStoreTables.IsStoreStatement(sql)) return ExecuteOnStore(sql, bindings);
        if (sql == "SELECT 1") return Rows(["1"], ["fixed"], [["1"]]);
        if (sql.StartsWith("SELECT CURRENT_VERSION()", StringComparison.Ordinal))
            return Rows(["CURRENT_VERSION()", "CURRENT_USER()", "CURRENT_ACCOUNT()", "CURRENT_ROLE()", "CURRENT_WAREHOUSE()", "CURRENT_DATABASE()"],
                ["text", "text", "text", "text", "text", "text"], [[Version, User, Account, "AMX_WRITER", "COMPUTE_WH", Database]]);
        if (sql == "SELECT CURRENT_ACCOUNT(), CURRENT_DATABASE()")
            return Rows(["CURRENT_ACCOUNT()", "CURRENT_DATABASE()"], ["text", "text"], [[Account, Database]]);
        var from = Regex.Match(sql, @"^SELECT (?<cols>.+?)\s+FROM INFORMATION_SCHEMA\.(?<view>TABLES|COLUMNS|VIEWS)\s+WHERE (?<where>.*)$", RegexOptions.Singleline);
        if (from.Success) return InformationSchema(from.Groups["view"].Value, from.Groups["cols"].Value.Split(',').Select(c => c.Trim()).ToArray(), from.Groups["where"].Value, bindings);
        if (sql.StartsWith("COMMENT ON ", StringComparison.Ordinal)) return Comment(sql);
        if (sql.StartsWith("SHOW ", StringComparison.Ordinal)) return ShowKeys(sql);
        if (sql.StartsWith("SELECT ", StringComparison.Ordinal))
        {
            FakeProfilingSql.Result? r;
            try { r = Profiling.TryEvaluate(sql); }
            catch (FakeProfilingException e)
            {
                throw e.Kind switch
                {
                    FakeProfilingError.MissingTable => new SqlError("002003", "SQL compilation error:\n" + e.Message, "02000"),
                    FakeProfilingError.MissingColumn => new SqlError("000904", "SQL compilation error: error line 1 at position 7\n" + e.Message, "42000"),
                    _ => new SqlError("001003", "SQL compilation error:\nsyntax error: " + e.Message, "42000"),
                };
            }
            if (r is not null) return Rows(r.Columns, r.Numeric.Select(n => n ? "fixed" : "text").ToArray(), r.Rows);
        }
        throw new SqlError("001003", $"SQL compilation error:\nsyntax error line 1 at position 0 unexpected '{sql.Split(' ')[0]}'.", "42000");
    }

    /// <summary>A store statement, run by <see cref="StoreTables"/>, answered in jsonv2's forms (TIMESTAMP_TZ: epoch seconds, offset minutes + 1440).</summary>
    Statement ExecuteOnStore(string sql, List<string?> bindings)
    {
        FakeStoreTables.Answer a;
        try { a = StoreTables!.Execute(sql, n => bindings[int.Parse(n) - 1]); }
        catch (FakeStoreTables.Failure e)
        {
            throw e.SqlState switch
            {
                "42P01" or "3F000" => new SqlError("002003", "SQL compilation error:\n" + e.Message + " (does not exist or not authorized)", "42S02"),
                "42501" => new SqlError("003001", "SQL access control error:\nInsufficient privileges: " + e.Message, "42501"),
                _ => new SqlError("001003", "SQL compilation error:\n" + e.Message, "42000"),
            };
        }
        if (!a.IsDml)
            return Rows(a.Columns.Select(c => c.ToUpperInvariant()).ToArray(), a.PgTypes.Select(StoreType).ToArray(),
                a.TextRows(d => FakeStoreTables.Epoch(d) + " 1440"));
        // DML answers with its counts as a one-row result, and in stats.
        var column = a.Verb switch { "UPDATE" => "number of rows updated", "DELETE" => "number of rows deleted", _ => "number of rows inserted" };
        var st = Rows([column], ["fixed"], [[a.RowsAffected.ToString()]]);
        st.Dml = (a.Verb, a.RowsAffected);
        return st;
    }

    /// <summary>Snowflake's rowType type names for PostgreSQL's.</summary>
    static string StoreType(string pg) => pg switch
    {
        "smallint" or "integer" or "bigint" or "numeric" => "fixed",
        "boolean" => "boolean",
        "timestamp with time zone" => "timestamp_tz",
        "timestamp without time zone" => "timestamp_ntz",
        _ => "text",
    };

    Statement InformationSchema(string view, string[] columns, string where, List<string?> bindings)
    {
        Func<string, string, bool> match;
        if (where.Contains(" IN (", StringComparison.Ordinal))
        {
            var names = bindings.Skip(1).ToHashSet();
            match = (s, t) => s == bindings[0] && names.Contains(t);
        }
        else if (where.Contains("COALESCE(?, TABLE_SCHEMA)", StringComparison.Ordinal) && bindings.Count == 2)
            match = (s, t) => (bindings[0] is null || s == bindings[0]) && (bindings[1] is null || t == bindings[1]);
        else throw new SqlError("002003", "SQL compilation error: the fake does not understand this WHERE clause", "42000");

        // Each requested column is a projection of (table, column, ordinal); a name the view lacks is an invalid identifier.
        var project = columns.Select(c => Projection(view, c)
            ?? throw new SqlError("000904", $"SQL compilation error: error line 1 at position 7\ninvalid identifier '{c}'", "42000")).ToArray();
        var rows = new List<string?[]>();
        foreach (var t in Tables.Where(t => match(t.Schema, t.Name)).OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal))
            switch (view)
            {
                case "TABLES": rows.Add(Row(project, t, null, 0)); break;
                case "VIEWS" when t.Type == "VIEW": rows.Add(Row(project, t, null, 0)); break;
                case "COLUMNS":
                    for (var i = 0; i < t.Columns.Count; i++) rows.Add(Row(project, t, t.Columns[i], i + 1));
                    break;
            }
        var types = columns.Select(c => c is "ROW_COUNT" or "ORDINAL_POSITION" ? "fixed" : "text").ToArray();
        return Rows(columns, types, rows);
    }

    static string?[] Row(Func<FakeCloudTable, FakeCloudColumn?, int, string?>[] project, FakeCloudTable t, FakeCloudColumn? c, int ordinal)
    {
        var row = new string?[project.Length];
        for (var i = 0; i < row.Length; i++) row[i] = project[i](t, c, ordinal);
        return row;
    }

    Func<FakeCloudTable, FakeCloudColumn?, int, string?>? Projection(string view, string column) => (view, column) switch
    {
        (_, "TABLE_CATALOG") => (_, _, _) => Database,
        (_, "TABLE_SCHEMA") => (t, _, _) => t.Schema,
        (_, "TABLE_NAME") => (t, _, _) => t.Name,
        ("TABLES", "TABLE_TYPE") => (t, _, _) => t.Type,
        ("TABLES", "COMMENT") => (t, _, _) => t.Comment,
        ("TABLES", "ROW_COUNT") => (t, _, _) => t.Type == "BASE TABLE" ? t.RowCount?.ToString() : null,
        ("VIEWS", "VIEW_DEFINITION") => (t, _, _) => t.ViewDefinition,
        ("COLUMNS", "COLUMN_NAME") => (_, c, _) => c!.Name,
        ("COLUMNS", "ORDINAL_POSITION") => (_, _, i) => i.ToString(),
        ("COLUMNS", "DATA_TYPE") => (_, c, _) => c!.DataType,
        ("COLUMNS", "IS_NULLABLE") => (_, c, _) => c!.Nullable ? "YES" : "NO",
        ("COLUMNS", "COLUMN_DEFAULT") => (_, c, _) => c!.Default,
        ("COLUMNS", "COMMENT") => (_, c, _) => c!.Comment,
        _ => null,
    };

    /// <summary>SHOW PRIMARY|UNIQUE|IMPORTED KEYS IN DATABASE | SCHEMA s | TABLE s.t, with SHOW's lower-case output columns.</summary>
    Statement ShowKeys(string sql)
    {
        var m = Regex.Match(sql, "^SHOW (PRIMARY|UNIQUE|IMPORTED) KEYS IN (DATABASE|SCHEMA|TABLE)(?: |$)");
        if (!m.Success) throw new SqlError("001003", $"SQL compilation error:\nsyntax error line 1 at position 5 unexpected '{sql[5..]}'.", "42000");
        var pos = m.Length;
        string? schema = null, table = null;
        if (m.Groups[2].Value != "DATABASE")
        {
            schema = ReadIdentifier(sql, ref pos);
            if (m.Groups[2].Value == "TABLE")
            {
                if (pos >= sql.Length || sql[pos] != '.') throw new SqlError("001003", "SQL compilation error: expected schema.table", "42000");
                pos++;
                table = ReadIdentifier(sql, ref pos);
            }
        }
        if (pos != sql.Length) throw new SqlError("001003", $"SQL compilation error:\nsyntax error line 1 at position {pos} unexpected '{sql[pos..]}'.", "42000");
        if (table is not null && Find(schema!, table) is not { Type: "BASE TABLE" })
            throw new SqlError("002003", $"SQL compilation error:\nTable '{Database}.{schema}.{table}' does not exist or not authorized.", "02000");
        if (schema is not null && Tables.All(t => t.Schema != schema))
            throw new SqlError("002003", $"SQL compilation error:\nSchema '{Database}.{schema}' does not exist or not authorized.", "02000");
        var tables = Tables.Where(t => t.Type == "BASE TABLE" && (schema is null || t.Schema == schema) && (table is null || t.Name == table))
            .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        const string created = "2026-01-01 00:00:00.000 -0800";
        var rows = new List<string?[]>();
        if (m.Groups[1].Value == "IMPORTED")
        {
            foreach (var t in tables)
                for (var k = 0; k < t.ForeignKeys.Count; k++)
                {
                    var fk = t.ForeignKeys[k];
                    for (var i = 0; i < fk.Columns.Count; i++)
                        rows.Add([created, Database, fk.ReferencedSchema, fk.ReferencedTable, fk.ReferencedColumns[i], Database, t.Schema, t.Name, fk.Columns[i],
                            (i + 1).ToString(), "NO ACTION", "NO ACTION", $"{t.Name}_FK{k + 1}", $"{fk.ReferencedTable}_PK", "NOT DEFERRABLE", "false", null]);
                }
            string[] cols = ["created_on", "pk_database_name", "pk_schema_name", "pk_table_name", "pk_column_name", "fk_database_name", "fk_schema_name",
                "fk_table_name", "fk_column_name", "key_sequence", "update_rule", "delete_rule", "fk_name", "pk_name", "deferrability", "rely", "comment"];
            return Rows(cols, cols.Select(c => c == "key_sequence" ? "fixed" : "text").ToArray(), rows);
        }
        foreach (var t in tables)
        {
            var keys = m.Groups[1].Value == "PRIMARY"
                ? (t.PrimaryKey.Count > 0 ? [(Name: $"{t.Name}_PK", Columns: t.PrimaryKey)] : [])
                : t.UniqueKeys.Select((u, i) => (Name: $"{t.Name}_UK{i + 1}", Columns: u)).ToList();
            foreach (var (name, columns) in keys)
                for (var i = 0; i < columns.Count; i++)
                    rows.Add([created, Database, t.Schema, t.Name, columns[i], (i + 1).ToString(), name, "false", null]);
        }
        string[] names = ["created_on", "database_name", "schema_name", "table_name", "column_name", "key_sequence", "constraint_name", "rely", "comment"];
        return Rows(names, names.Select(c => c == "key_sequence" ? "fixed" : "text").ToArray(), rows);
    }

    Statement Comment(string sql)
    {
        var m = Regex.Match(sql, @"^COMMENT ON (TABLE|VIEW|MATERIALIZED VIEW|COLUMN) ", RegexOptions.Singleline);
        if (!m.Success) throw new SqlError("001003", "SQL compilation error: syntax error in COMMENT", "42000");
        var kind = m.Groups[1].Value;
        var pos = m.Length;
        var names = new List<string>();
        while (true)
        {
            names.Add(ReadIdentifier(sql, ref pos));
            if (pos < sql.Length && sql[pos] == '.') { pos++; continue; }
            break;
        }
        if (!sql[pos..].StartsWith(" IS '", StringComparison.Ordinal)) throw new SqlError("001003", "SQL compilation error: syntax error: expected IS 'literal'", "42000");
        pos += 4;
        var text = ReadLiteral(sql, ref pos);
        if (pos != sql.Length) throw new SqlError("001003", $"SQL compilation error: syntax error line 1 at position {pos} unexpected '{sql[pos..]}'", "42000");
        var expected = kind == "COLUMN" ? 3 : 2;
        if (names.Count != expected) throw new SqlError("001003", $"SQL compilation error: expected a {expected}-part name", "42000");
        var table = Find(names[0], names[1]);
        var typeOk = table is not null && kind switch
        {
            "TABLE" => table.Type == "BASE TABLE",
            "VIEW" => table.Type == "VIEW",
            "MATERIALIZED VIEW" => table.Type == "MATERIALIZED VIEW",
            _ => true,
        };
        if (table is null || !typeOk)
            throw new SqlError("002003", $"SQL compilation error:\n{Cap(kind)} '{Database}.{names[0]}.{names[1]}' does not exist or not authorized.", "02000");
        if (ReadOnlyTables.Contains($"{table.Schema}.{table.Name}"))
            throw new SqlError("003001", $"SQL access control error:\nInsufficient privileges to operate on table '{table.Name}'", "42501");
        if (kind == "COLUMN")
        {
            var column = table.Columns.FirstOrDefault(c => c.Name == names[2])
                ?? throw new SqlError("000904", $"SQL compilation error: error line 1 at position 18\ninvalid identifier '{names[2]}'", "42000");
            column.Comment = text;
        }
        else table.Comment = text;
        return Rows(["status"], ["text"], [["Statement executed successfully."]]);
    }

    static string Cap(string kind) => kind == "COLUMN" ? "Table" : char.ToUpperInvariant(kind[0]) + kind[1..].ToLowerInvariant();

    static string ReadIdentifier(string sql, ref int pos)
    {
        if (sql[pos] != '"')
        {
            var start = pos;
            while (pos < sql.Length && (char.IsLetterOrDigit(sql[pos]) || sql[pos] is '_' or '$')) pos++;
            return sql[start..pos].ToUpperInvariant(); // unquoted identifiers are stored upper case
        }
        var sb = new StringBuilder();
        pos++;
        while (true)
        {
            if (sql[pos] == '"')
            {
                if (pos + 1 < sql.Length && sql[pos + 1] == '"') { sb.Append('"'); pos += 2; continue; }
                pos++;
                return sb.ToString();
            }
            sb.Append(sql[pos++]);
        }
    }

    /// <summary>A single-quoted literal as Snowflake reads it: '' is a quote, backslash sequences are escapes.</summary>
    static string ReadLiteral(string sql, ref int pos)
    {
        if (sql[pos] != '\'') throw new SqlError("001003", "SQL compilation error: expected a string literal", "42000");
        var sb = new StringBuilder();
        pos++;
        while (true)
        {
            if (pos >= sql.Length) throw new SqlError("001003", "SQL compilation error: unterminated string literal", "42000");
            var c = sql[pos];
            if (c == '\'')
            {
                if (pos + 1 < sql.Length && sql[pos + 1] == '\'') { sb.Append('\''); pos += 2; continue; }
                pos++;
                return sb.ToString();
            }
            if (c == '\\' && pos + 1 < sql.Length)
            {
                var e = sql[pos + 1];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', '0' => '\0', _ => e });
                pos += 2;
                continue;
            }
            sb.Append(c);
            pos++;
        }
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Running(Statement st) => Json(202, w =>
    {
        w.WriteString("code", "333334");
        w.WriteString("message", "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.");
        w.WriteString("statementHandle", st.Handle);
        w.WriteString("statementStatusUrl", $"/api/v2/statements/{st.Handle}");
    });

    (int, byte[], IReadOnlyDictionary<string, string>?) Result(Statement st, int partition) =>
        CacheAnswers ? _pages.GetOrAdd((st.Handle, partition), k => Build(st, k.Item2)) : Build(st, partition);

    (int, byte[], IReadOnlyDictionary<string, string>?) Build(Statement st, int partition)
    {
        var size = Math.Max(1, RowsPerPartition);
        var partitions = Math.Max(1, (st.Rows.Count + size - 1) / size);
        if (partition >= partitions) return Error(422, "000605", $"Partition {partition} does not exist.", "22023");
        return Json(200, w =>
        {
            if (partition == 0)
            {
                w.WriteStartObject("resultSetMetaData");
                w.WriteNumber("numRows", st.Rows.Count);
                w.WriteString("format", "jsonv2");
                w.WriteStartArray("partitionInfo");
                for (var p = 0; p < partitions; p++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("rowCount", Math.Min(size, st.Rows.Count - p * size));
                    w.WriteNumber("uncompressedSize", 1000);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("rowType");
                for (var i = 0; i < st.Columns.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("name", st.Columns[i]);
                    w.WriteString("database", Database);
                    w.WriteString("type", st.Types[i]);
                    if (st.Types[i] == "fixed") { w.WriteNumber("precision", 38); w.WriteNumber("scale", 0); }
                    w.WriteBoolean("nullable", true);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteStartArray("data");
            foreach (var row in st.Rows.Skip(partition * size).Take(size))
            {
                w.WriteStartArray();
                foreach (var cell in row) if (cell is null) w.WriteNullValue(); else w.WriteStringValue(cell);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            if (partition == 0 && st.Dml is { } dml)
            {
                w.WriteStartObject("stats");
                w.WriteNumber("numRowsInserted", dml.Verb is "INSERT" or "MERGE" ? dml.Rows : 0);
                w.WriteNumber("numRowsUpdated", dml.Verb == "UPDATE" ? dml.Rows : 0);
                w.WriteNumber("numRowsDeleted", dml.Verb == "DELETE" ? dml.Rows : 0);
                w.WriteNumber("numDmlDuplicates", 0);
                w.WriteEndObject();
            }
            if (partition == 0)
            {
                w.WriteString("code", "090001");
                w.WriteString("statementStatusUrl", $"/api/v2/statements/{st.Handle}?requestId={Guid.NewGuid()}");
                w.WriteString("requestId", Guid.NewGuid().ToString());
                w.WriteString("sqlState", "00000");
                w.WriteString("statementHandle", st.Handle);
                w.WriteString("message", "Statement executed successfully.");
                w.WriteNumber("createdOn", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
        });
    }

    static (int, byte[], IReadOnlyDictionary<string, string>?) Error(int status, string code, string message, string? state) => Json(status, w =>
    {
        w.WriteString("code", code);
        w.WriteString("message", message);
        if (state is not null) w.WriteString("sqlState", state);
        w.WriteString("statementHandle", Guid.NewGuid().ToString());
    });

    /// <summary>A rate-limit answer as Snowflake sends it (429, Retry-After in seconds).</summary>
    public static FakeHttpFault TooManyRequests(int retryAfterSeconds = 0) =>
        new(429, """{"code":"000000","message":"Too many requests. Please retry after a while."}""",
            new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString() });

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

    public override string ToString() => $"fake Snowflake at {BaseUrl}";
}
