using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amx.TestSupport.FakeCloudWarehouses;
using Amx.Tool.Tests.Apply;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// Redshift IAM authentication through the real tool (amx.dll in its own process): the loopback fake AWS endpoint
/// (<see cref="FakeRedshiftIam"/>, which checks each SigV4 signature with AWSSDK.Core's signer and the secret it knows)
/// hands out a temporary user and password that exist on the real PostgreSQL server, so the tool connects with them
/// end to end. Also AWS's refusals (AccessDenied, bad or expired signature), throttling retried, the ~/.aws files,
/// and no secret anywhere in output or AMX_HOME.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Self)]
public sealed class RedshiftIamTests
{
    const string ProvisionedHost = "amx-cluster.abc123xyz789.eu-west-1.redshift.amazonaws.com";
    const string ServerlessHost = "amx-wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com";
    const string Ddl = "CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY, name varchar(40)); INSERT INTO s.t VALUES (1, 'a'), (2, 'b');";

    static AmxCli.Result Ok(AmxCli.Result r) => WarehouseWorld.Ok(r);

    /// <summary>A stub database, a login role with a random name and password (the temporary credentials), the fake, and amx with AWS keys.</summary>
    sealed class World : IAsyncDisposable
    {
        public required RedshiftStubDatabase Db { get; init; }
        public required FakeRedshiftIam Fake { get; init; }
        public required AmxCli Amx { get; init; }
        public required string TempUser { get; init; }
        public required string TempPassword { get; init; }
        public string[] Secrets => new[] { Fake.SecretAccessKey, TempPassword }.Concat(Fake.SessionToken is { } t ? [t] : []).ToArray();

        public static async Task<World> CreateAsync(string? sessionToken = "FwoGZXIvYXdzEXAMPLEsessionTOKEN", bool keysInEnvironment = true)
        {
            var db = await RedshiftStubDatabase.CreateAsync(Ddl);
            var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var user = $"IAM:amx_lead_{suffix}";
            var password = "tmp-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            // Superuser: apply comments tables the admin owns (Redshift: owner or superuser).
            await db.Server.ExecuteAsync($"CREATE ROLE \"{user}\" LOGIN SUPERUSER PASSWORD '{password}'");
            var fake = new FakeRedshiftIam
            {
                Database = db.Database, TemporaryUser = user, TemporaryPassword = password, SessionToken = sessionToken,
                ClusterId = "amx-cluster", Workgroup = "amx-wg", Region = "eu-west-1",
            };
            var amx = new AmxCli("alice");
            // Nothing from this machine's own AWS setup: no ~/.aws files, no instance metadata.
            amx.Env["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(amx.Home, "no-aws-credentials");
            amx.Env["AWS_CONFIG_FILE"] = Path.Combine(amx.Home, "no-aws-config");
            amx.Env["AWS_PROFILE"] = null;
            amx.Env["AWS_DEFAULT_PROFILE"] = null;
            amx.Env["AWS_EC2_METADATA_DISABLED"] = "true";
            amx.Env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = null;
            amx.Env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null;
            amx.Env["AWS_WEB_IDENTITY_TOKEN_FILE"] = null;
            amx.Env["AWS_ACCESS_KEY_ID"] = keysInEnvironment ? fake.AccessKeyId : null;
            amx.Env["AWS_SECRET_ACCESS_KEY"] = keysInEnvironment ? fake.SecretAccessKey : null;
            amx.Env["AWS_SESSION_TOKEN"] = keysInEnvironment ? sessionToken : null;
            Ok(amx.Run("add-llm-profile", "off", "--provider", "offline"));
            return new World { Db = db, Fake = fake, Amx = amx, TempUser = user, TempPassword = password };
        }

        /// <summary>add-db-profile for an AWS host name; Npgsql's Host option points the connection at the test server.</summary>
        public string[] ProfileArgs(string name, string host, params string[] extra) =>
            ["add-db-profile", name, "--backend", "redshift", "--host", host, "--port", Db.Server.Port.ToString(CultureInfo.InvariantCulture),
             "--database", Db.Database, "--auth", "iam", "--base-url", Fake.BaseUrl, "--option", $"Host={Db.Server.Host}", "--option", "SslMode=Disable", .. extra];

        /// <summary>Neither output nor any file under AMX_HOME holds the AWS secret key, the session token or the temporary password.</summary>
        public void AssertNoSecrets(params AmxCli.Result[] outputs)
        {
            foreach (var secret in Secrets)
            {
                foreach (var o in outputs) Assert.That(o.Stdout + o.Stderr, Does.Not.Contain(secret));
                foreach (var f in Directory.EnumerateFiles(Amx.Home, "*", SearchOption.AllDirectories))
                    Assert.That(File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)), Is.EqualTo(-1), $"{f} holds a secret");
            }
        }

