using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amx.Data.Errors;
using Amx.Data.Security;

namespace Amx.Data.Warehouse.Redshift.Iam;

/// <summary>
/// The AWS keys amx signs with, found as the AWS CLI finds them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
/// AWS_SESSION_TOKEN, then the AWS_PROFILE (else "default") profile of ~/.aws/credentials and ~/.aws/config
/// (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE move them), then AWSSDK.Core's default chain (web identity,
/// container and instance roles). The variables come from the profile's environment so in-process runs see their own.
/// Every secret found is registered with the <see cref="Redactor"/>.
/// </summary>
public static class AwsCredentialResolver
{
    public static AwsKeys Resolve(Func<string, string?> env)
    {
        static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var keys = Find(env, NonEmpty);
        Redactor.Register(keys.SecretAccessKey);
        Redactor.Register(keys.SessionToken);
        return keys;
    }

    static AwsKeys Find(Func<string, string?> env, Func<string?, string?> nonEmpty)
    {
        if (nonEmpty(env("AWS_ACCESS_KEY_ID")) is { } id && nonEmpty(env("AWS_SECRET_ACCESS_KEY")) is { } secret)
            return new AwsKeys(id, secret, nonEmpty(env("AWS_SESSION_TOKEN")));
        var named = nonEmpty(env("AWS_PROFILE"));
        var profile = named ?? "default";
        try
        {
            var chain = new CredentialProfileStoreChain(nonEmpty(env("AWS_SHARED_CREDENTIALS_FILE")));
            if (chain.TryGetAWSCredentials(profile, out var credentials)) return From(credentials.GetCredentials());
        }
        catch (AmazonClientException e)
        {
            throw AmxException.Failed($"cannot read AWS profile '{profile}': {e.Message.Split('\n')[0].Trim()}",
                "check ~/.aws/credentials and ~/.aws/config (aws configure list), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", e);
        }
        if (named is not null)
            throw AmxException.BadInput($"AWS profile '{named}' (AWS_PROFILE) is not in ~/.aws/credentials or ~/.aws/config",
                "aws configure --profile NAME, or unset AWS_PROFILE");
        try
        {
            return From(DefaultAWSCredentialsIdentityResolver.GetCredentials().GetCredentials());
        }
        catch (AmazonClientException)
        {
            throw AmxException.BadInput("no AWS credentials found for Redshift IAM authentication",
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE for a profile in ~/.aws");
        }
    }

    static AwsKeys From(ImmutableCredentials c) =>
        new(c.AccessKey, c.SecretKey, c.UseToken && !string.IsNullOrEmpty(c.Token) ? c.Token : null);
}
