using System.Net;
using Amazon.Runtime;
using GitPromote.Aws.Access;
using GitPromote.Aws.Doctor;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

public sealed class DoctorAndProviderTests : IDisposable
{
    private readonly FakeCodePipeline _fake = new(AwsTestValues.Region);

    public void Dispose() => _fake.Dispose();

    private AwsEvidenceProvider Provider(PromotionPolicy policy, params (string, string?)[] extra) =>
        new(policy, AwsTestValues.Variables([
            ("AWS_ACCESS_KEY_ID", FakeCodePipeline.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", FakeCodePipeline.SecretAccessKey),
            ("AWS_ENDPOINT_URL", SharedMoto.Server.Endpoint.ToString()),
            ("AWS_ENDPOINT_URL_CODEPIPELINE", _fake.Endpoint.ToString()), .. extra]));

    [Fact]
    public async Task Doctor_reports_region_account_ssm_and_pipeline_when_all_is_well()
    {
        _fake.AddExecutions("orders-stg", new FakeExecution("11111111-2222-3333-4444-555555555555", "Failed", [AwsTestValues.Sha(1)], DateTimeOffset.UtcNow));
        var stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence(),
            new CodePipelineEvidence("orders-stg", null, 100));
        var policy = TestPolicies.Policy(AwsTestValues.UniqueName(), null, stg);

        var checks = await new AwsDoctor(policy, Provider(policy)).CheckAllAsync(default);

        Assert.Equal(["region", "credentials", "ssm read", "codepipeline orders-stg", "ssm records", "ssm audit records"], checks.Select(c => c.Name));
        Assert.False(checks[4].Warning);
        Assert.False(checks[5].Warning);
        Assert.Matches(@"^every parameter under /promote/[^ ]+/stg/bypass/, /promote/[^ ]+/stg/revoked/ and /promote/[^ ]+/stg/revoked-lifted/ is a record$",
            checks[5].Detail);
        Assert.Matches(@"^0 parameters under /promote/[^ ]+/stg/ \(the account's standard tier holds 10000\)$", checks[4].Detail);
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Name}: {c.Detail}"));
        Assert.Equal("eu-west-1", checks[0].Detail);
        Assert.StartsWith("account 123456789012 as arn:aws:", checks[1].Detail);
        Assert.Contains("11111111-2222-3333-4444-555555555555 (Failed)", checks[3].Detail);
        Assert.Equal(1, (_fake.ReceivedListRequests.Single()["maxResults"]!).GetValue<int>());
    }

    [Fact]
    public async Task Doctor_says_which_pipeline_is_missing_and_what_to_do()
    {
        var stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new CodePipelineEvidence("no-such-pipeline", "Deploy", 100));
        var policy = TestPolicies.Policy("orders", null, stg);

        var checks = await new AwsDoctor(policy, Provider(policy)).CheckAsync(stg, default);

        var pipeline = Assert.Single(checks, c => c.Name == "codepipeline no-such-pipeline");
        Assert.False(pipeline.Ok);
        Assert.Contains("does not have a pipeline with name 'no-such-pipeline'", pipeline.Detail);
        Assert.NotNull(pipeline.Todo);
    }

    [Fact]
    public async Task Doctor_stops_at_credentials_when_they_do_not_resolve()
    {
        var stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, "missing-profile", null), new SsmEvidence());
        var policy = TestPolicies.Policy("orders", null, stg);

        // A person's machine: no keys in the environment (keys would stand in for the missing profile, as in a build).
        var checks = await new AwsDoctor(policy, Provider(policy, ("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null))).CheckAsync(stg, default);

        Assert.Equal(["region", "credentials"], checks.Select(c => c.Name));
        Assert.False(checks[1].Ok);
        Assert.Contains("aws configure --profile missing-profile", checks[1].Todo);
    }

    [Fact]
    public async Task Doctor_skips_environments_without_AWS()
    {
        var dev = TestPolicies.Environment("dev", null, new GitEvidence());
        var policy = TestPolicies.Policy("orders", null, dev);

        Assert.Empty(await new AwsDoctor(policy, Provider(policy)).CheckAllAsync(default));
    }

    [Fact]
    public async Task A_codepipeline_only_environment_cannot_be_recorded_to_and_says_why()
    {
        var stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new CodePipelineEvidence("orders-stg", null, 100));
        var store = Provider(TestPolicies.Policy("orders", null, stg)).OpenStore(stg);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            store.RecordBypassAsync(new BypassRecord("stg", AwsTestValues.Sha(1), "refs/heads/main", "OPS-1: something broke", Identity.Unknown,
                DateTimeOffset.UtcNow), default));

        Assert.Contains("cannot write", error.Failure.Why);
        Assert.Contains("- ssm: {}", error.Failure.Todo);
    }

    [Fact]
    public void Git_evidence_is_not_opened_by_the_AWS_provider()
    {
        var dev = TestPolicies.Environment("dev", null, new GitEvidence());
        Assert.Throws<ArgumentException>(() => Provider(TestPolicies.Policy("orders", null, dev)).OpenReader(dev, new GitEvidence()));
    }

    [Fact]
    public async Task Sources_of_one_environment_resolve_credentials_once()
    {
        var script = AwsSandbox.UseForThisProcess().WriteScript($"count-{Guid.NewGuid():N}.sh", $$"""
            #!/bin/sh
            echo x >> "$0.calls"
            echo '{"Version": 1, "AccessKeyId": "{{FakeCodePipeline.AccessKeyId}}", "SecretAccessKey": "{{FakeCodePipeline.SecretAccessKey}}"}'
            """);
        var profile = AwsTestValues.UniqueName("cp");
        AwsSandbox.UseForThisProcess().AddCredentialProcessProfile(profile, script);
        _fake.AddPipeline("orders-stg");
        var pipeline = new CodePipelineEvidence("orders-stg", null, 100);
        var stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, profile, null), new SsmEvidence(), pipeline);
        var provider = Provider(TestPolicies.Policy(AwsTestValues.UniqueName(), null, stg));

        await Task.WhenAll(
            provider.OpenReader(stg, new SsmEvidence()).FindGreenAsync([AwsTestValues.Sha(1)], default),
            provider.OpenReader(stg, pipeline).FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.Single(File.ReadAllLines(script + ".calls"));
    }
}

