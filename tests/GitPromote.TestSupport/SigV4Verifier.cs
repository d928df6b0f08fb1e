using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GitPromote.TestSupport;

/// <summary>What a request looked like on the wire, as far as SigV4 is concerned.</summary>
public sealed record SignedRequest(string Method, string RawPathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>Why a signature was refused, in the error shape AWS gives (<c>__type</c>, message, HTTP status).</summary>
public sealed record SignatureRejection(string Code, string Message, int Status = 400);

/// <summary>
/// Recomputes an AWS Signature Version 4 (header form) with the known secret and checks scope and time, as AWS does.
/// Independent of the SDK's signer, so a signer bug cannot hide behind itself.
/// </summary>
public sealed partial class SigV4Verifier(string region, string service, IReadOnlyDictionary<string, string> secretsByKeyId)
{
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>Null when the signature holds; otherwise why not.</summary>
    public SignatureRejection? Verify(SignedRequest request, DateTimeOffset now)
    {
        if (!request.Headers.TryGetValue("authorization", out var authorization))
            return new("MissingAuthenticationTokenException", "Missing Authentication Token");
        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success)
            return new("IncompleteSignatureException", $"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' with AWS4-HMAC-SHA256.");

        var keyId = match.Groups["key"].Value;
        var date = match.Groups["date"].Value;
        var scopeRegion = match.Groups["region"].Value;
        var scopeService = match.Groups["service"].Value;
        var signedHeaders = match.Groups["signed"].Value;
        var signature = match.Groups["signature"].Value;

        if (!secretsByKeyId.TryGetValue(keyId, out var secret))
            return new("UnrecognizedClientException", "The security token included in the request is invalid.");
        if (scopeService != service)
            return new("InvalidSignatureException", $"Credential should be scoped to correct service: '{service}'.");
        if (scopeRegion != region)
            return new("InvalidSignatureException", $"Credential should be scoped to a valid region, not '{scopeRegion}'.");

        if (!request.Headers.TryGetValue("x-amz-date", out var amzDate) ||
            !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            return new("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (!amzDate.StartsWith(date, StringComparison.Ordinal))
            return new("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");
        if ((now - signedAt).Duration() > AllowedSkew)
            return new("InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {now.UtcDateTime.AddMinutes(-15):yyyyMMdd'T'HHmmss'Z'}.",
                400);

        var names = signedHeaders.Split(';');
        if (!names.Contains("host"))
            return new("InvalidSignatureException", "'Host' must be a signed header.");
        foreach (var name in names)
            if (!request.Headers.ContainsKey(name))
                return new("InvalidSignatureException", $"Signed header '{name}' is missing from the request.");
        if (request.Headers.ContainsKey("x-amz-security-token") && !names.Contains("x-amz-security-token"))
            return new("InvalidSignatureException", "'X-Amz-Security-Token' must be a signed header when present.");

        var canonical = CanonicalRequest(request, names);
        var scope = $"{date}/{scopeRegion}/{scopeService}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), scopeRegion), scopeService), "aws4_request");
        var expected = Hex(Hmac(key, stringToSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            return new("InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult " +
                    "the service documentation for details.");
        return null;
    }

    private static string CanonicalRequest(SignedRequest request, string[] signedHeaders)
    {
        var raw = request.RawPathAndQuery;
        var q = raw.IndexOf('?');
        var path = q >= 0 ? raw[..q] : raw;
        var query = q >= 0 ? raw[(q + 1)..] : "";
        // Services other than S3 sign the path encoded twice: the wire form (encoded once) encoded again.
        var canonicalPath = string.Join('/', path.Split('/').Select(Encode));
        if (canonicalPath.Length == 0) canonicalPath = "/";
        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var headers = string.Concat(signedHeaders.Select(n => $"{n}:{Spaces().Replace(request.Headers[n].Trim(), " ")}\n"));
        var payloadHash = request.Headers.TryGetValue("x-amz-content-sha256", out var declared) ? declared : Hex(SHA256.HashData(request.Body));
        return $"{request.Method}\n{canonicalPath}\n{canonicalQuery}\n{headers}\n{string.Join(';', signedHeaders)}\n{payloadHash}";
    }

    private static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256\s+Credential=(?<key>[^/,\s]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request,"
        + @"\s*SignedHeaders=(?<signed>[a-z0-9;\-]+),\s*Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
