using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using GitPromote.Aws.Ssm;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>SSM evidence against the moto emulator: layout, batching, records, bypasses.</summary>
public sealed class SsmEvidenceTests
{
    private static readonly Identity Pipeline = new("arn:aws:sts::123456789012:assumed-role/pipeline/build", "");
    private readonly string _service = AwsTestValues.UniqueName();
    private readonly EnvironmentPolicy _stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence());

    private AwsEvidenceProvider Provider(Uri endpoint, TimeSpan? timeout = null) =>
        new(TestPolicies.Policy(_service, timeout, _stg), AwsTestValues.Variables(("AWS_ENDPOINT_URL_SSM", endpoint.ToString())));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(35, 4)]
    public async Task Finding_green_costs_one_GetParameters_call_per_ten_commits(int commits, int expectedCalls)
    {
        var shas = Enumerable.Range(0, commits).Select(AwsTestValues.Sha).ToList();
        var green = shas.Where((_, i) => i % 2 == 0).ToList();
        var store = Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);
        foreach (var sha in green) await store.RecordGreenAsync(sha, Pipeline, DateTimeOffset.UtcNow, default);

        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var found = await Provider(proxy.Endpoint).OpenReader(_stg, new SsmEvidence()).FindGreenAsync(shas, default);

        Assert.Equal(green.Order(), found.Select(f => f.Commit).Order());
        Assert.Equal(expectedCalls, proxy.Requests["GetParameters"]);
        Assert.Equal(expectedCalls, proxy.Requests.Total);
    }

    [Fact]
    public async Task Lookup_cost_does_not_grow_with_the_green_history()
    {
        var store = Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);
        var history = Enumerable.Range(0, 60).Select(AwsTestValues.Sha).ToList();
        await Task.WhenAll(history.Select(sha => store.RecordGreenAsync(sha, Pipeline, DateTimeOffset.UtcNow, default)));

        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var pushed = new[] { history[42], AwsTestValues.Sha(1000), AwsTestValues.Sha(1001) };
        var found = await Provider(proxy.Endpoint).OpenReader(_stg, new SsmEvidence()).FindGreenAsync(pushed, default);

        Assert.Equal([history[42]], found.Select(f => f.Commit));
        Assert.Equal(1, proxy.Requests.Total);
    }

    [Fact]
    public async Task Recorded_green_reads_back_with_when_and_by_whom()
    {
        var provider = Provider(SharedMoto.Server.Endpoint);
        var sha = AwsTestValues.Sha(1);
        var at = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await provider.OpenStore(_stg).RecordGreenAsync(sha, Pipeline, at, default);

        var fact = Assert.Single(await provider.OpenReader(_stg, new SsmEvidence()).FindGreenAsync([sha], default));

        Assert.Equal(sha, fact.Commit);
        Assert.Equal(at, fact.RecordedAt);
        Assert.Equal(Pipeline.ToString(), fact.RecordedBy);
        Assert.Equal($"ssm /promote/{_service}/stg/green", fact.Source);
    }

    [Fact]
    public async Task Recording_the_same_commit_twice_overwrites_instead_of_failing()
    {
        var provider = Provider(SharedMoto.Server.Endpoint);
        var sha = AwsTestValues.Sha(2);
        await provider.OpenStore(_stg).RecordGreenAsync(sha, Pipeline, DateTimeOffset.UtcNow.AddHours(-1), default);
        var later = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await provider.OpenStore(_stg).RecordGreenAsync(sha, Pipeline, later, default);

        var fact = Assert.Single(await provider.OpenReader(_stg, new SsmEvidence()).FindGreenAsync([sha], default));
        Assert.Equal(later, fact.RecordedAt);
    }

    [Fact]
    public async Task Any_value_counts_as_green_and_the_time_falls_back_to_the_parameter_date()
    {
        var sha = AwsTestValues.Sha(3);
        using (var ssm = RawClient())
            await ssm.PutParameterAsync(new PutParameterRequest { Name = $"/promote/{_service}/stg/green/{sha}", Value = "ok", Type = ParameterType.String });

        var fact = Assert.Single(await Provider(SharedMoto.Server.Endpoint).OpenReader(_stg, new SsmEvidence()).FindGreenAsync([sha], default));

        Assert.Null(fact.RecordedBy);
        Assert.NotNull(fact.RecordedAt);
        Assert.InRange(fact.RecordedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Commits_that_are_not_object_ids_are_not_green_and_cost_no_call()
    {
        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var found = await Provider(proxy.Endpoint).OpenReader(_stg, new SsmEvidence()).FindGreenAsync(["main", "../../etc", ""], default);

        Assert.Empty(found);
        Assert.Equal(0, proxy.Requests.Total);
    }

    [Fact]
    public async Task Listing_green_returns_recorded_commits_newest_first()
    {
        var provider = Provider(SharedMoto.Server.Endpoint);
        var shas = Enumerable.Range(0, 13).Select(AwsTestValues.Sha).ToList();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < shas.Count; i++)
            await provider.OpenStore(_stg).RecordGreenAsync(shas[i], Pipeline, start.AddMinutes(i), default);

        var listed = await provider.OpenReader(_stg, new SsmEvidence()).ListGreenAsync(100, default);

        Assert.Equal(shas.AsEnumerable().Reverse(), listed.Select(f => f.Commit));
        Assert.Equal(5, (await provider.OpenReader(_stg, new SsmEvidence()).ListGreenAsync(5, default)).Count);
    }

    [Fact]
    public async Task Each_deployment_event_is_its_own_parameter_listed_oldest_first_and_prune_sees_it()
    {
        var store = Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);
        var t0 = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var bypass = new DeploymentEvent("stg", AwsTestValues.Sha(5), t0.AddMinutes(3), Pipeline, DeploymentKind.Bypass);
        var forward = new DeploymentEvent("stg", AwsTestValues.Sha(4), t0, Pipeline, DeploymentKind.Forward);
        await store.RecordDeploymentAsync(bypass, default);
        await store.RecordDeploymentAsync(forward, default);
        await store.RecordDeploymentAsync(forward, default);

        var listed = await store.ListDeploymentsAsync(DateTimeOffset.MinValue, default);

        Assert.Equal([forward.Commit, forward.Commit, bypass.Commit], listed.Select(e => e.Commit));
        Assert.Equal([DeploymentKind.Forward, DeploymentKind.Forward, DeploymentKind.Bypass], listed.Select(e => e.Kind));
        Assert.Equal([t0, t0, t0.AddMinutes(3)], listed.Select(e => e.At));
        using var ssm = RawClient();
        var names = (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = $"/promote/{_service}/stg/deploy" })).Parameters.Select(p =>
            p.Name).ToList();
        Assert.All(names, n => Assert.Matches($"^/promote/{_service}/stg/deploy/20250506T07(08|11)09Z-[0-9a-f]{{40}}-[0-9a-f]{{8}}$", n));
        var records = await Provider(SharedMoto.Server.Endpoint).OpenPruning(_stg).ListRecordsAsync(default);
        Assert.Equal(3, records.Count(r => r.Kind == StoredRecordKind.Deployment));
    }

    [Fact]
    public async Task A_history_reads_every_kind_of_record_in_one_recursive_listing_the_same_as_each_kind_listed_alone()
    {
        var store = Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);
        var t0 = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var sha = Enumerable.Range(0, 5).Select(AwsTestValues.Sha).ToList();
        await store.RecordGreenAsync(sha[1], Pipeline, t0, default);
        await store.RecordGreenAsync(sha[2], Pipeline, t0.AddHours(1), default);
        await store.RecordDeploymentAsync(new DeploymentEvent("stg", sha[1], t0, Pipeline, DeploymentKind.Forward), default);
        await store.RecordDeploymentAsync(new DeploymentEvent("stg", sha[2], t0.AddDays(2), Pipeline, DeploymentKind.Rollback), default);
        await store.RecordBypassAsync(new BypassRecord("stg", sha[3], "refs/heads/main", "OPS-1", Pipeline, t0), default);
        await store.RecordRevocationAsync(new Revocation("stg", sha[1], "alarm", Pipeline, t0), default);
        await store.RecordRevocationAsync(new Revocation("stg", sha[4], "5xx", Pipeline, t0), default);
        await store.LiftRevocationAsync(new Revocation("stg", sha[4], "5xx", Pipeline, t0), Pipeline, t0.AddHours(2), default);
        await store.RecordApprovalAsync(new Approval("stg", sha[2], ApproverIds.Of(Pipeline), Pipeline, t0), default);

        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var history = await Provider(proxy.Endpoint).OpenStore(_stg).ReadHistoryAsync(t0.AddDays(1), 10, default);

        Assert.Equal(1, proxy.Requests.Total);
        Assert.Equal(1, proxy.Requests["GetParametersByPath"]);
        Assert.Equal([DeploymentKind.Forward, DeploymentKind.Rollback],
            (await store.ListDeploymentsAsync(DateTimeOffset.MinValue, default)).Select(e => e.Kind));
        // The event before the window is read from its name alone (no kind, no author); the one inside from its body.
        Assert.Equal([(sha[1], t0, Identity.Unknown), (sha[2], t0.AddDays(2), Pipeline)],
            history.Events.Select(e => (e.Commit, e.At, e.By)));
        Assert.Equal(DeploymentKind.Rollback, history.Events[1].Kind);
        Assert.Equal(await store.ListBypassesAsync(default), history.Bypasses);
        Assert.Equal(await Provider(SharedMoto.Server.Endpoint).OpenReader(_stg, new SsmEvidence()).ListGreenAsync(10, default), history.Green);
        Assert.Equal(await store.ListRevocationsAsync(default), history.Revocations);
        Assert.Equal(await store.ListLiftedRevocationsAsync(default), history.Lifted);
        Assert.Equal([sha[1]], history.Revocations.Select(r => r.Commit));
        Assert.Equal([sha[4]], history.Lifted.Select(l => l.Revocation.Commit));
        Assert.Single((await store.ReadHistoryAsync(DateTimeOffset.MinValue, 1, default)).Green);
    }

    [Fact]
    public async Task Each_bypass_is_its_own_parameter_and_they_list_oldest_first()
    {
        var store = Provider(SharedMoto.Server.Endpoint).OpenStore(_stg);
        var sha = AwsTestValues.Sha(4);
        var t0 = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var second = new BypassRecord("stg", sha, "refs/heads/main", "OPS-2: second bypass of the day", new Identity("Bo", "bo@example.com"), t0.AddMinutes(3));
        var first = new BypassRecord("stg", sha, "refs/heads/main", "OPS-1: pipeline broken, hotfix", new Identity("Al", "al@example.com"), t0, "prd");
        await store.RecordBypassAsync(second, default);
        await store.RecordBypassAsync(first, default);
        await store.RecordBypassAsync(first, default); // the same bypass twice is two records, not an overwrite

        var listed = await store.ListBypassesAsync(default);

        Assert.Equal([first, first, second], listed.Select(b => b with { Id = null }));
        using var ssm = RawClient();
        var names = (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = $"/promote/{_service}/stg/bypass" })).Parameters
            .Select(p => p.Name).ToList();
        Assert.Equal(3, names.Count);
        Assert.All(names, n => Assert.Matches($"^/promote/{_service}/stg/bypass/20250506T0[0-9]{{5}}Z-{sha}-[0-9a-f]{{8}}$", n));
        // Each record's id is its parameter name's tail: what the deployment that uses it names.
        Assert.Equal(names.Select(n => n[$"/promote/{_service}/stg/bypass/".Length..]).Order(StringComparer.Ordinal),
            listed.Select(b => b.Id!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_service_name_that_cannot_be_an_SSM_path_is_refused_before_any_call()
    {
        using var proxy = SharedMoto.Server.OpenCountingProxy();
        var provider = new AwsEvidenceProvider(TestPolicies.Policy("orders service!", null, _stg),
            AwsTestValues.Variables(("AWS_ENDPOINT_URL_SSM", proxy.Endpoint.ToString())));

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            provider.OpenReader(_stg, new SsmEvidence()).FindGreenAsync([AwsTestValues.Sha(5)], default));

        Assert.Contains("cannot be part of an SSM parameter name", error.Failure.Why);
        Assert.Equal(0, proxy.Requests.Total);
    }

    [Fact]
    public async Task An_emulator_that_never_answers_fails_within_the_deadline()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/");
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Provider(endpoint, TimeSpan.FromSeconds(1.5)).OpenReader(_stg, new SsmEvidence()).FindGreenAsync([AwsTestValues.Sha(6)], default));

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("no answer within the time allowed (1s500ms)", error.Failure.Why);
        Assert.Contains("stg", error.Failure.What);
        Assert.Contains("ssm:GetParameters", error.Failure.What);
    }

    private static AmazonSimpleSystemsManagementClient RawClient() =>
        new(new Amazon.Runtime.BasicAWSCredentials("testing", "testing"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = SharedMoto.Server.Endpoint.ToString(), AuthenticationRegion = AwsTestValues.Region });
}
