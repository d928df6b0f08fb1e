using GitPromote.Core;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.Access;

/// <summary>
/// The standard endpoint overrides: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> wins over <c>AWS_ENDPOINT_URL</c>, and
/// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> turns both off. This is how tests and users point at an emulator.
/// </summary>
public static class AwsEndpoints
{
    public const string Ssm = "SSM";
    public const string CodePipeline = "CODEPIPELINE";
    public const string CloudWatch = "CLOUDWATCH";
    public const string Sts = "STS";
    public const string Sso = "SSO";
    public const string SsoOidc = "SSO_OIDC";

    /// <summary>The configured endpoint for <paramref name="serviceId"/>, or null to use the service's regional endpoint.</summary>
    public static Uri? Configured(IProcessEnvironment environment, string serviceId)
    {
        if (string.Equals(environment.NonEmpty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
            return null;
        var variable = "AWS_ENDPOINT_URL_" + serviceId;
        var raw = environment.NonEmpty(variable);
        if (raw is null)
        {
            variable = "AWS_ENDPOINT_URL";
            raw = environment.NonEmpty(variable);
        }
        if (raw is null) return null;
        if (Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0)
            return uri;
        throw new EvidenceUnavailableException(new EvidenceFailure(
            $"{variable} is not a usable endpoint",
            "it must be an absolute http:// or https:// URL without credentials",
            $"fix or unset {variable}"));
    }

    /// <summary>CodePipeline's public regional endpoint.</summary>
    public static Uri CodePipelineRegional(string region) =>
        new($"https://codepipeline.{region}.{DnsSuffix(region)}/");

    /// <summary>CloudWatch's public regional endpoint (its endpoint prefix is <c>monitoring</c>).</summary>
    public static Uri CloudWatchRegional(string region) =>
        new($"https://monitoring.{region}.{DnsSuffix(region)}/");

    private static string DnsSuffix(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
}
