using Amazon;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SSO;
using Amazon.SSOOIDC;
using GitPromote.Core;
using GitPromote.Aws.Access;

namespace GitPromote.Aws;

/// <summary>
/// Under Native AOT the SDK cannot find the STS and SSO clients by reflection, so assume-role profiles, web identity
/// and SSO profiles fail unless the clients are registered. Call <see cref="Register"/> once at startup, before any
/// AWS call. It is also what makes those clients honour AWS_ENDPOINT_URL_STS / _SSO / _SSO_OIDC.
/// </summary>
public static class AwsRuntimeSetup
{
    private static readonly RegionEndpoint FallbackRegion = RegionEndpoint.USEast1;
    private static int _registered;

    /// <param name="variables">Where endpoint overrides are read from (empty variables count as unset).</param>
    public static void Register(IProcessEnvironment variables)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        var env = variables;
        var registry = GlobalRuntimeDependencyRegistry.Instance;

        registry.RegisterSecurityTokenServiceClient(context =>
            new AmazonSecurityTokenServiceClient(
                Configure(new AmazonSecurityTokenServiceConfig(), context.SecurityTokenServiceClientContextData?.Region, env, AwsEndpoints.Sts)));
        registry.RegisterSSOClient(context =>
            new AmazonSSOClient(new AnonymousAWSCredentials(),
                Configure(new AmazonSSOConfig(), context.SSOClientContextData?.Region, env, AwsEndpoints.Sso)));
        registry.RegisterSSOOIDCClient(context =>
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(),
                Configure(new AmazonSSOOIDCConfig(), context.SSOOIDCClientContextData?.Region, env, AwsEndpoints.SsoOidc)));
    }

    private static T Configure<T>(T config, RegionEndpoint? region, IProcessEnvironment env, string serviceId) where T : ClientConfig
    {
        var resolved = region ?? FallbackRegion;
        config.RegionEndpoint = resolved;
        if (AwsEndpoints.Configured(env, serviceId) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = resolved.SystemName;
        }
        config.Timeout = TimeSpan.FromSeconds(5);
        config.MaxErrorRetry = 2;
        return config;
    }
}
