using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

public enum AwsFailure { NoCredentials, ExpiredSsoSession, AccessDenied, ExpiredToken, ThrottledBeyondRetries, NetworkDown, DeadlinePassed }

/// <summary>
/// When AWS cannot answer, a push to prd is blocked (or, with <c>on_error: allow</c>, let through with a warning) with one
/// short message naming the environment, the profile, the region, what failed and what to do; never a stack trace, and
/// never later than the policy's <c>timeout</c> (2 s here) plus process start-up.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class AwsFailureTests : IDisposable
{
    private const string Profile = "orders-stg";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public AwsFailureTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    /// <summary>How each failure is made, and what the message must say about it.</summary>
    private sealed record Case(string StgEvidence, string StgAws, string Who, string[] Says);

    private Case Arrange(AwsFailure failure)
    {
        const string ssm = "- ssm: {}";
        const string pipeline = "- codepipeline: { pipeline: orders-stg }";
        const string withProfile = $"{{ region: eu-west-1, profile: {Profile} }}";
        const string who = $"stg (profile {Profile}, region eu-west-1)";
        switch (failure)
        {
            case AwsFailure.NoCredentials:
                _aws.WithoutEnvironmentKeys();
                return new(ssm, "{ region: eu-west-1 }", "stg (default credentials, region eu-west-1)",
                    ["ssm:GetParameters", "no AWS credentials were found", "AWS_ACCESS_KEY_ID"]);
            case AwsFailure.ExpiredSsoSession:
                _aws.WithoutEnvironmentKeys();
                _aws.AddSsoProfile(Profile);
                return new(ssm, withProfile, who, ["SSO session has expired", $"what to do: aws sso login --profile {Profile}"]);
            case AwsFailure.AccessDenied:
                _aws.AddStaticProfile(Profile);
                _aws.Pipelines.Inject(FakeFault.AccessDenied, 50);
                return new(pipeline, withProfile, who,
                    ["access denied", "codepipeline:ListPipelineExecutions on pipeline orders-stg", "what to do: allow codepipeline:ListPipelineExecutions"]);
            case AwsFailure.ExpiredToken:
                _aws.AddStaticProfile(Profile);
                _aws.Pipelines.Inject(FakeFault.ExpiredToken, 50);
                return new(pipeline, withProfile, who, ["the credentials have expired", $"what to do: refresh the credentials of profile {Profile}"]);
            case AwsFailure.ThrottledBeyondRetries:
                _aws.AddStaticProfile(Profile);
                _aws.Pipelines.Inject(FakeFault.Throttling, 1000);
                return new(pipeline, withProfile, who, ["kept throttling", "what to do: try again in a moment"]);
            case AwsFailure.NetworkDown:
                _aws.AddStaticProfile(Profile);
                _s.Environment["AWS_ENDPOINT_URL_SSM"] = $"http://127.0.0.1:{FreePort.Next()}/";
                return new(ssm, withProfile, who, ["ssm:GetParameters", "cannot reach AWS", "what to do: check the network"]);
            case AwsFailure.DeadlinePassed:
                _aws.AddStaticProfile(Profile);
                _aws.Pipelines.AddPipeline("orders-stg");
                _aws.Pipelines.Delay = TimeSpan.FromSeconds(30);
                return new(pipeline, withProfile, who, ["no answer within the time allowed (2s)", "what to do:", "timeout"]);
            default:
                throw new ArgumentOutOfRangeException(nameof(failure));
        }
    }

    public static TheoryData<AwsFailure, string> Failures()
    {
        var data = new TheoryData<AwsFailure, string>();
        foreach (var failure in Enum.GetValues<AwsFailure>())
        {
            data.Add(failure, "block");
            data.Add(failure, "allow");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void When_aws_cannot_answer_the_push_is_blocked_or_allowed_by_on_error_with_one_short_message_in_time(AwsFailure failure, string onError)
    {
        var c = Arrange(failure);
        // prd keeps its records in git here, so stg is the only AWS environment the push touches.
        var app = _s.Project(_aws.Policy(stgEvidence: c.StgEvidence, stgAws: c.StgAws, prdEvidence: "- git: {}", prdAws: null,
            onError: onError, timeout: "2s"));
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

        var (push, elapsed) = _aws.TimedPush(app, "prd", "main");

        var prd = _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main");
        if (onError == "block")
        {
            Assert.NotEqual(0, push.ExitCode);
            Assert.Contains("push to prd refused", push.Stderr);
            Assert.Contains($"could not tell whether {head[..12]} is green in stg", push.Stderr);
            Assert.Equal("", prd);
        }
        else if (c.StgEvidence.Contains("ssm", StringComparison.Ordinal) || failure == AwsFailure.DeadlinePassed)
        {
            // stg's revocations were not read (its SSM store is what failed, or time ran out): refused whatever on_error says.
            Assert.NotEqual(0, push.ExitCode);
            Assert.Contains("push to prd refused", push.Stderr);
            Assert.Contains("could not read the revocations of stg", push.Stderr);
            Assert.DoesNotContain("allowed without evidence", push.Stderr);
            Assert.Equal("", prd);
        }
        else
        {
            // Only CodePipeline failed; stg's revocations were read: on_error: allow lets it through.
            push.EnsureOk();
            Assert.Contains($"WARNING prd/main <- {head[..12]} allowed without evidence (on_error: allow)", push.Stderr);
            Assert.Equal(head, prd);
        }
        Assert.Contains(c.Who, push.Stderr);
        foreach (var words in c.Says) Assert.Contains(words, push.Stderr);
        Assert.DoesNotContain("   at ", push.Stderr);
        Assert.DoesNotContain("System.", push.Stderr);
        Assert.DoesNotContain(FakeCodePipeline.SecretAccessKey, push.Stderr);
        Assert.InRange(push.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l =>
            !l.StartsWith("error: failed to push", StringComparison.Ordinal) && !l.StartsWith("To ", StringComparison.Ordinal)
                && !l.StartsWith(" * ", StringComparison.Ordinal)), 2, 8);
        Assert.True(elapsed < Timeout + Slack, $"the push took {elapsed.TotalSeconds:0.00}s, more than the 2s timeout + {Slack.TotalSeconds}s slack");
    }
}