        public async ValueTask DisposeAsync()
        {
            Amx.Dispose();
            await Fake.DisposeAsync();
            await Db.Server.ExecuteAsync($"DROP DATABASE IF EXISTS \"{Db.Database}\" WITH (FORCE); DROP ROLE IF EXISTS \"{TempUser}\"");
        }
    }

    [Test]
    public async Task Provisioned_GetClusterCredentials_connects_inspects_runs_and_applies_with_the_temporary_user()
    {
        await using var w = await World.CreateAsync();
        var add = Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        var config = File.ReadAllText(w.Amx.ConfigPath);
        Assert.That(config, Does.Contain("auth: iam").And.Not.Contain("cluster_id"), "the cluster id is inferred at connect time, not stored");

        var test = Ok(w.Amx.Run("db-profiles", "test", "rs"));
        Assert.That(test.Stdout, Does.Contain($"as {w.TempUser}"), "connected as the user AWS handed out");
        var inspect = Ok(w.Amx.Run("db", "inspect", "--output", "json"));
        Assert.That(inspect.Stdout, Does.Contain("\"schema\": \"s\"").Or.Contain("\"schema\":\"s\""));

        var runId = WarehouseWorld.RunIdOf(Ok(w.Amx.Run("run", "s")));
        Ok(w.Amx.Run("review", runId, "--accept", "all"));
        var apply = Ok(w.Amx.Run("apply", runId, "--yes"));
        Assert.That(w.Db.Comments()["s.t"], Is.Not.Null, "apply wrote through the IAM connection");

        var calls = w.Fake.Calls.ToList();
        Assert.That(calls, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(calls.All(c => c.SignatureValid), "every request carried a valid SigV4 signature");
            Assert.That(calls.Select(c => c.Action).Distinct(), Is.EqualTo(new[] { "GetClusterCredentials" }));
            var p = calls[0].Parameters;
            Assert.That(p["ClusterIdentifier"], Is.EqualTo("amx-cluster"), "inferred from the host name");
            Assert.That(p["DbUser"], Is.EqualTo("amx_lead"));
            Assert.That(p["DbName"], Is.EqualTo(w.Db.Database));
            Assert.That(p["DurationSeconds"], Is.EqualTo("900"));
            Assert.That(p["Version"], Is.EqualTo("2012-12-01"));
        });
        w.AssertNoSecrets(add, test, inspect, apply);
    }

    [Test]
    public async Task An_IAM_profile_hosts_the_team_store_with_the_temporary_user()
    {
        await using var w = await World.CreateAsync();
        await RedshiftHistoryStoreTests.CreateResultsTableAsync(w.Db, "amx");
        var add = Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        var enable = Ok(w.Amx.Run("history-store", "enable", "--profile", "rs", "--yes"));
        Assert.That(enable.Stdout, Does.Contain("applied 20261126113651_InitialCreate"));
        var runId = WarehouseWorld.RunIdOf(Ok(w.Amx.Run("run", "s")));
        Ok(w.Amx.Run("review", runId, "--accept", "all"));
        var apply = Ok(w.Amx.Run("apply", runId, "--yes"));
        var list = Ok(w.Amx.Run("history", "list"));
        Assert.That(list.Stdout, Does.Contain(runId));
        await using (var conn = w.Db.Open())
        await using (var cmd = new Npgsql.NpgsqlCommand($"SELECT state || ' by ' || applied_by FROM amx.amx_history_runs WHERE run_id = '{runId}'", conn))
            Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo("applied by alice"), "recorded in the Redshift store");
        await using (var conn = w.Db.Open())
        await using (var cmd = new Npgsql.NpgsqlCommand("SELECT tableowner FROM pg_tables WHERE schemaname = 'amx' AND tablename = 'amx_history_runs'", conn))
            Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo(w.TempUser), "amx created the tables as the user AWS handed out");
        Assert.That(w.Fake.Calls.All(c => c.SignatureValid && c.Action == "GetClusterCredentials"));
        w.AssertNoSecrets(add, enable, apply, list);
    }

    [Test]
    public async Task Serverless_GetCredentials_connects_with_the_workgroup_inferred_from_the_host()
    {
        await using var w = await World.CreateAsync(sessionToken: null);
        var add = Ok(w.Amx.Run(w.ProfileArgs("rs", ServerlessHost, "--user", "amx_lead")));
        Assert.That(add.Stderr, Does.Contain("warning: --user amx_lead is not sent to Redshift Serverless"));
        var test = Ok(w.Amx.Run("db-profiles", "test", "rs"));
        Assert.That(test.Stdout, Does.Contain($"as {w.TempUser}"));
        var inspect = Ok(w.Amx.Run("db", "inspect", "--output", "json"));
        var call = w.Fake.Calls.First();
        Assert.Multiple(() =>
        {
            Assert.That(call.SignatureValid, "signed for redshift-serverless in eu-west-1 (the fake checks the scope)");
            Assert.That(call.Action, Is.EqualTo("GetCredentials"));
            Assert.That(call.Parameters["workgroupName"], Is.EqualTo("amx-wg"));
            Assert.That(call.Parameters["dbName"], Is.EqualTo(w.Db.Database));
            Assert.That(call.Parameters["durationSeconds"], Is.EqualTo("900"));
            Assert.That(call.Parameters.Keys, Is.EquivalentTo(new[] { "workgroupName", "dbName", "durationSeconds" }), "no user: the API takes none");
            Assert.That(w.Fake.Requests[0].Headers["X-Amz-Target"], Is.EqualTo("RedshiftServerless.GetCredentials"));
            Assert.That(w.Fake.Requests[0].Headers["Content-Type"], Does.StartWith("application/x-amz-json-1.1"));
        });
        w.AssertNoSecrets(test, inspect);
    }

    [Test]
    public async Task Without_a_user_the_cluster_credentials_are_the_IAM_identitys_own()
    {
        await using var w = await World.CreateAsync();
        Ok(w.Amx.Run(w.ProfileArgs("rs", "db.internal.example.com", "--cluster-id", "amx-cluster", "--region", "eu-west-1")));
        Ok(w.Amx.Run("db-profiles", "test", "rs"));
        var call = w.Fake.Calls.Single();
        Assert.That(call.Action, Is.EqualTo("GetClusterCredentialsWithIAM"));
        Assert.That(call.Parameters.ContainsKey("DbUser"), Is.False);
        Assert.That(call.SignatureValid);
    }

    [Test]
    public async Task Credentials_are_reused_within_a_process_until_a_minute_before_they_expire()
    {
        await using var w = await World.CreateAsync();
        // In-process: one process for several commands, with the variables of this AmxCli (not the test process's).
        var amx = new AmxCli("alice", w.Amx.Home) { InProcess = true };
        foreach (var (k, v) in w.Amx.Env) amx.Env[k] = v;
        Ok(amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        Ok(amx.Run("db-profiles", "test", "rs"));
        Ok(amx.Run("db", "inspect"));
        Assert.That(w.Fake.Calls, Has.Count.EqualTo(1), "the second connection reused the first credentials");

        Ok(amx.Run(w.ProfileArgs("sl", ServerlessHost, "--replace")));
        w.Fake.ExpiresIn = TimeSpan.FromSeconds(30);
        Ok(amx.Run("db-profiles", "test", "sl"));
        Ok(amx.Run("db-profiles", "test", "sl"));
        Assert.That(w.Fake.Calls.Count(c => c.Action == "GetCredentials"), Is.EqualTo(2), "credentials within a minute of expiry are not reused");
    }

    [Test]
    public async Task AccessDenied_is_one_error_line_naming_the_IAM_action_needed()
    {
        await using var w = await World.CreateAsync();
        w.Fake.DenyAccess = true;
        Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        Ok(w.Amx.Run(w.ProfileArgs("sl", ServerlessHost)));
        var r = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("error: cannot get temporary Redshift credentials for db profile 'rs'").And.Contain("AccessDenied"));
        Assert.That(lines[1], Does.StartWith("hint: ").And.Contain("redshift:GetClusterCredentials").And.Contain("dbuser:amx-cluster/amx_lead")
            .And.Contain($"dbname:amx-cluster/{w.Db.Database}"));
        Assert.That(r.Stderr, Does.Not.Contain("   at "));

        var s = w.Amx.Run("db", "inspect", "--db-profile", "sl");
        Assert.That(s.ExitCode, Is.EqualTo(1), s.ToString());
        Assert.That(s.Stderr, Does.Contain("AccessDeniedException").And.Contain("redshift-serverless:GetCredentials"));
        w.AssertNoSecrets(r, s);
    }

    [Test]
    public async Task Throttling_is_retried_429_with_Retry_After_and_the_Query_APIs_400_Throttling()
    {
        await using var w = await World.CreateAsync();
        Ok(w.Amx.Run(w.ProfileArgs("sl", ServerlessHost)));
        Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        w.Fake.Faults.Enqueue(new FakeHttpFault(429, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", new Dictionary<string, string> { ["Retry-After"] = "1" }));
        var started = DateTime.UtcNow;
        Ok(w.Amx.Run("db-profiles", "test", "sl"));
        Assert.That(w.Fake.Requests, Has.Count.EqualTo(2), "one throttled, one answered");
        Assert.That(DateTime.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "Retry-After: 1 was waited for");

        w.Fake.Faults.Enqueue(new FakeHttpFault(400, FakeRedshiftIam.XmlError("Throttling", "Rate exceeded")));
        Ok(w.Amx.Run("db-profiles", "test", "rs"));
        Assert.That(w.Fake.Requests, Has.Count.EqualTo(4));
        Assert.That(w.Fake.Calls.Select(c => c.Action), Is.EqualTo(new[] { "GetCredentials", "GetClusterCredentials" }),
            "the fake's own answers (faults are served before it looks)");
    }

    [Test]
    public async Task An_unreachable_AWS_endpoint_is_one_error_line_after_the_retries()
    {
        await using var w = await World.CreateAsync();
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        Ok(w.Amx.Run([.. w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead").Select(a => a == w.Fake.BaseUrl ? $"http://127.0.0.1:{port}" : a)]));
        var r = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.StartWith($"error: cannot get temporary Redshift credentials for db profile 'rs' (GetClusterCredentials at http://127.0.0.1:{port}/)"));
        Assert.That(r.Stderr, Does.Contain("hint: check that the AWS endpoint is reachable").And.Not.Contain("   at "));
    }

    [Test]
    public async Task A_wrong_secret_key_and_an_expired_signature_are_refused()
    {
        await using var w = await World.CreateAsync();
        Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        var right = w.Amx.Env["AWS_SECRET_ACCESS_KEY"];
        w.Amx.Env["AWS_SECRET_ACCESS_KEY"] = right + "x";
        var wrong = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(wrong.ExitCode, Is.EqualTo(1), wrong.ToString());
        Assert.That(wrong.Stderr, Does.Contain("SignatureDoesNotMatch").And.Contain("hint: check that AWS_SECRET_ACCESS_KEY belongs to AWS_ACCESS_KEY_ID"));
        Assert.That(w.Fake.Calls.Single().SignatureValid, Is.False);

        w.Amx.Env["AWS_SECRET_ACCESS_KEY"] = right;
        w.Fake.ClockSkew = TimeSpan.FromMinutes(10);
        var expired = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(expired.ExitCode, Is.EqualTo(1), expired.ToString());
        Assert.That(expired.Stderr, Does.Contain("Signature expired").And.Contain("clock"));

        w.Fake.ClockSkew = TimeSpan.Zero;
        Ok(w.Amx.Run("db-profiles", "test", "rs"));
        Assert.That(w.Fake.Calls.Last().SignatureValid, "the same keys sign correctly once the clocks agree");
        w.AssertNoSecrets(wrong, expired);
    }

    [Test]
    public async Task Keys_come_from_an_AWS_profile_in_the_shared_credentials_file_and_none_at_all_is_bad_input()
    {
        await using var w = await World.CreateAsync(keysInEnvironment: false);
        Ok(w.Amx.Run(w.ProfileArgs("rs", ProvisionedHost, "--user", "amx_lead")));
        var none = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(none.ExitCode, Is.EqualTo(2), none.ToString());
        Assert.That(none.Stderr, Does.StartWith("error: no AWS credentials found").And.Contain("hint: set AWS_ACCESS_KEY_ID"));
        Assert.That(w.Fake.Calls, Is.Empty);

        var file = Path.Combine(w.Amx.Home, "aws-credentials");
        File.WriteAllText(file, $"[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\naws_secret_access_key = wrong\n\n" +
                                $"[amx-test]\naws_access_key_id = {w.Fake.AccessKeyId}\naws_secret_access_key = {w.Fake.SecretAccessKey}\naws_session_token = {w.Fake.SessionToken}\n");
        w.Amx.Env["AWS_SHARED_CREDENTIALS_FILE"] = file;
        w.Amx.Env["AWS_PROFILE"] = "amx-test";
        var test = Ok(w.Amx.Run("db-profiles", "test", "rs"));
        Assert.That(test.Stdout, Does.Contain($"as {w.TempUser}"));
        Assert.That(w.Fake.Calls.Single().SignatureValid);

        w.Amx.Env["AWS_PROFILE"] = "nope";
        var missing = w.Amx.Run("db-profiles", "test", "rs");
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.Stderr, Does.Contain("AWS profile 'nope'"));
        File.Delete(file);
        w.AssertNoSecrets(none, test, missing);
    }

    [TestCase(new[] { "--host", "db.internal.example.com", "--database", "dev", "--user", "u", "--auth", "iam" }, "cannot tell the Redshift cluster or workgroup from --host 'db.internal.example.com'", "--cluster-id CLUSTER")]
    [TestCase(new[] { "--host", "db.internal.example.com", "--database", "dev", "--user", "u", "--auth", "iam", "--cluster-id", "c1" }, "cannot tell the AWS region", "--region")]
    [TestCase(new[] { "--host", ProvisionedHost, "--database", "dev", "--auth", "iam", "--cluster-id", "c1", "--workgroup", "w" }, "--cluster-id and --workgroup exclude each other", "give one")]
    [TestCase(new[] { "--host", ProvisionedHost, "--database", "dev", "--user", "u", "--auth", "kerberos" }, "--auth kerberos is not a redshift auth method", "password (default), iam")]
    [TestCase(new[] { "--host", ProvisionedHost, "--database", "dev", "--user", "u", "--password-env", "X", "--cluster-id", "c1" }, "--cluster-id applies to redshift profiles with --auth iam only", "--auth iam")]
    [TestCase(new[] { "--host", ProvisionedHost, "--database", "dev", "--user", "u", "--password-env", "X", "--auth", "iam" }, "--auth iam takes no password", "AWS_PROFILE")]
    [TestCase(new[] { "--host", ProvisionedHost, "--database", "dev", "--auth", "iam", "--region", "Europe" }, "--region 'europe' is not an AWS region name", "eu-west-1")]
    [TestCase(new[] { "--host", ProvisionedHost, "--auth", "iam" }, "missing --database", "--database D")]
    public void Add_db_profile_refuses_IAM_settings_it_cannot_use(string[] args, string error, string hint)
    {
        using var amx = new AmxCli("alice") { InProcess = true };
        var r = amx.Run(["add-db-profile", "rs", "--backend", "redshift", .. args]);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.StartWith("error: ").And.Contain(error));
        Assert.That(r.Stderr, Does.Contain("hint: ").And.Contain(hint));
        Assert.That(File.Exists(amx.ConfigPath) && File.ReadAllText(amx.ConfigPath).Contains("rs:", StringComparison.Ordinal), Is.False, "nothing saved");
    }

    [Test]
    public void Region_options_are_refused_on_other_backends()
    {
        using var amx = new AmxCli("alice") { InProcess = true };
        var r = amx.Run("add-db-profile", "pg", "--backend", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--region", "eu-west-1");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("--region applies to redshift profiles only"));
    }
}
