using System.Net;
using System.Text;
using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>
/// Keeps the fake honest: the real AWS CLI (botocore, a client nobody here wrote) signs requests the fake accepts,
/// accepts the fake's answers, pages through them with nextToken, and is refused when it signs with a wrong secret.
/// </summary>
public sealed class FakeCodePipelineFidelityTests : IDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private readonly FakeCodePipeline _fake = new("eu-west-1");
    private readonly AwsSandbox _sandbox = new();

    public FakeCodePipelineFidelityTests() =>
        // ISO output proves botocore parsed the timestamps (the CLI's default prints them as they came).
        File.WriteAllText(_sandbox.ConfigFile, "[default]\ncli_timestamp_format = iso8601\n");

    public void Dispose()
    {
        _fake.Dispose();
        _sandbox.Dispose();
    }

    private Dictionary<string, string?> CliEnvironment(string secret = FakeCodePipeline.SecretAccessKey) =>
        _sandbox.EnvironmentFor(
            ("AWS_ACCESS_KEY_ID", FakeCodePipeline.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_MAX_ATTEMPTS", "1"));

    private Task<AwsCli.Result> ListExecutions(Dictionary<string, string?> environment, params string[] extra) =>
        AwsCli.RunAsync(environment, CliTimeout, ["codepipeline", "list-pipeline-executions", "--pipeline-name", "orders-stg",
            "--endpoint-url", _fake.Endpoint.ToString().TrimEnd('/'), "--region", "eu-west-1", "--output", "json", .. extra]);

    private void Seed(int count)
    {
        var now = DateTimeOffset.UtcNow;
        _fake.AddExecutions("orders-stg", Enumerable.Range(0, count)
            .Select(i => new FakeExecution(FakeExecution.NewId(), i % 3 == 0 ? "Failed" : "Succeeded", [AwsTestValues.Sha(i)], now.AddMinutes(-i),
                i % 2 == 0 ? new HashSet<string> { "Source", "Deploy" } : new HashSet<string> { "Source" }))
            .ToArray());
    }

    [Fact]
    public async Task The_AWS_CLI_signs_requests_the_fake_accepts_and_parses_its_answers()
    {
        Seed(3);

        var result = await ListExecutions(CliEnvironment());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(0, _fake.Rejected);
        using var output = JsonDocument.Parse(result.Stdout);
        var executions = output.RootElement.GetProperty("pipelineExecutionSummaries").EnumerateArray().ToList();
        Assert.Equal(3, executions.Count);
        Assert.Equal(40, executions[0].GetProperty("sourceRevisions")[0].GetProperty("revisionId").GetString()!.Length);
        // botocore turned our epoch-second timestamps into ISO dates: it understood the shape.
        Assert.True(DateTimeOffset.TryParse(executions[0].GetProperty("lastUpdateTime").GetString(), out var updated));
        Assert.InRange(updated, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task The_AWS_CLI_pages_through_the_fake_with_nextToken()
    {
        Seed(230);

        var result = await ListExecutions(CliEnvironment(), "--page-size", "100");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var output = JsonDocument.Parse(result.Stdout);
        Assert.Equal(230, output.RootElement.GetProperty("pipelineExecutionSummaries").GetArrayLength());
        Assert.Equal(3, _fake.Requests["ListPipelineExecutions"]);
    }

    [Fact]
    public async Task The_AWS_CLI_stage_filter_reaches_the_fake()
    {
        Seed(10);

        var result = await ListExecutions(CliEnvironment(), "--filter", "succeededInStage={stageName=Deploy}");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var output = JsonDocument.Parse(result.Stdout);
        Assert.Equal(5, output.RootElement.GetProperty("pipelineExecutionSummaries").GetArrayLength());
        Assert.Equal("Deploy", _fake.ReceivedListRequests.Single()["filter"]!["succeededInStage"]!["stageName"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_AWS_CLI_signing_with_a_wrong_secret_is_refused()
    {
        Seed(1);

        var result = await ListExecutions(CliEnvironment(secret: "wrong-secret"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("InvalidSignatureException", result.Stderr);
        Assert.True(_fake.Rejected >= 1);
    }

    [Fact]
    public async Task The_AWS_CLI_reads_the_fake_error_shape()
    {
        var result = await ListExecutions(CliEnvironment());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("PipelineNotFoundException", result.Stderr);
        Assert.Contains("does not have a pipeline with name 'orders-stg'", result.Stderr);
    }

    [Fact]
    public async Task An_unsigned_request_is_refused_with_the_AWS_error_shape()
    {
        Seed(1);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _fake.Endpoint)
        {
            Content = new StringContent("""{"pipelineName":"orders-stg"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "CodePipeline_20150709.ListPipelineExecutions");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("MissingAuthenticationTokenException", body.RootElement.GetProperty("__type").GetString());
        Assert.Equal(1, _fake.Rejected);
    }
}
