using Amazon;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SSO;
using Amazon.SSOOIDC;
using GitPromote.Aws.Access;
using GitPromote.Core;

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
    private static IProcessEnvironment? _environment;

    /// <summary>The environment the clients are configured from: the one of the run that registered last.</summary>
    internal static IProcessEnvironment? Environment => Volatile.Read(ref _environment);

    /// <param name="variables">
    /// Where endpoint overrides are read from (empty variables count as unset). The SDK's registry is the process's, so
    /// the clients are registered once; each registration replaces the environment they read (not the first one kept).
    /// </param>
    public static void Register(IProcessEnvironment variables)
    {
        Volatile.Write(ref _environment, variables);
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        var registry = GlobalRuntimeDependencyRegistry.Instance;

        registry.RegisterSecurityTokenServiceClient(context =>
            new AmazonSecurityTokenServiceClient(
                Configure(new AmazonSecurityTokenServiceConfig(), context.SecurityTokenServiceClientContextData?.Region, Environment!, AwsEndpoints.Sts)));
        registry.RegisterSSOClient(context =>
            new AmazonSSOClient(new AnonymousAWSCredentials(),
                Configure(new AmazonSSOConfig(), context.SSOClientContextData?.Region, Environment!, AwsEndpoints.Sso)));
        registry.RegisterSSOOIDCClient(context =>
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(),
                Configure(new AmazonSSOOIDCConfig(), context.SSOOIDCClientContextData?.Region, Environment!, AwsEndpoints.SsoOidc)));
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
