using GitPromote.Aws.Ssm;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>SSM answers are read up to a bound, as CodePipeline's are: an endpoint cannot make the hook hold gigabytes.</summary>
public sealed class SsmResponseBoundTests
{
    private readonly EnvironmentPolicy _stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence());

    [Fact]
    public async Task A_300_MB_SSM_answer_is_refused_after_the_bound_without_holding_it_in_memory()
    {
        const long answer = 300L * 1024 * 1024;
        using var server = HostileHttpServer.Huge(answer);
        var provider = new AwsEvidenceProvider(TestPolicies.Policy(AwsTestValues.UniqueName(), TimeSpan.FromSeconds(60), _stg),
            AwsTestValues.Variables(("AWS_ENDPOINT_URL_SSM", server.Endpoint.ToString())));
        var reader = provider.OpenReader(_stg, new SsmEvidence());

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var refused = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => reader.FindGreenAsync([AwsTestValues.Sha(1)], default));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Contains("answered more than 8 MB", refused.Failure.Why);
        // Each attempt stops at the 8 MB bound; the SDK's retries (3 attempts) stay far below one whole answer.
        Assert.True(allocated < 100L * 1024 * 1024, $"allocated {allocated / (1024 * 1024)} MB while reading a refused answer");
        Assert.True(server.BytesSent < answer, $"the whole {answer / (1024 * 1024)} MB answer was read");
    }
}
