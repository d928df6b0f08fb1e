using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.Aws.Access;

/// <summary>Who the credentials of an environment belong to, from STS GetCallerIdentity.</summary>
public sealed record AwsCallerIdentity(string Account, string Arn, string UserId);

/// <summary>
/// How one environment reaches its AWS account: region, credentials (named profile, assumed role, or the default
/// chain), endpoints, and SDK clients with short per-attempt timeouts and bounded retries. Credentials and the caller
/// identity are resolved once and shared by every source of the environment.
/// </summary>
public sealed class AwsEnvironmentAccess
{
    /// <summary>Attempts of one SDK call (first try included); the deadline bounds them all anyway.</summary>
    internal const int SdkAttempts = 3;

    private readonly AwsAccess _access;
    private readonly IProcessEnvironment _variables;
    private readonly Lazy<CredentialProfileStoreChain> _profiles;
    private readonly Lazy<CredentialProfile?> _profile;
    private readonly Lazy<string> _region;
    private readonly object _gate = new();
    private Task<AWSCredentials>? _credentials;
    private Task<AwsCallerIdentity>? _identity;

    public AwsEnvironmentAccess(string environmentName, AwsAccess? access, IProcessEnvironment variables, TimeSpan deadline)
    {
        EnvironmentName = environmentName;
        _access = access ?? new AwsAccess(null, null, null);
        _variables = variables;
        Deadline = deadline;
        _profileName = _access.Profile ?? (_access.RoleArn is null ? variables.NonEmpty("AWS_PROFILE") : null);
        _profiles = new(() => new CredentialProfileStoreChain(variables.NonEmpty("AWS_SHARED_CREDENTIALS_FILE")));
        _profile = new(() => _profileName is { } name && _profiles.Value.TryGetProfile(name, out var p) ? p : null);
        _region = new(ResolveRegion);
        _standsIn = new(() => _access.Profile is { } named && !_profiles.Value.TryGetProfile(named, out _) && HasOwnCredentials);
    }

    public string EnvironmentName { get; }

    /// <summary>The whole check's time budget: every call of this environment must be done by then.</summary>
    public TimeSpan Deadline { get; }

    private readonly string? _profileName;

    /// <summary>The named profile whose credentials are used, if any (from the policy, else AWS_PROFILE); null when one stands in.</summary>
    public string? ProfileInUse => ProfileStandsIn ? null : _profileName;

    public string AccessDescription =>
        ProfileStandsIn ? $"this process's own credentials: profile {_access.Profile} is not configured here"
        : _access.Profile is not null || _access.RoleArn is not null ? _access.Describe()
        : ProfileInUse is { } p ? $"profile {p} (AWS_PROFILE)" : "default credentials";

    /// <summary>
    /// The policy names a profile this machine does not have, and the process has credentials of its own (keys in the
    /// environment, a container's or web identity's role: a CodeBuild or GitHub Actions step). One committed policy serves
    /// people, who have a profile per account, and pipelines, which have their role and no profiles: the pipeline's role
    /// stands in for the profile. Every command says so, with the account those credentials reach.
    /// </summary>
    public bool ProfileStandsIn => _standsIn.Value;

    private readonly Lazy<bool> _standsIn;

    private bool HasOwnCredentials =>
        (_variables.NonEmpty("AWS_ACCESS_KEY_ID") is not null && _variables.NonEmpty("AWS_SECRET_ACCESS_KEY") is not null)
        || _variables.NonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is not null
        || _variables.NonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") is not null
        || (_variables.NonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE") is not null && _variables.NonEmpty("AWS_ROLE_ARN") is not null);

    public bool IsSsoProfile => _profile.Value?.Options is { } o && (o.SsoStartUrl is not null || o.SsoSession is not null);

    /// <summary>The endpoint variables of the services we call (the SDK's and our own clients honour them).</summary>
    private static readonly string[] EndpointVariables =
        ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CODEPIPELINE", "AWS_ENDPOINT_URL_CLOUDWATCH"];

    public bool HasEndpointOverride => EndpointVariables.Any(n => _variables.NonEmpty(n) is not null);

    /// <summary>The region, or throws <see cref="EvidenceUnavailableException"/> saying how to set one.</summary>
    public string Region => _region.Value;

    /// <summary>e.g. <c>stg (profile orders-stg, region eu-west-1)</c>; never throws.</summary>
    public string Describe()
    {
        string region;
        try { region = Region; }
        catch (EvidenceUnavailableException) { region = "no region"; }
        return $"{EnvironmentName} ({AccessDescription}, {(region == "no region" ? region : "region " + region)})";
    }

    public Uri? EndpointOverride(string serviceId) => AwsEndpoints.Configured(_variables, serviceId);

    /// <summary>The endpoint overrides set, as shown in a failure (AWS_ENDPOINT_URL=...), bounded and without user info.</summary>
    public string EndpointsShown => string.Join(", ", EndpointVariables
        .Where(n => _variables.NonEmpty(n) is not null)
        .Select(n => $"{n}={Core.Policy.Quoting.Show(Core.Engine.RemoteUrls.Redact(_variables.NonEmpty(n)!), 120)}"));

    /// <summary>Credentials for this environment, resolved once (profile files, credential_process, SSO cache, STS).</summary>
    public Task<AWSCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        lock (_gate) _credentials ??= ResolveCredentialsAsync();
        return _credentials.WaitAsync(cancellationToken);
    }

