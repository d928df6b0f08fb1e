using System.Diagnostics;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>CodePipeline evidence through our JSON 1.1 client against the signing-checking fake.</summary>
public sealed class CodePipelineEvidenceTests : IDisposable
{
    private const string PipelineName = "orders-stg";
    private readonly FakeCodePipeline _fake = new(AwsTestValues.Region);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public void Dispose() => _fake.Dispose();

    private IEvidenceReader Reader(string? stage = null, int maxExecutions = CodePipelineEvidence.DefaultMaxExecutions,
        TimeSpan? timeout = null, string secret = FakeCodePipeline.SecretAccessKey, string region = AwsTestValues.Region)
    {
        var source = new CodePipelineEvidence(PipelineName, stage, maxExecutions);
        var stg = TestPolicies.Environment("stg", new AwsAccess(region, null, null), source);
        var variables = AwsTestValues.Variables(
            ("AWS_ACCESS_KEY_ID", FakeCodePipeline.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_ENDPOINT_URL_CODEPIPELINE", _fake.Endpoint.ToString()));
        return new AwsEvidenceProvider(TestPolicies.Policy("orders", timeout, stg), variables).OpenReader(stg, source);
    }

    private FakeExecution Execution(string status, string revision, int minutesAgo, params string[] stages) =>
        new(FakeExecution.NewId(), status, [revision], _now.AddMinutes(-minutesAgo), stages.ToHashSet());

    /// <summary>Executions newest first: index 0 is a minute old, each next one a minute older.</summary>
    private List<string> SeedHistory(int count, string status = "Succeeded")
    {
        var shas = Enumerable.Range(0, count).Select(AwsTestValues.Sha).ToList();
        _fake.AddExecutions(PipelineName, shas.Select((sha, i) => Execution(status, sha, i + 1)).ToArray());
        return shas;
    }

    [Fact]
    public async Task A_succeeded_execution_of_the_commit_makes_it_green()
    {
        var green = AwsTestValues.Sha(1);
        var failed = AwsTestValues.Sha(2);
        var execution = Execution("Succeeded", green, 10);
        _fake.AddExecutions(PipelineName, execution, Execution("Failed", failed, 5), Execution("InProgress", AwsTestValues.Sha(3), 1));

        var found = await Reader().FindGreenAsync([green, failed, AwsTestValues.Sha(3)], default);

        var fact = Assert.Single(found);
        Assert.Equal(green, fact.Commit);
        Assert.Equal($"{PipelineName} execution {execution.Id}", fact.RecordedBy);
        Assert.Equal(execution.LastUpdateTime.ToUnixTimeSeconds(), fact.RecordedAt!.Value.ToUnixTimeSeconds());
        Assert.Equal(0, _fake.Rejected);
    }

    [Fact]
    public async Task With_a_stage_an_execution_that_passed_the_stage_counts_whatever_its_overall_status()
    {
        var deployedThenFailed = AwsTestValues.Sha(1);
        var succeededWithoutDeploy = AwsTestValues.Sha(2);
        _fake.AddExecutions(PipelineName,
            Execution("Failed", deployedThenFailed, 5, "Source", "Build", "Deploy"),
            Execution("Succeeded", succeededWithoutDeploy, 3, "Source", "Build"));

        var found = await Reader(stage: "Deploy").FindGreenAsync([deployedThenFailed, succeededWithoutDeploy], default);

        Assert.Equal([deployedThenFailed], found.Select(f => f.Commit));
        var request = Assert.Single(_fake.ReceivedListRequests);
        Assert.Equal("Deploy", request["filter"]!["succeededInStage"]!["stageName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pages_are_read_newest_first_until_the_commit_is_found()
    {
        var history = SeedHistory(250);

        var found = await Reader().FindGreenAsync([history[230]], default);

        Assert.Equal([history[230]], found.Select(f => f.Commit));
        Assert.Equal(3, _fake.Requests["ListPipelineExecutions"]);
        Assert.All(_fake.ReceivedListRequests, r => Assert.Equal(100, r["maxResults"]!.GetValue<int>()));
        Assert.Null(_fake.ReceivedListRequests[0]["nextToken"]);
        Assert.NotNull(_fake.ReceivedListRequests[1]["nextToken"]);
    }

    [Fact]
    public async Task Many_commits_are_matched_in_one_scan_that_stops_when_all_are_found()
    {
        var history = SeedHistory(400);
        var pushed = new[] { history[3], history[50], history[150] };

        var found = await Reader().FindGreenAsync(pushed, default);

        Assert.Equal(pushed.Order(), found.Select(f => f.Commit).Order());
        Assert.Equal(2, _fake.Requests.Total);
    }

    [Fact]
    public async Task The_scan_is_bounded_by_max_executions()
    {
        var history = SeedHistory(300);

        var found = await Reader(maxExecutions: 120).FindGreenAsync([history[150], AwsTestValues.Sha(999)], default);

        Assert.Empty(found);
        Assert.Equal(2, _fake.Requests.Total);
        Assert.Equal([100, 20], _fake.ReceivedListRequests.Select(r => r["maxResults"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Listing_green_collects_distinct_commits_of_succeeded_executions()
    {
        var history = SeedHistory(30);
        _fake.AddExecutions(PipelineName, Execution("Failed", AwsTestValues.Sha(77), 0));

        var listed = await Reader().ListGreenAsync(10, default);

        Assert.Equal(history.Take(10), listed.Select(f => f.Commit));
    }

    [Fact]
    public async Task Throttling_is_retried_inside_the_deadline()
    {
        var history = SeedHistory(3);
        _fake.Inject(FakeFault.Throttling, times: 2);
        _fake.Inject(FakeFault.InternalError, times: 1);

        var found = await Reader().FindGreenAsync([history[1]], default);

        Assert.Equal([history[1]], found.Select(f => f.Commit));
        Assert.Equal(4, _fake.Requests.Total);
    }

    [Fact]
    public async Task Throttling_beyond_the_deadline_fails_in_time_and_says_it_was_throttled()
    {
        SeedHistory(3);
        _fake.Inject(FakeFault.Throttling, times: 1000);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Reader(timeout: TimeSpan.FromSeconds(1)).FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        Assert.Contains("throttling", error.Failure.Why);
        Assert.True(_fake.Requests.Total >= 2, "retried at least once");
    }

    [Fact]
    public async Task A_slow_service_fails_at_the_deadline_not_later()
    {
        SeedHistory(3);
        _fake.Delay = TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Reader(timeout: TimeSpan.FromSeconds(1)).FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        Assert.Contains("no answer within the time allowed (1s)", error.Failure.Why);
    }

    public static TheoryData<FakeFault, string, string> Faults => new()
    {
        { FakeFault.AccessDenied, "access denied (AccessDeniedException)", "allow codepipeline:ListPipelineExecutions on pipeline orders-stg" },
        { FakeFault.ExpiredToken, "the credentials have expired (ExpiredTokenException)", "refresh your AWS credentials" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Each_refusal_becomes_a_failure_that_says_what_to_do(FakeFault fault, string why, string todo)
    {
        SeedHistory(1);
        _fake.Inject(fault);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => Reader().FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.StartsWith(why, error.Failure.Why);
        Assert.StartsWith(todo, error.Failure.Todo);
        Assert.Contains("codepipeline:ListPipelineExecutions", error.Failure.What);
        Assert.Contains("stg (default credentials, region eu-west-1)", error.Failure.What);
        Assert.Equal(1, _fake.Requests.Total); // not retried
    }

    [Fact]
    public async Task A_missing_pipeline_says_to_check_the_policy()
    {
        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => Reader().FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.Contains("the pipeline does not exist", error.Failure.Why);
        Assert.Contains("does not have a pipeline with name 'orders-stg'", error.Failure.Why);
        Assert.Contains("codepipeline: { pipeline: ... }", error.Failure.Todo);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_signature_check()
    {
        SeedHistory(1);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Reader(secret: "not-the-secret").FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.StartsWith("AWS rejected the credentials (InvalidSignatureException)", error.Failure.Why);
        Assert.Equal(1, _fake.Rejected);
        Assert.DoesNotContain("not-the-secret", error.Failure.ToString());
    }

    [Fact]
    public async Task A_request_signed_for_another_region_is_refused()
    {
        SeedHistory(1);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => Reader(region: "us-east-2").FindGreenAsync([AwsTestValues.Sha(1)], default));

        Assert.Contains("scoped to a valid region", error.Failure.Why);
        Assert.Equal(1, _fake.Rejected);
    }
}
