using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amx.TestSupport.FakeCloudWarehouses;

/// <summary>A key of the fake's catalog (BigQuery keys are NOT ENFORCED): PRIMARY KEY, or FOREIGN KEY with its references.</summary>
public sealed record FakeBigQueryKey(string Schema, string Table, string Name, string Type, string[] Columns, string? RefTable = null, string[]? RefColumns = null);

/// <summary>
/// A loopback fake of the BigQuery REST API v2 and Google's OAuth token endpoint, written from their references:
/// <c>POST /token</c> (JWT-bearer grant; the assertion's RS256 signature is verified against the service account's
/// public key, and iss/aud/scope/iat/exp checked), Bearer tokens it issued (or a preset OAuth token) on every API
/// call, <c>POST /bigquery/v2/projects/{p}/queries</c> (jobs.query: useLegacySql must be false, NAMED
/// queryParameters, maxResults, location, requestId), <c>GET …/queries/{jobId}</c> (jobs.getQueryResults:
/// jobComplete=false for <see cref="PendingPolls"/> answers, then rows page by page with pageToken),
/// <c>POST …/jobs/{jobId}/cancel</c>, and Google's error body <c>{"error":{code,message,errors[],status}}</c>.
/// Statements: the INFORMATION_SCHEMA reads amx sends (a small evaluator of SELECT … FROM view [LEFT] JOIN view ON
/// equalities WHERE conjunctions ORDER BY positions; TABLE_STORAGE row counts with a region qualifier only),
/// <c>ALTER … SET OPTIONS (description = …)</c> with GoogleSQL literal rules (quotes, triple quotes, raw strings,
/// every escape; a raw newline only inside triple quotes), and the profiling statements of BigQueryProfiler
/// (<see cref="FakeProfilingSql"/> with GoogleSQL's spelling and type checks). Bytes billed per job
/// (<see cref="LogicalBytes"/>) are checked against the request's <c>maximumBytesBilled</c>.
/// </summary>
public sealed class FakeBigQuery : FakeHttpServer
{
    readonly RSA _key = RSA.Create(2048);
    readonly ConcurrentDictionary<string, Job> _jobs = new();
    readonly ConcurrentDictionary<string, Job> _byRequestId = new();
    readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new();
    readonly object _gate = new();

    public string Project { get; init; } = "amx-demo-project";
    public string Location { get; init; } = "US";
    public string ServiceAccountEmail { get; init; } = "amx-bot@amx-demo-project.iam.gserviceaccount.com";
    public string PrivateKeyId { get; } = Guid.NewGuid().ToString("N");
    /// <summary>An access token accepted as is (<c>--auth oauth</c>).</summary>
    public string OAuthToken { get; init; } = "ya29.fake-oauth-token-0123456789abcdef";
    public int TokenLifetimeSeconds { get; set; } = 3599;
    public int TokenRequests;
    public int RowsPerPage { get; set; } = 1000;
    /// <summary>How many jobComplete=false answers a query gets before its rows (the jobs.query answer included).</summary>
    public int PendingPolls { get; set; }
    public HashSet<string> ReadOnlyTables { get; } = new(StringComparer.Ordinal);
    /// <summary>Answer TABLE_STORAGE with 403 accessDenied (an account without project-level table permissions).</summary>
    public bool DenyTableStorage { get; set; }
    public List<FakeCloudTable> Tables { get; } = [];
    public List<FakeBigQueryKey> Keys { get; } = [];
    public ConcurrentQueue<(string Sql, IReadOnlyDictionary<string, string?> Parameters)> Statements { get; } = new();
    public IReadOnlyCollection<string> IssuedTokens => _issued.Keys.ToList();

    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();
    public string TokenUrl => BaseUrl + "/token";

