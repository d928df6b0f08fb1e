using System.Text.Json;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>The SSM layout interoperates with the real AWS CLI both ways: a pipeline needs nothing but `aws ssm`.</summary>
public sealed class SsmInteropTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private readonly string _service = AwsTestValues.UniqueName();
    private readonly EnvironmentPolicy _stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence());

    private AwsEvidenceProvider Provider() =>
        new(TestPolicies.Policy(_service, null, _stg), AwsTestValues.Variables(("AWS_ENDPOINT_URL_SSM", SharedMoto.Server.Endpoint.ToString())));

    private static Dictionary<string, string?> CliEnvironment() => AwsSandbox.UseForThisProcess().EnvironmentFor(
        ("AWS_ACCESS_KEY_ID", AwsSandbox.TestKeyId), ("AWS_SECRET_ACCESS_KEY", AwsSandbox.TestSecret),
        ("AWS_DEFAULT_REGION", AwsTestValues.Region), ("AWS_ENDPOINT_URL", SharedMoto.Server.Endpoint.ToString()));

    [Fact]
    public async Task Green_written_by_aws_ssm_put_parameter_is_read_by_us()
    {
        var plain = AwsTestValues.Sha(1);
        var json = AwsTestValues.Sha(2);
        var put1 = await AwsCli.RunAsync(CliEnvironment(), CliTimeout, "ssm", "put-parameter",
            "--name", $"/promote/{_service}/stg/green/{plain}", "--type", "String", "--value", "build 42 ok");
        var put2 = await AwsCli.RunAsync(CliEnvironment(), CliTimeout, "ssm", "put-parameter",
            "--name", $"/promote/{_service}/stg/green/{json}", "--type", "String",
            "--value", """{"recordedAt":"2025-02-03T04:05:06Z","recordedBy":"codebuild:orders-stg","pipelineExecutionId":"e-1"}""");
        Assert.True(put1.ExitCode == 0, put1.Stderr);
        Assert.True(put2.ExitCode == 0, put2.Stderr);

        var found = (await Provider().OpenReader(_stg, new SsmEvidence()).FindGreenAsync([plain, json, AwsTestValues.Sha(3)], default))
            .ToDictionary(f => f.Commit);

        Assert.Equal(new[] { json, plain }.Order(), found.Keys.Order());
        Assert.Equal("codebuild:orders-stg", found[json].RecordedBy);
        Assert.Equal(new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero), found[json].RecordedAt);
        Assert.Null(found[plain].RecordedBy);
    }

    [Fact]
    public async Task Green_recorded_by_us_is_read_by_aws_ssm_get_parameter()
    {
        var sha = AwsTestValues.Sha(4);
        await Provider().OpenStore(_stg).RecordGreenAsync(sha, new Identity("Ann", "ann@example.com"),
            new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.Zero), default);

        var get = await AwsCli.RunAsync(CliEnvironment(), CliTimeout, "ssm", "get-parameter", "--name", $"/promote/{_service}/stg/green/{sha}", "--output",
            "json");

        Assert.True(get.ExitCode == 0, get.Stderr);
        using var document = JsonDocument.Parse(get.Stdout);
        var parameter = document.RootElement.GetProperty("Parameter");
        Assert.Equal("String", parameter.GetProperty("Type").GetString());
        using var value = JsonDocument.Parse(parameter.GetProperty("Value").GetString()!);
        Assert.Equal(sha, value.RootElement.GetProperty("commit").GetString());
        Assert.Equal("stg", value.RootElement.GetProperty("environment").GetString());
        Assert.Equal("2025-06-07T08:09:10Z", value.RootElement.GetProperty("recordedAt").GetString());
        Assert.Equal("Ann <ann@example.com>", value.RootElement.GetProperty("recordedBy").GetString());
    }

    [Fact]
    public async Task Bypasses_recorded_by_us_are_listed_by_aws_ssm_get_parameters_by_path()
    {
        var sha = AwsTestValues.Sha(5);
        await Provider().OpenStore(_stg).RecordBypassAsync(new BypassRecord("stg", sha, "refs/heads/main", "OPS-9: hotfix while pipeline is down",
            new Identity("Ann", "ann@example.com"), DateTimeOffset.UtcNow), default);

        var list = await AwsCli.RunAsync(CliEnvironment(), CliTimeout, "ssm", "get-parameters-by-path", "--path", $"/promote/{_service}/stg/bypass", "--output",
            "json");

        Assert.True(list.ExitCode == 0, list.Stderr);
        using var document = JsonDocument.Parse(list.Stdout);
        var parameter = Assert.Single(document.RootElement.GetProperty("Parameters").EnumerateArray());
        using var value = JsonDocument.Parse(parameter.GetProperty("Value").GetString()!);
        Assert.Equal("OPS-9: hotfix while pipeline is down", value.RootElement.GetProperty("justification").GetString());
    }
}
