using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>
/// Per-environment credentials: named profiles (static keys, credential_process, assume-role, SSO), role_arn through
/// STS (moto), the default chain, and what a person is told when none of it works. The CodePipeline fake checks
/// signatures, so a passing read proves which keys were used.
/// </summary>
public sealed class CredentialTests : IDisposable
{
    private static readonly AwsSandbox Sandbox = AwsSandbox.UseForThisProcess();
    private readonly FakeCodePipeline _fake = new(AwsTestValues.Region);
    private readonly string _profile = AwsTestValues.UniqueName("p");
    private readonly string _sha = AwsTestValues.Sha(1);

    public CredentialTests() =>
        _fake.AddExecutions("orders-stg", new FakeExecution(FakeExecution.NewId(), "Succeeded", [_sha], DateTimeOffset.UtcNow));

    public void Dispose() => _fake.Dispose();

    private static readonly CodePipelineEvidence Pipeline = new("orders-stg", null, 100);

    private (AwsEvidenceProvider Provider, EnvironmentPolicy Environment) Open(AwsAccess access, params (string, string?)[] variables)
    {
        var stg = TestPolicies.Environment("stg", access, Pipeline, new SsmEvidence());
        var all = new Dictionary<string, string?>(Sandbox.EnvironmentFor(
            ("AWS_ENDPOINT_URL_CODEPIPELINE", _fake.Endpoint.ToString()),
            ("AWS_ENDPOINT_URL_STS", SharedMoto.Server.Endpoint.ToString()),
            ("AWS_ENDPOINT_URL_SSM", SharedMoto.Server.Endpoint.ToString())));
        foreach (var (k, v) in variables) all[k] = v;
        return (new AwsEvidenceProvider(TestPolicies.Policy("orders", TimeSpan.FromSeconds(5), stg), new FakeEnvironment(all)), stg);
    }

    private async Task<IReadOnlyList<GreenFact>> ReadPipeline(AwsAccess access, params (string, string?)[] variables)
    {
        var (provider, stg) = Open(access, variables);
        return await provider.OpenReader(stg, Pipeline).FindGreenAsync([_sha], default);
    }

    [Fact]
    public async Task A_static_keys_profile_signs_with_its_own_keys()
    {
        Sandbox.AddStaticProfile(_profile, FakeCodePipeline.AccessKeyId, FakeCodePipeline.SecretAccessKey);

        var found = await ReadPipeline(new AwsAccess(AwsTestValues.Region, _profile, null),
            ("AWS_ACCESS_KEY_ID", "AKIDIGNOREDBYPROFILE"), ("AWS_SECRET_ACCESS_KEY", "ignored"));

        Assert.Single(found);
        Assert.Equal(0, _fake.Rejected);
    }

    [Fact]
    public async Task A_profile_with_a_wrong_secret_is_refused_and_named()
    {
        Sandbox.AddStaticProfile(_profile, FakeCodePipeline.AccessKeyId, "stale-secret");

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => ReadPipeline(new AwsAccess(AwsTestValues.Region, _profile, null)));