    /// <summary>STS GetCallerIdentity with this environment's credentials: the account and the ARN acting in it.</summary>
    public Task<AwsCallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        lock (_gate) _identity ??= ResolveIdentityAsync();
        return _identity.WaitAsync(cancellationToken);
    }

    public async Task<AmazonSimpleSystemsManagementClient> CreateSsmClientAsync(CancellationToken cancellationToken)
    {
        var credentials = await GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return new AmazonSimpleSystemsManagementClient(credentials, Configure(new AmazonSimpleSystemsManagementConfig(), AwsEndpoints.Ssm));
    }

    internal AmazonSecurityTokenServiceClient CreateStsClient(AWSCredentials credentials) =>
        new(credentials, Configure(new AmazonSecurityTokenServiceConfig(), AwsEndpoints.Sts));

    internal TimeSpan PerAttemptTimeout => Deadline < TimeSpan.FromSeconds(5) ? Deadline : TimeSpan.FromSeconds(5);

    /// <summary>Every SDK client (SSM, STS) reads at most <see cref="BoundedHttpClientFactory.MaxResponseBytes"/> of an answer.</summary>
    private static readonly BoundedHttpClientFactory ResponseBound = new();

    private T Configure<T>(T config, string serviceId) where T : ClientConfig
    {
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        if (EndpointOverride(serviceId) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = Region;
        }
        config.Timeout = PerAttemptTimeout;
        config.MaxErrorRetry = SdkAttempts - 1;
        config.RetryMode = RequestRetryMode.Standard;
        config.HttpClientFactory = ResponseBound;
        return config;
    }

    private string ResolveRegion()
    {
        var region = _access.Region ?? _variables.NonEmpty("AWS_REGION") ?? _variables.NonEmpty("AWS_DEFAULT_REGION")
            ?? _profile.Value?.Region?.SystemName ?? DefaultProfileRegion();
        if (region is null)
            throw new EvidenceUnavailableException(new EvidenceFailure(
                $"no AWS region for {EnvironmentName} ({AccessDescription})",
                "neither .promote.yml, AWS_REGION/AWS_DEFAULT_REGION nor the profile names a region",
                $"set `aws: {{ region: ... }}` for {EnvironmentName} in .promote.yml"));
        return region.Trim();
    }

    private string? DefaultProfileRegion() =>
        ProfileInUse is null && _profiles.Value.TryGetProfile("default", out var p) ? p.Region?.SystemName : null;

    private async Task<AWSCredentials> ResolveCredentialsAsync()
    {
        _ = Region; // no region is the more basic problem: say that first
        using var timeout = new CancellationTokenSource(Deadline);
        if (_access.RoleArn is { } roleArn)
            return await AssumeRoleAsync(await DefaultChainAsync(timeout.Token).ConfigureAwait(false), roleArn, null, null,
                timeout.Token).ConfigureAwait(false);
        if (_access.Profile is { } profile && !ProfileStandsIn)
            return await FromProfileAsync(profile, 0, timeout.Token).ConfigureAwait(false);
        return await DefaultChainAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// A named profile. Assume-role profiles (role_arn with source_profile or credential_source) are resolved here,
    /// with our own STS client: the SDK's registered STS client would sign AssumeRole with the default chain instead of
    /// the source profile, and would not honour our endpoint and timeouts. Everything else (keys, credential_process,
    /// SSO, web identity) is the SDK's.
    /// </summary>
    private async Task<AWSCredentials> FromProfileAsync(string name, int depth, CancellationToken cancellationToken)
    {
        if (!_profiles.Value.TryGetProfile(name, out var profile))
            throw new EvidenceUnavailableException(new EvidenceFailure(
                $"AWS profile {name} for {EnvironmentName}",
                "no such profile in the shared config or credentials file, and no credentials of this process's own (keys, a container's or " +
                    "web identity's role) to use instead",
                $"create it: `aws configure --profile {name}` (keys) or `aws configure sso --profile {name}` (SSO)"));

        var options = profile.Options;
        if (options.RoleArn is { } roleArn && (options.SourceProfile is not null || options.CredentialSource is not null))
        {
            if (depth > 4)
                throw new EvidenceUnavailableException(new EvidenceFailure(
                    $"AWS profile {name} for {EnvironmentName}", "its source_profile chain is circular or deeper than 5",
                    $"point source_profile of {name} at a profile with keys"));
            if (options.MfaSerial is not null)
                throw new EvidenceUnavailableException(new EvidenceFailure(
                    $"AWS profile {name} for {EnvironmentName}", "it needs an MFA code (mfa_serial), which a hook cannot ask for",
                    $"use a profile without mfa_serial for {EnvironmentName}, or an SSO profile"));
            AWSCredentials source = options.SourceProfile switch
            {
                { } self when self == name && options.AccessKey is not null =>
                    options.Token is null ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
                        : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.Token),
                { } other => await FromProfileAsync(other, depth + 1, cancellationToken).ConfigureAwait(false),
                null => await DefaultChainAsync(cancellationToken).ConfigureAwait(false),
            };
            return await AssumeRoleAsync(source, roleArn, options.RoleSessionName, options.ExternalID, cancellationToken).ConfigureAwait(false);
        }

        if (!_profiles.Value.TryGetAWSCredentials(name, out var credentials))
            throw new EvidenceUnavailableException(new EvidenceFailure(
                $"AWS profile {name} for {EnvironmentName}",
                "the profile has no usable credentials (keys, credential_process, sso_* or role_arn with source_profile)",
                $"complete it: `aws configure --profile {name}` or `aws configure sso --profile {name}`"));
        return credentials;
    }

    /// <summary>Keys in the environment, then AWS_PROFILE, then the SDK's own chain (web identity, containers, instance metadata).</summary>
    private async Task<AWSCredentials> DefaultChainAsync(CancellationToken cancellationToken)
    {
        if (_variables.NonEmpty("AWS_ACCESS_KEY_ID") is { } keyId && _variables.NonEmpty("AWS_SECRET_ACCESS_KEY") is { } secret)
            return _variables.NonEmpty("AWS_SESSION_TOKEN") is { } token
                ? new SessionAWSCredentials(keyId, secret, token)
                : new BasicAWSCredentials(keyId, secret);
        if (_variables.NonEmpty("AWS_PROFILE") is { } profile)
            return await FromProfileAsync(profile, 0, cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => DefaultAWSCredentialsIdentityResolver.GetCredentials(), cancellationToken)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException e)
        {
            throw new NoCredentialsException("no credentials in the environment, the default profile, web identity, container or instance metadata", e);
        }
    }

    private async Task<AWSCredentials> AssumeRoleAsync(AWSCredentials source, string roleArn, string? sessionName, string? externalId,
        CancellationToken cancellationToken)
    {
        using var sts = CreateStsClient(source);
        AssumeRoleResponse response;
        try
        {
            response = await sts.AssumeRoleAsync(new AssumeRoleRequest
            {
                RoleArn = roleArn,
                RoleSessionName = sessionName ?? SessionName(),
                ExternalId = externalId,
                DurationSeconds = 900,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not NoCredentialsException and not EvidenceUnavailableException)
        {
            throw new AssumeRoleFailedException(roleArn, e);
        }
        var c = response.Credentials;
        return new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
    }

    private string SessionName()
    {
        var name = new string(("git-promote-" + EnvironmentName).Select(ch => char.IsAsciiLetterOrDigit(ch) || "+=,.@-_".Contains(ch) ? ch : '-').ToArray());
        return name.Length > 64 ? name[..64] : name;
    }

    private async Task<AwsCallerIdentity> ResolveIdentityAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var credentials = await GetCredentialsAsync(timeout.Token).ConfigureAwait(false);
        using var sts = CreateStsClient(credentials);
        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), timeout.Token).ConfigureAwait(false);
        return new AwsCallerIdentity(me.Account, me.Arn, me.UserId);
    }
}