/// <summary>How AWS errors read to a person: the table of what we say for each class of failure.</summary>
public sealed class FailureMessageTests
{
    private static readonly AwsEnvironmentAccess SsoProfile = Access(new AwsAccess("eu-west-1", "orders-stg", null));
    private static readonly AwsOperation GetParameters = new("ssm:GetParameters", "/promote/orders/stg/green/*");

    /// <summary>A person's machine: profiles, no keys in the environment (keys would stand in for a profile it lacks).</summary>
    private static AwsEnvironmentAccess Access(AwsAccess access) =>
        new("stg", access, AwsTestValues.Variables(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null)), TimeSpan.FromSeconds(10));

    public static TheoryData<string, HttpStatusCode, string, string> ServiceErrors => new()
    {
        { "AccessDeniedException", HttpStatusCode.BadRequest,
            "access denied (AccessDeniedException): the identity may not call ssm:GetParameters on /promote/orders/stg/green/*",
                "allow ssm:GetParameters on /promote/orders/stg/green/*" },
        { "ExpiredTokenException", HttpStatusCode.BadRequest, "the credentials have expired (ExpiredTokenException)",
            "refresh the credentials of profile orders-stg" },
        { "UnrecognizedClientException", HttpStatusCode.BadRequest, "AWS rejected the credentials (UnrecognizedClientException)",
            "refresh the credentials of profile orders-stg" },
        { "ThrottlingException", HttpStatusCode.BadRequest, "AWS kept throttling the requests (ThrottlingException)", "try again in a moment" },
        { "InternalServerError", HttpStatusCode.InternalServerError, "AWS answered with a server error (500 InternalServerError)",
            "check the region eu-west-1 (is it a real region, enabled for this account?); else try again in a moment" },
        { "", HttpStatusCode.InternalServerError, "AWS answered with a server error (500) on every attempt", "check the region eu-west-1" },
    };

    [Theory]
    [MemberData(nameof(ServiceErrors))]
    public void Service_errors_say_what_failed_and_what_to_do(string code, HttpStatusCode status, string why, string todo)
    {
        var error = new AmazonServiceException("boom", ErrorType.Sender, code, "req-1", status);

        var failure = AwsFailures.Describe(error, SsoProfile, GetParameters, TimeSpan.FromSeconds(10));

        Assert.StartsWith(why, failure.Why);
        Assert.StartsWith(todo, failure.Todo);
        Assert.Equal("ssm:GetParameters on /promote/orders/stg/green/* for stg (profile orders-stg, region eu-west-1)", failure.What);
    }

    [Fact]
    public void A_denied_AssumeRole_is_named_as_the_AssumeRole_with_the_trust_policy_to_check_not_as_the_call_it_was_for()
    {
        const string Role = "arn:aws:iam::111111111111:role/promote-orders-dev-evidence-reader";
        var denied = new AmazonServiceException("not authorized to perform sts:AssumeRole", ErrorType.Sender, "AccessDenied", "req-2",
            HttpStatusCode.Forbidden);
        var error = new AggregateException(new AssumeRoleFailedException(Role, denied));

        var failure = AwsFailures.Describe(error, Access(new AwsAccess("eu-west-1", null, Role)), GetParameters, TimeSpan.FromSeconds(10));

        Assert.StartsWith($"sts:AssumeRole on {Role} for stg", failure.What);
        Assert.Contains("needed for ssm:GetParameters", failure.What);
        Assert.StartsWith("access denied (AccessDenied)", failure.Why);
        Assert.StartsWith($"check the trust policy of {Role}", failure.Todo);
        Assert.DoesNotContain("allow ssm:GetParameters", failure.ToString());
    }

    [Fact]
    public void A_web_page_where_an_AWS_answer_belongs_names_the_endpoint_variable()
    {
        var access = new AwsEnvironmentAccess("stg", new AwsAccess("eu-west-1", null, null),
            AwsTestValues.Variables(("AWS_ENDPOINT_URL", "http://intranet.example/")), TimeSpan.FromSeconds(10));
        var error = new AmazonServiceException("<!DOCTYPE html><html><body>Welcome to nginx</body></html>", ErrorType.Unknown, "", "",
            HttpStatusCode.OK);

        var failure = AwsFailures.Describe(error, access, GetParameters, TimeSpan.FromSeconds(10));

        Assert.StartsWith("the endpoint answered ssm:GetParameters with a web page", failure.Why);
        Assert.Contains("AWS_ENDPOINT_URL=http://intranet.example/", failure.Todo);
    }

    [Fact]
    public void An_expired_SSO_session_says_to_log_in_with_the_profile()
    {
        var error = new AmazonClientException("The SSO session associated with this profile has expired or is otherwise invalid.");

        var failure = AwsFailures.Describe(error, SsoProfile, GetParameters, TimeSpan.FromSeconds(10));

        Assert.Equal("aws sso login --profile orders-stg", failure.Todo);
    }

    [Fact]
    public void Network_errors_name_the_cause()
    {
        var error = new HttpRequestException("Connection refused (ssm.eu-west-1.amazonaws.com:443)");

        var failure = AwsFailures.Describe(error, Access(new AwsAccess("eu-west-1", null, null)), GetParameters, TimeSpan.FromSeconds(10));

        Assert.Equal("cannot reach AWS: Connection refused (ssm.eu-west-1.amazonaws.com:443)", failure.Why);
        Assert.StartsWith("check the network", failure.Todo);
    }

    [Theory]
    [InlineData("credential_process failed: aws_secret_access_key=abc123XYZ", "abc123XYZ")]
    [InlineData("key AKIAABCDEFGHIJKLMNOP was rejected", "AKIAABCDEFGHIJKLMNOP")]
    [InlineData("token: FQoGZXIvYXdzEJr", "FQoGZXIvYXdzEJr")]
    public void Secrets_never_reach_the_message(string message, string secret)
    {
        var failure = AwsFailures.Describe(new AmazonServiceException(message, ErrorType.Sender, "SomethingOdd", "r", HttpStatusCode.BadRequest),
            SsoProfile, GetParameters, TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(secret, failure.ToString());
    }
}

public sealed class CodePipelineErrorShapeTests
{
    [Theory]
    [InlineData("com.amazonaws.codepipeline#PipelineNotFoundException", "PipelineNotFoundException")]
    [InlineData("ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/", "ThrottlingException")]
    [InlineData("AccessDeniedException", "AccessDeniedException")]
    public void The_error_code_is_read_from_any_form_of___type(string type, string code)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"__type":"{{type}}","message":"m"}""");

        var error = GitPromote.Aws.CodePipeline.CodePipelineClient.ErrorOf(HttpStatusCode.BadRequest, body);

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("m", error.Message);
    }

    [Fact]
    public void A_body_that_is_not_json_still_gives_an_error_with_the_status()
    {
        var error = GitPromote.Aws.CodePipeline.CodePipelineClient.ErrorOf(HttpStatusCode.BadGateway, "<html>bad gateway</html>"u8.ToArray());

        Assert.Equal("UnknownError", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
    }
}
