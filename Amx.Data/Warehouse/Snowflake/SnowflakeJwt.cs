using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Amx.Data.Warehouse.Snowflake;

/// <summary>
/// Snowflake key-pair authentication: a JWT signed RS256 with the user's private key, whose issuer names the
/// public key by its SHA-256 fingerprint (<c>ACCOUNT.USER.SHA256:base64</c>) and whose subject is <c>ACCOUNT.USER</c>,
/// valid for at most an hour. Built with System.Security.Cryptography only.
/// </summary>
public static class SnowflakeJwt
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(59);

    /// <summary>The account part of the issuer: upper case, without region/cloud suffix (<c>xy12345.eu-west-1</c> → <c>XY12345</c>).</summary>
    public static string AccountForJwt(string account)
    {
        var a = account.Trim();
        var dot = a.IndexOf('.');
        return (dot > 0 ? a[..dot] : a).ToUpperInvariant();
    }

    /// <summary>SHA256:base64 of the public key's DER SubjectPublicKeyInfo, as Snowflake's RSA_PUBLIC_KEY_FP shows it.</summary>
    public static string Fingerprint(RSA key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public static string Create(RSA key, string account, string user, DateTimeOffset now)
    {
        var qualified = $"{AccountForJwt(account)}.{user.ToUpperInvariant()}";
        var header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = $"{qualified}.{Fingerprint(key)}",
            ["sub"] = qualified,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        });
        var signingInput = $"{Base64Url(header)}.{Base64Url(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>Loads a PEM private key (PKCS#8 or PKCS#1); <paramref name="pemOrPath"/> is the PEM text or a file holding it.</summary>
    public static RSA LoadKey(string pemOrPath)
    {
        var pem = pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal) ? pemOrPath : File.ReadAllText(pemOrPath.Trim());
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