        Assert.Contains($"stg (profile {_profile}, region eu-west-1)", error.Failure.What);
        Assert.Equal($"refresh the credentials of profile {_profile} (aws configure --profile {_profile}, or its credential_process)", error.Failure.Todo);
    }

    [Fact]
    public async Task A_credential_process_profile_runs_the_process()
    {
        var script = Sandbox.WriteScript($"{_profile}.sh", $$"""
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "{{FakeCodePipeline.AccessKeyId}}", "SecretAccessKey": "{{FakeCodePipeline.SecretAccessKey}}"}'
            """);
        Sandbox.AddCredentialProcessProfile(_profile, script);

        var found = await ReadPipeline(new AwsAccess(AwsTestValues.Region, _profile, null));

        Assert.Single(found);
        Assert.Equal(0, _fake.Rejected);
    }

    [Fact]
    public async Task An_assume_role_profile_acts_as_the_role()
    {
        var source = _profile + "-src";
        Sandbox.AddStaticProfile(source);
        Sandbox.AddAssumeRoleProfile(_profile, "arn:aws:iam::123456789012:role/deployer", source);
        var (provider, stg) = Open(new AwsAccess(AwsTestValues.Region, _profile, null));

        var me = await provider.GetCallerIdentityAsync(stg, default);

        Assert.Equal("123456789012", me.Account);
        Assert.StartsWith("arn:aws:sts::123456789012:assumed-role/deployer/", me.Arn);
    }

    [Fact]
    public async Task Role_arn_is_assumed_from_the_default_chain_with_a_session_named_for_the_environment()
    {
        var (provider, stg) = Open(new AwsAccess(AwsTestValues.Region, null, "arn:aws:iam::123456789012:role/ci-reader"),
            ("AWS_ACCESS_KEY_ID", AwsSandbox.TestKeyId), ("AWS_SECRET_ACCESS_KEY", AwsSandbox.TestSecret));

        var me = await provider.GetCallerIdentityAsync(stg, default);
        var recorder = await provider.GetRecorderAsync(stg, default);

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/ci-reader/git-promote-stg", me.Arn);
        Assert.Equal(me.Arn, recorder.Name);
    }

    [Fact]
    public async Task Without_any_credentials_the_failure_says_how_to_configure_them()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => ReadPipeline(new AwsAccess(AwsTestValues.Region, null, null)));

        Assert.Equal("no AWS credentials were found", error.Failure.Why);
        Assert.Contains("aws: { profile: ... }", error.Failure.Todo);
        Assert.Contains("AWS_PROFILE", error.Failure.Todo);
        Assert.Equal(0, _fake.Requests.Total);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task A_profile_that_does_not_exist_is_named()
    {
        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => ReadPipeline(new AwsAccess(AwsTestValues.Region, "no-such-profile", null)));

        Assert.StartsWith("no such profile in the shared config or credentials file, and no credentials of this process's own", error.Failure.Why);
        Assert.Contains("aws configure --profile no-such-profile", error.Failure.Todo);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")]
    public async Task A_profile_this_machine_lacks_is_stood_in_for_by_the_process_own_credentials_and_said(string own)
    {
        // A CodeBuild step: its role's keys (or its container credentials) and no ~/.aws; the committed policy names a profile.
        var variables = own == "AWS_ACCESS_KEY_ID"
            ? new[] { ("AWS_ACCESS_KEY_ID", (string?)FakeCodePipeline.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", FakeCodePipeline.SecretAccessKey) }
            : [("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")];
        var (provider, stg) = Open(new AwsAccess(AwsTestValues.Region, "orders-stg-not-here", null), variables);
        var access = provider.AccessFor(stg);

        Assert.True(access.ProfileStandsIn);
        Assert.Equal("this process's own credentials: profile orders-stg-not-here is not configured here", access.AccessDescription);
        if (own == "AWS_ACCESS_KEY_ID")
            Assert.Equal([_sha], (await provider.OpenReader(stg, Pipeline).FindGreenAsync([_sha], default)).Select(g => g.Commit));
    }

    [Fact]
    public async Task A_profile_that_exists_is_used_even_when_the_process_has_keys()
    {
        Sandbox.AddStaticProfile(_profile, FakeCodePipeline.AccessKeyId, "stale-secret");
        var (provider, stg) = Open(new AwsAccess(AwsTestValues.Region, _profile, null),
            ("AWS_ACCESS_KEY_ID", FakeCodePipeline.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", FakeCodePipeline.SecretAccessKey));

        Assert.False(provider.AccessFor(stg).ProfileStandsIn);
        await Assert.ThrowsAsync<EvidenceUnavailableException>(() => provider.OpenReader(stg, Pipeline).FindGreenAsync([_sha], default));
    }

    [Fact]
    public async Task An_SSO_profile_without_a_live_session_says_to_log_in()
    {
        Sandbox.AddSsoProfile(_profile, $"https://{_profile}.awsapps.com/start", "123456789012", "ReadOnly", "eu-west-1");

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => ReadPipeline(new AwsAccess(AwsTestValues.Region, _profile, null)));

        Assert.Equal($"aws sso login --profile {_profile}", error.Failure.Todo);
        Assert.Equal(0, _fake.Requests.Total);
    }

    [Fact]
    public void The_region_comes_from_the_policy_then_the_environment_then_the_profile()
    {
        Sandbox.AddStaticProfile(_profile, region: "ap-southeast-2");

        Assert.Equal("eu-central-1", new AwsEnvironmentAccess("stg", new AwsAccess("eu-central-1", _profile, null),
            AwsTestValues.Variables(("AWS_REGION", "us-west-2")), TimeSpan.FromSeconds(1)).Region);
        Assert.Equal("us-west-2", new AwsEnvironmentAccess("stg", new AwsAccess(null, _profile, null), AwsTestValues.Variables(("AWS_REGION", "us-west-2")),
            TimeSpan.FromSeconds(1)).Region);
        Assert.Equal("us-east-2", new AwsEnvironmentAccess("stg", new AwsAccess(null, _profile, null),
            AwsTestValues.Variables(("AWS_DEFAULT_REGION", "us-east-2")), TimeSpan.FromSeconds(1)).Region);
        Assert.Equal("ap-southeast-2", new AwsEnvironmentAccess("stg", new AwsAccess(null, _profile, null), AwsTestValues.Variables(),
            TimeSpan.FromSeconds(1)).Region);
    }

    [Fact]
    public async Task Without_a_region_the_failure_says_where_to_set_one()
    {
        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => ReadPipeline(new AwsAccess(null, null, null)));

        Assert.Contains("set `aws: { region: ... }` for stg", error.Failure.Todo);
    }
}
