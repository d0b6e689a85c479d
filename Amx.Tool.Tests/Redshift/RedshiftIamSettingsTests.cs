using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Errors;
using Amx.Data.Warehouse.Redshift.Iam;
using Npgsql;

namespace Amx.Tool.Tests.Redshift;

/// <summary>
/// Redshift IAM without a server: AWS's published SigV4 test-suite vectors (credentials AKIDEXAMPLE /
/// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, service "service"), the cluster and
/// workgroup inferred from endpoint host names, and the connection string of an IAM profile.
/// </summary>
[TestFixture, Category("Quick"), Parallelizable(ParallelScope.All)]
public sealed class RedshiftIamSettingsTests
{
    static readonly AwsKeys Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static KeyValuePair<string, string> H(string k, string v) => new(k, v);

    [Test]
    public void SigV4_get_vanilla()
    {
        var auth = AwsSigV4.Authorization(Example, "us-east-1", "service", "20150830T123600Z", "GET", "/", "",
            [H("Host", "example.amazonaws.com"), H("X-Amz-Date", "20150830T123600Z")], EmptyHash);
        Assert.That(auth, Is.EqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
                                     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public void SigV4_get_vanilla_query_order_key_case()
    {
        var auth = AwsSigV4.Authorization(Example, "us-east-1", "service", "20150830T123600Z", "GET", "/", AwsSigV4.CanonicalQuery("?Param2=value2&Param1=value1"),
            [H("Host", "example.amazonaws.com"), H("X-Amz-Date", "20150830T123600Z")], EmptyHash);
        Assert.That(auth, Does.EndWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
    }

    [Test]
    public void SigV4_post_x_www_form_urlencoded_through_a_real_HttpRequestMessage()
    {
        var body = "Param1=value1"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        AwsSigV4.Sign(request, body, Example, "us-east-1", "service", new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc));
        Assert.That(request.Headers.GetValues("X-Amz-Date").Single(), Is.EqualTo("20150830T123600Z"));
        Assert.That(request.Headers.GetValues("Authorization").Single(), Is.EqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, " +
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
        Assert.That(request.Headers.Contains("X-Amz-Security-Token"), Is.False);
    }

    [Test]
    public void SigV4_signs_the_session_token_of_temporary_keys()
    {
        var body = "a=b"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://redshift.eu-west-1.amazonaws.com/") { Content = new ByteArrayContent(body) };
        AwsSigV4.Sign(request, body, Example with { SessionToken = "TOKEN123" }, "eu-west-1", "redshift", DateTime.UtcNow);
        Assert.That(request.Headers.GetValues("X-Amz-Security-Token").Single(), Is.EqualTo("TOKEN123"));
        Assert.That(request.Headers.GetValues("Authorization").Single(), Does.Contain("SignedHeaders=host;x-amz-date;x-amz-security-token").And.Contain("/eu-west-1/redshift/aws4_request"));
    }

    static DbProfile Profile(string host, params (string, string)[] options)
    {
        var p = new DbProfile { Name = "rs", Backend = Backend.Redshift, Host = host, Database = "dev", User = "amx_lead" };
        p.Options[RedshiftIamSettings.AuthKey] = "iam";
        foreach (var (k, v) in options) p.Options[k] = v;
        return p;
    }

    [Test]
    public void Provisioned_host_names_give_cluster_region_and_the_regional_endpoint()
    {
        var s = RedshiftIamSettings.From(Profile("My-Cluster.abc123xyz789.eu-west-1.redshift.amazonaws.com"));
        Assert.Multiple(() =>
        {
            Assert.That(s.ClusterId, Is.EqualTo("my-cluster"));
            Assert.That(s.Serverless, Is.False);
            Assert.That(s.Region, Is.EqualTo("eu-west-1"));
            Assert.That(s.Endpoint.AbsoluteUri, Is.EqualTo("https://redshift.eu-west-1.amazonaws.com/"));
            Assert.That(s.Service, Is.EqualTo("redshift"));
            Assert.That(s.Action, Is.EqualTo("GetClusterCredentials"));
        });
        var cn = RedshiftIamSettings.From(Profile("c1.abc.cn-north-1.redshift.amazonaws.com.cn"));
        Assert.That(cn.Endpoint.AbsoluteUri, Is.EqualTo("https://redshift.cn-north-1.amazonaws.com.cn/"));
        var noUser = Profile("c1.abc.us-east-2.redshift.amazonaws.com");
        noUser.User = null;
        Assert.That(RedshiftIamSettings.From(noUser).Action, Is.EqualTo("GetClusterCredentialsWithIAM"));
    }

    [Test]
    public void Serverless_host_names_give_workgroup_and_region_and_explicit_options_win()
    {
        var s = RedshiftIamSettings.From(Profile("analytics.123456789012.us-west-2.redshift-serverless.amazonaws.com"));
        Assert.Multiple(() =>
        {
            Assert.That(s.Workgroup, Is.EqualTo("analytics"));
            Assert.That(s.Serverless);
            Assert.That(s.DbUser, Is.Null, "Serverless takes no database user");
            Assert.That(s.Endpoint.AbsoluteUri, Is.EqualTo("https://redshift-serverless.us-west-2.amazonaws.com/"));
            Assert.That(s.Service, Is.EqualTo("redshift-serverless"));
            Assert.That(s.Action, Is.EqualTo("GetCredentials"));
        });
        var x = RedshiftIamSettings.From(Profile("analytics.123456789012.us-west-2.redshift-serverless.amazonaws.com",
            (RedshiftIamSettings.ClusterIdKey, "other"), (RedshiftIamSettings.RegionKey, "eu-central-1"), (RedshiftIamSettings.BaseUrlKey, "https://vpce-1.redshift.eu-central-1.vpce.amazonaws.com")));
        Assert.That((x.ClusterId, x.Workgroup, x.Region, x.Endpoint.Host), Is.EqualTo(("other", (string?)null, "eu-central-1", "vpce-1.redshift.eu-central-1.vpce.amazonaws.com")));
        var e = Assert.Throws<AmxException>(() => RedshiftIamSettings.From(Profile("redshift.example.com")))!;
        Assert.That(e.Code, Is.EqualTo(ExitCode.BadInput));
    }

    [Test]
    public void An_IAM_profiles_connection_string_has_no_password_and_no_amx_keys()
    {
        var p = Profile("c1.abc.eu-west-1.redshift.amazonaws.com", (RedshiftIamSettings.RegionKey, "eu-west-1"), ("Timeout", "30"));
        p.Password = "never-used-for-iam";
        var b = new NpgsqlConnectionStringBuilder(ConnectionStringFactory.For(p));
        Assert.Multiple(() =>
        {
            Assert.That(b.Password, Is.Null);
            Assert.That(b.Timeout, Is.EqualTo(30), "Npgsql options still apply");
            Assert.That(b.ConnectionString, Does.Not.Contain("iam").And.Not.Contain("region"));
            Assert.That(b.Port, Is.EqualTo(5439));
        });
    }
}