    /// <summary>The service-account key file as the Cloud console downloads it (token_uri pointing at this fake).</summary>
    public string KeyJson(string? tokenUri = null) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account", ["project_id"] = Project, ["private_key_id"] = PrivateKeyId, ["private_key"] = PrivateKeyPem,
        ["client_email"] = ServiceAccountEmail, ["client_id"] = "103456789012345678901", ["token_uri"] = tokenUri ?? TokenUrl,
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
    });

    public FakeCloudTable? Find(string schema, string table) => Tables.FirstOrDefault(t => t.Schema == schema && t.Name == table);

    /// <summary>
    /// Bytes a full read of a table (or of what a view reads) bills, by "dataset.table"; a block sample
    /// (<c>TABLESAMPLE SYSTEM (p PERCENT)</c>) bills p % of it. Every job bills at least 10 MiB (on-demand minimum).
    /// A job whose bill would pass the request's <c>maximumBytesBilled</c> fails with <c>bytesBilledLimitExceeded</c>.
    /// </summary>
    public Dictionary<string, long> LogicalBytes { get; } = new(StringComparer.Ordinal);
    public const long MinimumBilledBytes = 10L * 1024 * 1024;

    /// <summary>The profiling statements amx sends, in GoogleSQL's spelling (BigQueryProfiler).</summary>
    public static readonly FakeProfilingSql.Dialect ProfilingDialect = new(
        @"`(?:[^`\\]|\\.)+`", q => Unescape(q[1..^1]), "COUNT(*)",
        "COUNT({c})", "COUNT(DISTINCT SUBSTR(CAST({c} AS STRING), 1, 100))", "SUBSTR(CAST(MIN({c}) AS STRING), 1, 100)", "SUBSTR(CAST(MAX({c}) AS STRING), 1, 100)",
        "TO_JSON_STRING(ARRAY_AGG(DISTINCT SUBSTR(CAST({c} AS STRING), 1, 100) IGNORE NULLS ORDER BY SUBSTR(CAST({c} AS STRING), 1, 100) LIMIT 5))",
        "SUBSTR(CAST({c} AS STRING), 1, 100)",
        @" TABLESAMPLE SYSTEM \((?<p>\d+(?:\.\d+)?) PERCENT\) LIMIT (?<n>\d+)",
        ["SUBSTR(TO_JSON_STRING({c}), 1, 100)"], TypeError);

    static readonly HashSet<string> Castable = ["INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64", "STRING", "BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP", "INTERVAL"];
    static readonly HashSet<string> Orderable = ["INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64", "STRING", "BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP"];

    /// <summary>GoogleSQL's refusals: CAST(… AS STRING) of an ARRAY/STRUCT/JSON/GEOGRAPHY/BYTES column, MIN/MAX of an unorderable one.</summary>
    static string? TypeError(FakeCloudColumn c, string item)
    {
        var type = Regex.Match(c.DataType, @"^[A-Za-z0-9_]+").Value.ToUpperInvariant();
        if (!Castable.Contains(type) && item.Contains("CAST(s.", StringComparison.Ordinal))
            return $"Invalid cast from {c.DataType} to STRING at [1:8]";
        if (!Orderable.Contains(type) && (item.Contains("MIN(", StringComparison.Ordinal) || item.Contains("MAX(", StringComparison.Ordinal)))
            return $"MIN/MAX is not defined for arguments of type {c.DataType} at [1:8]";
        return null;
    }

    FakeProfilingSql Profiling => field ??= new FakeProfilingSql(ProfilingDialect, Find);

    static readonly Regex TableRead = new(@"FROM `(?<s>(?:[^`\\]|\\.)+)`\.`(?<t>(?:[^`\\]|\\.)+)`(?: TABLESAMPLE SYSTEM \((?<p>[\d.]+) PERCENT\))?", RegexOptions.Compiled);

    /// <summary>What a statement bills: each table it reads (once, at its largest share), at least 10 MiB.</summary>
    long BilledBytes(string sql)
    {
        if (sql.StartsWith("SELECT COUNT(*) FROM (SELECT 1 FROM ", StringComparison.Ordinal)) return MinimumBilledBytes; // reads no column
        double scanned = 0;
        foreach (var g in TableRead.Matches(sql).GroupBy(m => Unescape(m.Groups["s"].Value) + "." + Unescape(m.Groups["t"].Value)))
            if (LogicalBytes.TryGetValue(g.Key, out var bytes))
                scanned += g.Max(m => m.Groups["p"].Success ? bytes * double.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture) / 100 : bytes);
        return Math.Max(MinimumBilledBytes, (long)Math.Ceiling(scanned));
    }

    sealed class Job(string id, string location, string[] columns, string[] types, List<string?[]> rows)
    {
        public string Id { get; } = id;
        public string Location { get; } = location;
        public string[] Columns { get; } = columns;
        public string[] Types { get; } = types;
        public List<string?[]> Rows { get; } = rows;
        public int PollsLeft;
        public int PageSize;
        public bool Cancelled;
        public long? DmlRows { get; init; }
        public long BilledBytes;
    }

    sealed class BqError(int status, string reason, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Reason { get; } = reason;
    }

    static BqError Invalid(string message) => new(400, "invalidQuery", message);

    protected override (int, byte[], IReadOnlyDictionary<string, string>?) Answer(FakeHttpRequest request)
    {
        var path = request.PathAndQuery.Split('?')[0];
        var query = QueryString(request.PathAndQuery);
        if (request.Method == "POST" && path == "/token") return Token(request);
        var auth = request.Headers.GetValueOrDefault("Authorization") ?? "";
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        if (token is null || !(token == OAuthToken || (_issued.TryGetValue(token, out var exp) && exp > DateTimeOffset.UtcNow)))
            return Error(401, "required", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "UNAUTHENTICATED");
        var m = Regex.Match(path, "^/bigquery/v2/projects/([^/]+)/(queries|jobs)(?:/([^/]+))?(/cancel)?$");
        if (!m.Success) return Error(404, "notFound", $"Not found: URL {path}", "NOT_FOUND");
        var project = Uri.UnescapeDataString(m.Groups[1].Value);
        if (project != Project) return Error(404, "notFound", $"Not found: Project {project}", "NOT_FOUND");
        try
        {
            if (request.Method == "POST" && m.Groups[2].Value == "queries" && !m.Groups[3].Success) return Submit(request);
            var jobId = Uri.UnescapeDataString(m.Groups[3].Value);
            if (!_jobs.TryGetValue(jobId, out var job)) return Error(404, "notFound", $"Not found: Job {Project}:{Location}.{jobId}", "NOT_FOUND");
            if (query.TryGetValue("location", out var loc) && !string.Equals(loc, job.Location, StringComparison.OrdinalIgnoreCase))
                return Error(404, "notFound", $"Not found: Job {Project}:{loc}.{jobId}", "NOT_FOUND");
            if (request.Method == "POST" && m.Groups[4].Success)
            {
                job.Cancelled = true;
                return Json(200, w => { w.WriteString("kind", "bigquery#jobCancelResponse"); w.WriteStartObject("job"); WriteJobReference(w, job); w.WriteEndObject(); });
            }
            if (request.Method == "GET" && m.Groups[2].Value == "queries")
            {
                var offset = query.TryGetValue("pageToken", out var pt) ? DecodePageToken(pt, job) : 0;
                if (query.TryGetValue("maxResults", out var mr)) job.PageSize = Math.Min(RowsPerPage, int.Parse(mr, CultureInfo.InvariantCulture));
                return Results(job, offset, "bigquery#getQueryResultsResponse");
            }
            return Error(404, "notFound", $"Not found: URL {path}", "NOT_FOUND");
        }
        catch (BqError e) { return Error(e.Status, e.Reason, e.Message, e.Status switch { 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", _ => "INVALID_ARGUMENT" }); }
    }

    static Dictionary<string, string> QueryString(string pathAndQuery)
    {
        var q = pathAndQuery.Contains('?') ? pathAndQuery[(pathAndQuery.IndexOf('?') + 1)..] : "";
        return q.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");
    }

    // ---- OAuth token endpoint -------------------------------------------------------------------------------

    (int, byte[], IReadOnlyDictionary<string, string>?) Token(FakeHttpRequest request)
    {
        Interlocked.Increment(ref TokenRequests);
        var form = request.Body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
        (int, byte[], IReadOnlyDictionary<string, string>?) Fail(string error, string description) =>
            Json(400, w => { w.WriteString("error", error); w.WriteString("error_description", description); });
        if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
            return Fail("unsupported_grant_type", $"Invalid grant_type: {form.GetValueOrDefault("grant_type")}");
        var parts = form.GetValueOrDefault("assertion", "").Split('.');
        if (parts.Length != 3) return Fail("invalid_grant", "Invalid JWT: not three segments.");
        JsonElement header, claims;
        try
        {
            header = JsonDocument.Parse(FromBase64Url(parts[0])).RootElement;
            claims = JsonDocument.Parse(FromBase64Url(parts[1])).RootElement;
        }
        catch (Exception e) when (e is FormatException or JsonException) { return Fail("invalid_grant", "Invalid JWT: malformed."); }
        if (header.GetProperty("alg").GetString() != "RS256") return Fail("invalid_grant", "Invalid JWT: alg must be RS256.");
        if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return Fail("invalid_grant", "Invalid JWT Signature.");
        string? Claim(string n) => claims.TryGetProperty(n, out var v) ? v.ToString() : null;
        if (Claim("iss") != ServiceAccountEmail) return Fail("invalid_grant", "Invalid grant: account not found");
        if (Claim("aud") != TokenUrl) return Fail("invalid_grant", "Invalid JWT: Failed audience check.");
        if (Claim("scope")?.Split(' ').Contains("https://www.googleapis.com/auth/bigquery") != true) return Fail("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = claims.GetProperty("iat").GetInt64();
        var exp = claims.GetProperty("exp").GetInt64();
        if (iat > now + 60 || exp <= now || exp - iat > 3600)
            return Fail("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        var token = "ya29.c.fake-" + Guid.NewGuid().ToString("N");
        _issued[token] = DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds);
        return Json(200, w => { w.WriteString("access_token", token); w.WriteNumber("expires_in", TokenLifetimeSeconds); w.WriteString("token_type", "Bearer"); });
    }

    static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - b.Length % 4) % 4));
    }

    // ---- jobs.query / jobs.getQueryResults --------------------------------------------------------------------

    (int, byte[], IReadOnlyDictionary<string, string>?) Submit(FakeHttpRequest request)
    {
        using var doc = JsonDocument.Parse(request.Body);
        var body = doc.RootElement;
        if (!body.TryGetProperty("useLegacySql", out var legacy) || legacy.ValueKind != JsonValueKind.False)
            throw Invalid("Syntax error: the fake runs GoogleSQL only (set useLegacySql to false; jobs.query defaults to legacy SQL)");
        var sql = body.GetProperty("query").GetString() ?? "";
        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (body.TryGetProperty("queryParameters", out var ps))
        {
            if (body.Str("parameterMode") != "NAMED") throw Invalid("Query parameters need parameterMode NAMED or POSITIONAL");
            foreach (var p in ps.EnumerateArray())
            {
                var type = p.GetProperty("parameterType").GetProperty("type").GetString();
                var value = p.TryGetProperty("parameterValue", out var pv) && pv.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                // Each value must read as its declared type, as BigQuery checks it.
                var readable = value is null || type switch
                {
                    "STRING" => true,
                    "INT64" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                    "BOOL" => value is "true" or "false",
                    "TIMESTAMP" => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                    _ => throw Invalid($"the fake binds STRING, INT64, BOOL and TIMESTAMP parameters, not {type}"),
                };
                if (!readable) throw Invalid($"Invalid {type} value for query parameter {p.GetProperty("name").GetString()}: {value}");
                parameters[p.GetProperty("name").GetString()!] = value;
            }
        }
        var location = body.Str("location") ?? Location;
        if (!string.Equals(location, Location, StringComparison.OrdinalIgnoreCase))
            throw new BqError(404, "notFound", $"Not found: Dataset {Project}:{body.Str("defaultDataset")} was not found in location {location}");
        var requestId = body.Str("requestId");
        if (requestId is not null && _byRequestId.TryGetValue(requestId, out var again)) return Results(again, 0, "bigquery#queryResponse");
        Statements.Enqueue((sql, parameters));
        var billed = BilledBytes(sql);
        if (body.Str("maximumBytesBilled") is { } maxText)
        {
            if (body.GetProperty("maximumBytesBilled").ValueKind != JsonValueKind.String || !long.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var max))
                throw new BqError(400, "invalid", $"Invalid value for maximumBytesBilled: {maxText} (an int64 as a JSON string)");
            if (billed > max)
                throw new BqError(400, "bytesBilledLimitExceeded", $"Query exceeded limit for bytes billed: {max}. {billed} or higher required.");
        }
        Job job;
        lock (_gate) job = Execute(sql.Trim(), parameters, location);
        job.PollsLeft = PendingPolls;
        job.BilledBytes = billed;
        job.PageSize = Math.Min(RowsPerPage, body.TryGetProperty("maxResults", out var mr) ? mr.GetInt32() : int.MaxValue);
        _jobs[job.Id] = job;
        if (requestId is not null) _byRequestId[requestId] = job;
        return Results(job, 0, "bigquery#queryResponse");
    }

    static string PageToken(Job job, int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{job.Id}:{offset}"));

    static int DecodePageToken(string token, Job job)
    {
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var colon = text.LastIndexOf(':');
        if (colon < 0 || text[..colon] != job.Id) throw new BqError(400, "invalid", "Invalid page token.");
        return int.Parse(text[(colon + 1)..], CultureInfo.InvariantCulture);
    }

    void WriteJobReference(Utf8JsonWriter w, Job job)
    {
        w.WriteStartObject("jobReference");
        w.WriteString("projectId", Project); w.WriteString("jobId", job.Id); w.WriteString("location", job.Location);
        w.WriteEndObject();
    }

    (int, byte[], IReadOnlyDictionary<string, string>?) Results(Job job, int offset, string kind)
    {
        if (job.Cancelled) throw new BqError(400, "stopped", $"Job {Project}:{job.Location}.{job.Id} was cancelled: Job cancel was requested.");
        if (job.PollsLeft > 0)
        {
            job.PollsLeft--;
            return Json(200, w => { w.WriteString("kind", kind); WriteJobReference(w, job); w.WriteBoolean("jobComplete", false); });
        }
        return Json(200, w =>
        {
            w.WriteString("kind", kind);
            WriteJobReference(w, job);
            w.WriteBoolean("jobComplete", true);
            w.WriteBoolean("cacheHit", false);
            w.WriteString("totalBytesProcessed", job.BilledBytes.ToString(CultureInfo.InvariantCulture));
            if (job.DmlRows is { } n) w.WriteString("numDmlAffectedRows", n.ToString(CultureInfo.InvariantCulture));
            if (job.Columns.Length == 0) return;
            w.WriteStartObject("schema");
            w.WriteStartArray("fields");
            for (var i = 0; i < job.Columns.Length; i++)
            {
                w.WriteStartObject(); w.WriteString("name", job.Columns[i]); w.WriteString("type", job.Types[i]); w.WriteString("mode", "NULLABLE"); w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("totalRows", job.Rows.Count.ToString(CultureInfo.InvariantCulture));
            var size = Math.Max(1, job.PageSize);
            w.WriteStartArray("rows");
            foreach (var row in job.Rows.Skip(offset).Take(size))
            {
                w.WriteStartObject();
                w.WriteStartArray("f");
                foreach (var cell in row)
                {
                    w.WriteStartObject();
                    if (cell is null) w.WriteNull("v"); else w.WriteString("v", cell);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (offset + size < job.Rows.Count) w.WriteString("pageToken", PageToken(job, offset + size));
        });
    }

    /// <summary>Where the history store's tables live when a test hosts the store on this fake (null: no store).</summary>
    public FakeStoreTables? StoreTables { get; set; }

    /// <summary>A store statement, run by <see cref="StoreTables"/>, answered as jobs.query does (legacy type names, float-second timestamps).</summary>
    Job ExecuteOnStore(string sql, Dictionary<string, string?> p, string location)
    {
        FakeStoreTables.Answer a;
        try { a = StoreTables!.Execute(sql, name => p.TryGetValue(name, out var v) ? v : throw Invalid($"Query parameter '{name}' not found")); }
        catch (FakeStoreTables.Failure e)
        {
            throw e.SqlState switch
            {
                "42P01" or "3F000" => new BqError(404, "notFound", $"Not found: {e.Message}"),
                "42501" => new BqError(403, "accessDenied", $"Access Denied: {e.Message}"),
                _ => Invalid(e.Message),
            };
        }
        if (a.IsDml) return new Job(Guid.NewGuid().ToString("N"), location, [], [], []) { DmlRows = a.RowsAffected };
        var types = a.PgTypes.Select(t => t switch
        {
            "smallint" or "integer" or "bigint" => "INTEGER",
            "numeric" => "NUMERIC",
            "boolean" => "BOOLEAN",
            "timestamp with time zone" => "TIMESTAMP",
            _ => "STRING",
        }).ToArray();
        // TIMESTAMP values as float seconds since the epoch, as the REST API sends them.
        var rows = a.TextRows(d => double.Parse(FakeStoreTables.Epoch(d), CultureInfo.InvariantCulture).ToString("0.################E0", CultureInfo.InvariantCulture));
        return new Job(Guid.NewGuid().ToString("N"), location, a.Columns, types, rows);
    }

    Job Execute(string sql, Dictionary<string, string?> p, string location)
    {
        if (StoreTables is not null && FakeStoreTables.IsStoreStatement(sql)) return ExecuteOnStore(sql, p, location);
        Job Rows(string[] cols, string[] types, List<string?[]> rows) => new(Guid.NewGuid().ToString("N"), location, cols, types, rows);
        // Every @name a query uses must be bound (@@system variables are not parameters). ALTER statements carry
        // their text as a literal, which may hold '@'.
        if (sql.StartsWith("SELECT ", StringComparison.Ordinal))
            foreach (Match used in Regex.Matches(sql, @"(?<![@\w])@(\w+)"))
                if (!p.ContainsKey(used.Groups[1].Value)) throw Invalid($"Query parameter '{used.Groups[1].Value}' not found at [1:{used.Index + 1}]");
        if (sql == "SELECT 1") return Rows(["f0_"], ["INTEGER"], [["1"]]);
        if (sql == "SELECT SESSION_USER(), @@project_id") return Rows(["f0_", "f1_"], ["STRING", "STRING"], [[ServiceAccountEmail, Project]]);
        if (sql == "SELECT @@project_id") return Rows(["f0_"], ["STRING"], [[Project]]);
        if (sql.StartsWith("SELECT ", StringComparison.Ordinal) && sql.Contains(".INFORMATION_SCHEMA.", StringComparison.Ordinal))
        {
            var (cols, types, rows) = InformationSchema(sql, p);
            return Rows(cols, types, rows);
        }
        if (sql.StartsWith("ALTER ", StringComparison.Ordinal))
        {
            Alter(sql);
            return Rows([], [], []);
        }
        if (sql.StartsWith("SELECT ", StringComparison.Ordinal))
        {
            FakeProfilingSql.Result? r;
            try { r = Profiling.TryEvaluate(sql); }
            catch (FakeProfilingException e)
            {
                throw e.Kind switch
                {
                    FakeProfilingError.MissingTable => new BqError(404, "notFound", $"Not found: Table {Project}:{e.Message}"),
                    FakeProfilingError.MissingColumn => Invalid($"Unrecognized name: {e.Message} at [1:8]"),
                    _ => Invalid("Syntax error: " + e.Message),
                };
            }
            if (r is not null) return Rows(r.Columns.Select((_, i) => "f" + i + "_").ToArray(), r.Numeric.Select(n => n ? "INTEGER" : "STRING").ToArray(), r.Rows);
        }
        throw Invalid($"Syntax error: Unexpected keyword {sql.Split(' ')[0].ToUpperInvariant()} at [1:1]");
    }

    // ---- INFORMATION_SCHEMA ----------------------------------------------------------------------------------

    static readonly Regex ViewRef = new(@"`(?<p>(?:[^`\\]|\\.)+)`\.`(?<q>(?:[^`\\]|\\.)+)`\.INFORMATION_SCHEMA\.(?<view>\w+)(?:\s+(?<alias>[a-z]))?(?=\s|$)", RegexOptions.Compiled);

    (string[], string[], List<string?[]>) InformationSchema(string sql, Dictionary<string, string?> p)
    {
        var m = Regex.Match(sql, @"^SELECT (?<cols>.+?)\s+FROM (?<from>`.+?INFORMATION_SCHEMA\.\w+(?: [a-z](?=\s|$))?)(?:\s+(?<left>LEFT )?JOIN (?<join>`.+?INFORMATION_SCHEMA\.\w+ [a-z]) ON (?<on>.+?))?(?:\s+WHERE (?<where>.+?))?(?:\s+ORDER BY (?<order>[\d, ]+))?$", RegexOptions.Singleline);
        if (!m.Success) throw Invalid("Syntax error: the fake does not understand this query");
        var (rows, _, _) = Source(m.Groups["from"].Value);
        if (m.Groups["join"].Success)
        {
            var (right, rightAlias, rightView) = Source(m.Groups["join"].Value);
            // A LEFT JOIN without a match: the right side's columns are NULL.
            var nulls = ViewColumns[rightView].ToDictionary(c => rightAlias + c, _ => (string?)null);
            var on = Conjuncts(m.Groups["on"].Value);
            var joined = new List<Dictionary<string, string?>>();
            foreach (var l in rows)
            {
                var matches = right.Where(r => on.All(c => Eval(c, Merge(l, r), p))).ToList();
                if (matches.Count == 0 && m.Groups["left"].Success)
                    joined.Add(Merge(l, nulls));
                foreach (var r in matches) joined.Add(Merge(l, r));
            }
            rows = joined;
        }
        if (m.Groups["where"].Success)
        {
            var where = Conjuncts(m.Groups["where"].Value);
            rows = rows.Where(r => where.All(c => Eval(c, r, p))).ToList();
        }
        var columns = m.Groups["cols"].Value.Split(',').Select(c => c.Trim()).ToArray();
        var result = rows.Select(r => columns.Select(c => Lookup(r, c)).ToArray()).ToList();
        if (m.Groups["order"].Success)
        {
            IOrderedEnumerable<string?[]>? ordered = null;
            foreach (var pos in m.Groups["order"].Value.Split(',').Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture) - 1))
            {
                Func<string?[], string> key = r => r[pos] is { } v && long.TryParse(v, out var n) ? n.ToString("D12", CultureInfo.InvariantCulture) : r[pos] ?? "";
                ordered = ordered is null ? result.OrderBy(key, StringComparer.Ordinal) : ordered.ThenBy(key, StringComparer.Ordinal);
            }
            result = ordered!.ToList();
        }
        var names = columns.Select(c => c.Contains('.') ? c[(c.IndexOf('.') + 1)..] : c).ToArray();
        var types = names.Select(n => n is "ordinal_position" or "position_in_unique_constraint" or "total_rows" or "total_logical_bytes" ? "INTEGER" : "STRING").ToArray();
        return (names, types, result);
    }

    static Dictionary<string, string?> Merge(Dictionary<string, string?> a, Dictionary<string, string?> b)
    {
        var d = new Dictionary<string, string?>(a);
        foreach (var (k, v) in b) d[k] = v;
        return d;
    }

    /// <summary>A column reference: <c>alias.col</c>, or a bare <c>col</c> that must be unambiguous.</summary>
    static string? Lookup(Dictionary<string, string?> row, string column)
    {
        if (column.Contains('.')) return row.TryGetValue(column, out var v) ? v : throw Invalid($"Unrecognized name: {column}");
        var hits = row.Where(kv => kv.Key == column || kv.Key.EndsWith("." + column, StringComparison.Ordinal)).ToList();
        if (hits.Count == 0) throw Invalid($"Unrecognized name: {column}");
        if (hits.Select(h => h.Key).Distinct().Count() > 1 && !row.ContainsKey(column)) throw Invalid($"Column name {column} is ambiguous");
        return row.TryGetValue(column, out var exact) ? exact : hits[0].Value;
    }

    static List<string> Conjuncts(string text) => Regex.Split(text.Trim(), @"\s+AND\s+").Select(s => s.Trim()).ToList();

    /// <summary>One condition: <c>a = b</c>, <c>a &lt;&gt; b</c>, <c>a = COALESCE(@p, a)</c>, <c>a IN (@t0, …)</c>.</summary>
    static bool Eval(string condition, Dictionary<string, string?> row, Dictionary<string, string?> p)
    {
        string? Value(string term)
        {
            term = term.Trim();
            if (term.StartsWith('\'')) return term.Trim('\'');
            if (term.StartsWith('@')) return p[term[1..]];
            var co = Regex.Match(term, @"^COALESCE\((.+?),\s*(.+)\)$");
            if (co.Success) return Value(co.Groups[1].Value) ?? Value(co.Groups[2].Value);
            return Lookup(row, term);
        }
        var inList = Regex.Match(condition, @"^(.+?) IN \((.+)\)$");
        if (inList.Success)
        {
            var v = Value(inList.Groups[1].Value);
            return inList.Groups[2].Value.Split(',').Any(t => v is not null && Value(t) == v);
        }
        var cmp = Regex.Match(condition, @"^(.+?)\s*(=|<>)\s*(.+)$");
        if (!cmp.Success) throw Invalid($"Syntax error: the fake does not understand '{condition}'");
        var (a, b) = (Value(cmp.Groups[1].Value), Value(cmp.Groups[3].Value));
        if (a is null || b is null) return false; // SQL NULL comparisons are never true
        return cmp.Groups[2].Value == "=" ? a == b : a != b;
    }

    static readonly Dictionary<string, string[]> ViewColumns = new()
    {
        ["TABLES"] = ["table_catalog", "table_schema", "table_name", "table_type", "ddl"],
        ["TABLE_OPTIONS"] = ["table_catalog", "table_schema", "table_name", "option_name", "option_type", "option_value"],
        ["COLUMNS"] = ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position", "is_nullable", "data_type", "column_default", "is_partitioning_column"],
        ["COLUMN_FIELD_PATHS"] = ["table_catalog", "table_schema", "table_name", "column_name", "field_path", "data_type", "description"],
        ["VIEWS"] = ["table_catalog", "table_schema", "table_name", "view_definition", "use_standard_sql"],
        ["TABLE_CONSTRAINTS"] = ["constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema", "table_name", "constraint_type", "is_deferrable", "initially_deferred", "enforced"],
        ["KEY_COLUMN_USAGE"] = ["constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema", "table_name", "column_name", "ordinal_position", "position_in_unique_constraint"],
        ["TABLE_STORAGE"] = ["project_id", "table_schema", "table_name", "total_rows", "total_logical_bytes"],
        ["CONSTRAINT_COLUMN_USAGE"] = ["constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema", "table_name", "column_name"],
    };

    (List<Dictionary<string, string?>> Rows, string AliasPrefix, string View) Source(string text)
    {
        var m = ViewRef.Match(text);
        if (!m.Success) throw Invalid("Syntax error: expected `project`.`dataset`.INFORMATION_SCHEMA.VIEW");
        var project = Unescape(m.Groups["p"].Value);
        var qualifier = Unescape(m.Groups["q"].Value);
        if (project != Project) throw new BqError(404, "notFound", $"Not found: Project {project}");
        if (DenyTableStorage && m.Groups["view"].Value == "TABLE_STORAGE")
            throw new BqError(403, "accessDenied", $"Access Denied: Table {project}:{qualifier}.INFORMATION_SCHEMA.TABLE_STORAGE: User does not have permission to query table {project}:{qualifier}.INFORMATION_SCHEMA.TABLE_STORAGE.");
        IEnumerable<FakeCloudTable> tables;
        if (qualifier.StartsWith("region-", StringComparison.Ordinal))
        {
            if (!string.Equals(qualifier["region-".Length..], Location, StringComparison.OrdinalIgnoreCase))
                throw new BqError(400, "invalidQuery", $"Table {project}.{qualifier}.INFORMATION_SCHEMA not found in location {Location}");
            tables = Tables;
        }
        else
        {
            // As documented: TABLE_STORAGE takes a region qualifier, not a dataset one.
            if (m.Groups["view"].Value == "TABLE_STORAGE") throw Invalid($"Syntax error: INFORMATION_SCHEMA.TABLE_STORAGE needs a region qualifier, not dataset {qualifier}");
            if (Tables.All(t => t.Schema != qualifier)) throw new BqError(404, "notFound", $"Not found: Dataset {project}:{qualifier} was not found in location {Location}");
            tables = Tables.Where(t => t.Schema == qualifier);
        }
        var alias = m.Groups["alias"].Success ? m.Groups["alias"].Value + "." : "";
        var rows = new List<Dictionary<string, string?>>();
        void Add(Dictionary<string, string?> r) => rows.Add(r.ToDictionary(kv => alias + kv.Key, kv => kv.Value));
        var keys = Keys.Where(k => tables.Any(t => t.Schema == k.Schema)).ToList();
        foreach (var t in tables)
        {
            var common = new Dictionary<string, string?> { ["table_catalog"] = Project, ["table_schema"] = t.Schema, ["table_name"] = t.Name };
            switch (m.Groups["view"].Value)
            {
                case "TABLES": Add(new(common) { ["table_type"] = t.Type, ["ddl"] = $"CREATE TABLE `{Project}.{t.Schema}.{t.Name}` (…)" }); break;
                case "TABLE_OPTIONS" when t.Comment is not null:
                    Add(new(common) { ["option_name"] = "description", ["option_type"] = "STRING", ["option_value"] = OptionLiteral(t.Comment) });
                    break;
                case "VIEWS" when t.Type == "VIEW": Add(new(common) { ["view_definition"] = t.ViewDefinition, ["use_standard_sql"] = "YES" }); break;
                case "COLUMNS":
                    for (var i = 0; i < t.Columns.Count; i++)
                        Add(new(common)
                        {
                            ["column_name"] = t.Columns[i].Name, ["ordinal_position"] = (i + 1).ToString(CultureInfo.InvariantCulture),
                            ["is_nullable"] = t.Columns[i].Nullable ? "YES" : "NO", ["data_type"] = t.Columns[i].DataType,
                            ["column_default"] = t.Columns[i].Default ?? "NULL", ["is_partitioning_column"] = "NO",
                        });
                    break;
                case "COLUMN_FIELD_PATHS":
                    foreach (var c in t.Columns)
                        Add(new(common) { ["column_name"] = c.Name, ["field_path"] = c.Name, ["data_type"] = c.DataType, ["description"] = c.Comment });
                    break;
                // Tables and materialized views; not views, not external tables (no managed storage).
                case "TABLE_STORAGE" when t.Type is not ("VIEW" or "EXTERNAL"):
                    Add(new(common)
                    {
                        ["project_id"] = Project, ["total_rows"] = (t.RowCount ?? t.Rows.Count).ToString(CultureInfo.InvariantCulture),
                        ["total_logical_bytes"] = LogicalBytes.GetValueOrDefault($"{t.Schema}.{t.Name}").ToString(CultureInfo.InvariantCulture),
                    });
                    break;
                case "TABLES" or "TABLE_OPTIONS" or "VIEWS" or "TABLE_STORAGE": break;
                case "TABLE_CONSTRAINTS" or "KEY_COLUMN_USAGE" or "CONSTRAINT_COLUMN_USAGE": break;
                default: throw new BqError(404, "notFound", $"Not found: Table {Project}:{qualifier}.INFORMATION_SCHEMA.{m.Groups["view"].Value}");
            }
        }
        foreach (var k in keys)
        {
            var c = new Dictionary<string, string?> { ["constraint_catalog"] = Project, ["constraint_schema"] = k.Schema, ["constraint_name"] = k.Name };
            switch (m.Groups["view"].Value)
            {
                case "TABLE_CONSTRAINTS":
                    Add(new(c) { ["table_catalog"] = Project, ["table_schema"] = k.Schema, ["table_name"] = k.Table, ["constraint_type"] = k.Type, ["is_deferrable"] = "NO", ["initially_deferred"] = "NO", ["enforced"] = "NO" });
                    break;
                case "KEY_COLUMN_USAGE":
                    for (var i = 0; i < k.Columns.Length; i++)
                    {
                        string? position = null;
                        if (k.Type == "FOREIGN KEY")
                        {
                            var refPk = Keys.Single(x => x.Schema == k.Schema && x.Table == k.RefTable && x.Type == "PRIMARY KEY");
                            position = (Array.IndexOf(refPk.Columns, k.RefColumns![i]) + 1).ToString(CultureInfo.InvariantCulture);
                        }
                        Add(new(c) { ["table_catalog"] = Project, ["table_schema"] = k.Schema, ["table_name"] = k.Table, ["column_name"] = k.Columns[i], ["ordinal_position"] = (i + 1).ToString(CultureInfo.InvariantCulture), ["position_in_unique_constraint"] = position });
                    }
                    break;
                case "CONSTRAINT_COLUMN_USAGE":
                    // For a foreign key: the referenced columns (listed in the referenced table's column order, not the key's).
                    var (table, cols) = k.Type == "FOREIGN KEY" ? (k.RefTable!, k.RefColumns!) : (k.Table, k.Columns);
                    var order = Find(k.Schema, table)?.Columns.Select(x => x.Name).ToList() ?? [];
                    foreach (var col in cols.OrderBy(x => order.IndexOf(x)))
                        Add(new(c) { ["table_catalog"] = Project, ["table_schema"] = k.Schema, ["table_name"] = table, ["column_name"] = col });
                    break;
            }
        }
        return (rows, alias, m.Groups["view"].Value);
    }

    /// <summary>TABLE_OPTIONS shows a STRING option as a double-quoted GoogleSQL literal.</summary>
    static string OptionLiteral(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
            sb.Append(c switch
            {
                '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }

    static string Unescape(string quoted)
    {
        var pos = 0;
        return ReadQuoted("`" + quoted + "`", ref pos, '`', triple: false, raw: false);
    }

    // ---- ALTER … SET OPTIONS -----------------------------------------------------------------------------------

    void Alter(string sql)
    {
        var pos = 0;
        Expect(sql, ref pos, "ALTER ");
        string kind;
        if (TryExpect(sql, ref pos, "TABLE ")) kind = "TABLE";
        else if (TryExpect(sql, ref pos, "MATERIALIZED VIEW ")) kind = "MATERIALIZED VIEW";
        else if (TryExpect(sql, ref pos, "VIEW ")) kind = "VIEW";
        else throw Invalid("Syntax error: Expected TABLE or VIEW after ALTER");
        var path = new List<string>();
        while (true)
        {
            path.Add(ReadIdentifier(sql, ref pos));
            if (pos < sql.Length && sql[pos] == '.') { pos++; continue; }
            break;
        }
        string? column = null;
        if (TryExpect(sql, ref pos, " ALTER COLUMN "))
        {
            TryExpect(sql, ref pos, "IF EXISTS ");
            column = ReadIdentifier(sql, ref pos);
        }
        Expect(sql, ref pos, " SET OPTIONS (");
        SkipSpaces(sql, ref pos);
        Expect(sql, ref pos, "description");
        SkipSpaces(sql, ref pos);
        Expect(sql, ref pos, "=");
        SkipSpaces(sql, ref pos);
        string? text;
        if (TryExpect(sql, ref pos, "NULL")) text = null;
        else text = ReadLiteral(sql, ref pos);
        SkipSpaces(sql, ref pos);
        Expect(sql, ref pos, ")");
        if (pos != sql.Length) throw Invalid($"Syntax error: Unexpected \"{sql[pos..]}\" at [1:{pos + 1}]");

        if (path.Count == 3 && path[0] != Project) throw new BqError(404, "notFound", $"Not found: Project {path[0]}");
        if (path.Count is < 2 or > 3) throw Invalid("Syntax error: a table name needs a dataset: dataset.table or project.dataset.table");
        var (dataset, name) = (path[^2], path[^1]);
        var table = Find(dataset, name) ?? throw new BqError(404, "notFound", $"Not found: Table {Project}:{dataset}.{name} was not found in location {Location}");
        var isView = table.Type is "VIEW";
        if (kind == "TABLE" && isView) throw Invalid($"ALTER TABLE cannot be used on view {Project}:{dataset}.{name}; use ALTER VIEW");
        if (kind == "VIEW" && !isView) throw Invalid($"ALTER VIEW cannot be used on table {Project}:{dataset}.{name}; use ALTER TABLE");
        if (kind == "MATERIALIZED VIEW" && table.Type != "MATERIALIZED VIEW") throw Invalid($"{Project}:{dataset}.{name} is not a materialized view");
        if (ReadOnlyTables.Contains($"{dataset}.{name}"))
            throw new BqError(403, "accessDenied", $"Access Denied: Table {Project}:{dataset}.{name}: Permission bigquery.tables.update denied on table {Project}:{dataset}.{name} (or it may not exist).");
        if (column is null)
        {
            if (text?.Length > 16_384) throw new BqError(400, "invalid", $"The description for table {name} is too long. The maximum length is 16384 characters.");
            table.Comment = text;
            return;
        }
        var col = table.Columns.FirstOrDefault(c => c.Name.Equals(column, StringComparison.OrdinalIgnoreCase)) // column names are case-insensitive
            ?? throw Invalid($"Column {column} not found in table {Project}:{dataset}.{name}");
        if (text?.Length > 1_024) throw new BqError(400, "invalid", $"The description for field {column} is too long. The maximum length is 1024 characters.");
        col.Comment = text;
    }

    static void SkipSpaces(string sql, ref int pos) { while (pos < sql.Length && sql[pos] is ' ' or '\n' or '\t' or '\r') pos++; }

    static bool TryExpect(string sql, ref int pos, string token)
    {
        if (string.CompareOrdinal(sql, pos, token, 0, token.Length) != 0) return false;
        pos += token.Length;
        return true;
    }

    static void Expect(string sql, ref int pos, string token)
    {
        if (!TryExpect(sql, ref pos, token)) throw Invalid($"Syntax error: Expected \"{token.Trim()}\" at [1:{pos + 1}]");
    }

    static string ReadIdentifier(string sql, ref int pos)
    {
        if (pos < sql.Length && sql[pos] == '`') return ReadQuoted(sql, ref pos, '`', triple: false, raw: false);
        var start = pos;
        while (pos < sql.Length && (char.IsLetterOrDigit(sql[pos]) || sql[pos] is '_' or '-')) pos++;
        if (pos == start) throw Invalid($"Syntax error: Unexpected \"{(pos < sql.Length ? sql[pos] : ' ')}\" at [1:{pos + 1}]");
        return sql[start..pos];
    }

    /// <summary>A GoogleSQL string literal: optional r/R (raw); '…', "…", '''…''', """…""". Bytes literals are refused.</summary>
    static string ReadLiteral(string sql, ref int pos)
    {
        var raw = false;
        if (pos < sql.Length && sql[pos] is 'b' or 'B') throw Invalid("Invalid value for option description: expected STRING, got BYTES");
        if (pos < sql.Length && sql[pos] is 'r' or 'R') { raw = true; pos++; }
        if (pos >= sql.Length || sql[pos] is not ('\'' or '"')) throw Invalid($"Syntax error: expected a string literal at [1:{pos + 1}]");
        var q = sql[pos];
        var triple = pos + 2 < sql.Length && sql[pos + 1] == q && sql[pos + 2] == q;
        return ReadQuoted(sql, ref pos, q, triple, raw);
    }

    static string ReadQuoted(string sql, ref int pos, char q, bool triple, bool raw)
    {
        pos += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (pos >= sql.Length) throw Invalid("Syntax error: Unclosed string literal");
            var c = sql[pos];
            if (c == q && (!triple || (pos + 2 < sql.Length && sql[pos + 1] == q && sql[pos + 2] == q)))
            {
                pos += triple ? 3 : 1;
                return sb.ToString();
            }
            if (!triple && c is '\n' or '\r') throw Invalid("Syntax error: Unclosed string literal (a newline needs triple quotes or \\n)");
            if (c != '\\') { sb.Append(c); pos++; continue; }
            if (pos + 1 >= sql.Length) throw Invalid("Syntax error: Illegal escape sequence: \\");
            var e = sql[pos + 1];
            if (raw) { sb.Append('\\').Append(e); pos += 2; continue; } // raw: the backslash stays, the quote does not end the literal
            pos += 2;
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '?' or '"' or '\'' or '`': sb.Append(e); break;
                case 'x' or 'X': sb.Append((char)HexDigits(sql, ref pos, 2)); break;
                case 'u': sb.Append((char)HexDigits(sql, ref pos, 4)); break;
                case 'U': sb.Append(char.ConvertFromUtf32(HexDigits(sql, ref pos, 8))); break;
                case >= '0' and <= '7':
                    if (pos + 1 >= sql.Length || !IsOctal(sql[pos]) || !IsOctal(sql[pos + 1])) throw Invalid("Syntax error: Illegal escape sequence: octal needs 3 digits");
                    sb.Append((char)Convert.ToInt32(sql.Substring(pos - 1, 3), 8));
                    pos += 2;
                    break;
                default: throw Invalid($"Syntax error: Illegal escape sequence: \\{e}");
            }
        }
    }

    static bool IsOctal(char c) => c is >= '0' and <= '7';

    static int HexDigits(string sql, ref int pos, int n)
    {
        if (pos + n > sql.Length || !int.TryParse(sql.AsSpan(pos, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw Invalid("Syntax error: Illegal escape sequence: hex digits");
        pos += n;
        return v;
    }

    // ---- answers ---------------------------------------------------------------------------------------------

    static (int, byte[], IReadOnlyDictionary<string, string>?) Error(int status, string reason, string message, string statusName) =>
        Json(status, w =>
        {
            w.WriteStartObject("error");
            w.WriteNumber("code", status);
            w.WriteString("message", message);
            w.WriteStartArray("errors");
            w.WriteStartObject(); w.WriteString("message", message); w.WriteString("domain", "global"); w.WriteString("reason", reason); w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("status", statusName);
            w.WriteEndObject();
        });

    /// <summary>A rate-limit answer as BigQuery sends it (reason rateLimitExceeded), with Retry-After.</summary>
    public static FakeHttpFault TooManyRequests(int retryAfterSeconds = 0) =>
        new(429, """{"error":{"code":429,"message":"Exceeded rate limits: too many api requests per user per method for this user_method. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas","errors":[{"message":"Exceeded rate limits","domain":"usageLimits","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}""",
            new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    /// <summary>BigQuery's other rate-limit answer: 403 with reason rateLimitExceeded (e.g. table metadata update limits).</summary>
    public static FakeHttpFault Forbidden403RateLimit() =>
        new(403, "{\"error\":{\"code\":403,\"message\":\"Exceeded rate limits: too many table update operations for this table.\",\"errors\":[{\"message\":\"Exceeded rate limits\",\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\"}],\"status\":\"PERMISSION_DENIED\"}}");

    static (int, byte[], IReadOnlyDictionary<string, string>?) Json(int status, Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return (status, ms.ToArray(), null);
    }
}

static class FakeBigQueryJson
{
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;
}
