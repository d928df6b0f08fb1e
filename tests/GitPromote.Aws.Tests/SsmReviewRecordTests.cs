using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>Revocations and approvals in SSM, against the moto emulator.</summary>
public sealed class SsmReviewRecordTests
{
    private static readonly Identity Ops = new("arn:aws:sts::123456789012:assumed-role/ops/ada", "");
    private static readonly Identity Bob = new("arn:aws:sts::123456789012:assumed-role/ops/bob", "");
    private static readonly DateTimeOffset Noon = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly string _service = AwsTestValues.UniqueName();
    private readonly EnvironmentPolicy _stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence());

    private AwsEvidenceProvider Provider(Uri endpoint) =>
        new(TestPolicies.Policy(_service, null, _stg), AwsTestValues.Variables(("AWS_ENDPOINT_URL_SSM", endpoint.ToString())));

    private IReviewStore Store() => Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    public async Task Revocations_ride_in_the_GetParameters_batches_of_green(int commits, int expectedCalls)
    {
        var shas = Enumerable.Range(0, commits).Select(AwsTestValues.Sha).ToList();
        var provider = Provider(SharedMoto.Server.Endpoint);
        await provider.OpenStore(_stg).RecordGreenAsync(shas[0], Ops, Noon, default);
        await Store().RecordRevocationAsync(new Revocation("stg", shas[^1], "alarm", Ops, Noon), default);

        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var reader = (IEvidenceWithReviewsReader)Provider(proxy.Endpoint).OpenReader(_stg, new SsmEvidence());
        var (green, reviews) = await reader.FindGreenAndReviewsAsync(shas, shas, false, default);

        Assert.Equal([shas[0]], green.Select(g => g.Commit));
        Assert.Equal([shas[^1]], reviews.Revoked.Keys);
        Assert.Equal(new Revocation("stg", shas[^1], "alarm", Ops, Noon), reviews.RevocationOf(shas[^1]));
        Assert.Equal(expectedCalls, proxy.Requests["GetParameters"]);
        Assert.Equal(expectedCalls, proxy.Requests.Total);
    }

    [Fact]
    public async Task A_revocation_written_by_hand_with_any_value_counts()
    {
        var sha = AwsTestValues.Sha(1);
        using var ssm = Client();
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = $"/promote/{_service}/stg/revoked/{sha}",
            Value = "canary failed",
            Type = ParameterType.String
        });

        var reviews = await Store().FindReviewsAsync([sha], false, default);

        Assert.Equal("canary failed", reviews.RevocationOf(sha)?.Reason);
    }

    [Fact]
    public async Task A_standing_revocation_is_never_replaced_and_lifting_keeps_it_for_the_audit()
    {
        var sha = AwsTestValues.Sha(2);
        var store = Store();
        var revocation = new Revocation("stg", sha, "first", Ops, Noon);
        await store.RecordRevocationAsync(revocation, default);

        await Assert.ThrowsAsync<EvidenceUnavailableException>(() => store.RecordRevocationAsync(revocation with { Reason = "second" }, default));
        Assert.Equal("first", Assert.Single(await store.ListRevocationsAsync(default)).Reason);

        await store.LiftRevocationAsync(revocation, Bob, Noon.AddHours(1), default);

        Assert.Empty(await store.ListRevocationsAsync(default));
        Assert.Null((await store.FindReviewsAsync([sha], false, default)).RevocationOf(sha));
        Assert.Equal([new LiftedRevocation(revocation, Bob, Noon.AddHours(1))], await store.ListLiftedRevocationsAsync(default));
    }

    /// <summary>
    /// An approval counts only when SSM's own record of its writer (GetParameterHistory's LastModifiedUser; the test proxy stamps it as SSM
    /// does, see SsmWriterStamps) is the approver its name says. Approving twice leaves the first standing (written once).
    /// </summary>
    [Fact]
    public async Task Approvals_count_only_when_ssm_names_their_approver_as_writer_and_are_read_per_commit_by_path()
    {
        var sha = AwsTestValues.Sha(3);
        var bob = await StoreAsAsync("ops", "bob");
        await bob.RecordApprovalAsync(new Approval("stg", sha, ApproverIds.Of(Bob), Bob, Noon, "first"), default);
        await bob.RecordApprovalAsync(new Approval("stg", sha, ApproverIds.Of(Bob), Bob, Noon.AddHours(1), "again"), default);
        await (await StoreAsAsync("ops", "ada")).RecordApprovalAsync(new Approval("stg", sha, ApproverIds.Of(Ops), Ops, Noon), default);
        // Someone else writes an approval in carol's name (the default key: moto's user "moto").
        var carol = new Identity("arn:aws:sts::123456789012:assumed-role/ops/carol", "");
        await Store().RecordApprovalAsync(new Approval("stg", sha, ApproverIds.Of(carol), carol, Noon), default);

        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var reader = (IEvidenceWithReviewsReader)Provider(proxy.Endpoint).OpenReader(_stg, new SsmEvidence());
        var (_, reviews) = await reader.FindGreenAndReviewsAsync([sha], [sha], true, default);

        Assert.Equal(
            new[] { new Approval("stg", sha, ApproverIds.Of(Bob), Bob, Noon, "first"), new Approval("stg", sha, ApproverIds.Of(Ops), Ops, Noon) }
                .OrderBy(a => a.ApproverId),
            reviews.ApprovalsOf(sha).OrderBy(a => a.ApproverId));
        var ignored = Assert.Single(reviews.IgnoredApprovalsOf(sha));
        Assert.Equal((ApproverIds.Of(carol), "arn:aws:sts::123456789012:user/moto"), (ignored.ApproverId, ignored.Writer));
        Assert.Equal(1, proxy.Requests["GetParameters"]);
        Assert.Equal(1, proxy.Requests["GetParametersByPath"]);
        Assert.Equal(3, proxy.Requests["GetParameterHistory"]);
        Assert.Contains(await ListNames($"/promote/{_service}/stg/approval/{sha}"),
            name => name.StartsWith($"/promote/{_service}/stg/approval/{sha}/arn_aws_sts__123456789012_assumed-role_ops_bob-", StringComparison.Ordinal));
    }

    /// <summary>A store written with the credentials of a session of <paramref name="role"/> (moto's AssumeRole), through the stamping proxy.</summary>
    private async Task<IReviewStore> StoreAsAsync(string role, string session)
    {
        using var sts = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(AwsSandbox.TestKeyId, AwsSandbox.TestSecret,
            new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig
            {
                ServiceURL = SharedMoto.Server.DirectEndpoint.ToString(),
                AuthenticationRegion = AwsTestValues.Region,
            });
        var c = (await sts.AssumeRoleAsync(new Amazon.SecurityToken.Model.AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::123456789012:role/{role}",
            RoleSessionName = session,
        })).Credentials;
        var provider = new AwsEvidenceProvider(TestPolicies.Policy(_service, null, _stg), AwsTestValues.Variables(
            ("AWS_ENDPOINT_URL_SSM", SharedMoto.Server.Endpoint.ToString()), ("AWS_ACCESS_KEY_ID", c.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey),
            ("AWS_SESSION_TOKEN", c.SessionToken)));
        return provider.OpenStore(_stg);
    }

    private static AmazonSimpleSystemsManagementClient Client() =>
        new(AwsSandbox.TestKeyId, AwsSandbox.TestSecret,
            new AmazonSimpleSystemsManagementConfig { ServiceURL = SharedMoto.Server.DirectEndpoint.ToString(), AuthenticationRegion = AwsTestValues.Region });

    private static async Task<List<string>> ListNames(string path)
    {
        using var ssm = Client();
        var response = await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = path });
        return response.Parameters.Select(p => p.Name).Order().ToList();
    }
}
