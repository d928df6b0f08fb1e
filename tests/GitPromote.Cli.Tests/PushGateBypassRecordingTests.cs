using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Gate;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Cli.Tests;

/// <summary>
/// An emergency bypass is let through only once it is recorded where auditors look: these pin when PushGate writes the
/// record, what it writes, and what the verdict says when it could not.
/// </summary>
public class PushGateBypassRecordingTests
{
    private static readonly string Untested = Ids.Sha1('c');
    private static readonly string OldTip = Ids.Sha1('e');
    private const string Justification = "INC-12: db failover, hotfix approved";
    private static readonly Identity Ada = new("Ada", "ada@example.com");
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 9, 30, 0, TimeSpan.Zero);

    private static RefUpdate ToBranch(string branch, string commit) => new("refs/heads/" + branch, commit, "refs/heads/" + branch, OldTip) { Commit = commit };

    private static async Task<BatchVerdict> BypassAsync(FakeEvidence evidence, TimeSpan? timeout = null, CancellationToken? evidenceDeadline = null,
        string url = "https://git.example.com/prd/orders.git", bool dryRun = false, params RefUpdate[] updates)
    {
        var policy = Orders(branches: ["main", "release"]) with { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        var request = new PushRequest("prd", url, updates.Length == 0 ? [ToBranch("main", Untested)] : updates);
        var gate = new PushGate(evidence, null, new FakeRepository());
        using var deadline = new CancellationTokenSource(policy.Timeout);
        var push = new PushContext(Ada, Now, Justification) { DryRun = dryRun };
        var result = await gate.DecideAsync(policy, request, TestPlans.Routed(policy, request), push,
            evidenceDeadline ?? deadline.Token).WaitAsync(TimeSpan.FromSeconds(30));
        return result.Verdict;
    }

    [Fact]
    public async Task A_bypass_of_a_push_whose_every_ref_is_allowed_is_recorded_in_the_target_environment()
    {
        var evidence = new FakeEvidence();

        var verdict = await BypassAsync(evidence);

        var only = Assert.Single(verdict.Refs);
        Assert.Equal(VerdictKind.Bypass, only.Kind);
        var record = Assert.Single(evidence.Bypasses);
        Assert.Equal(("prd", Untested, Justification), (record.Environment, record.Commit, record.Justification));
    }

    [Fact]
    public async Task A_bypass_of_a_dry_run_is_allowed_as_the_push_would_be_and_not_recorded()
    {
        var evidence = new FakeEvidence();

        var verdict = await BypassAsync(evidence, dryRun: true);

        Assert.Empty(evidence.Bypasses);
        Assert.Equal(VerdictKind.Bypass, Assert.Single(verdict.Refs).Kind);
        Assert.True(verdict.BypassesNotRecordedForDryRun);
        var said = new Output.VerdictRenderer(new Output.Style(false)).Render(verdict, [], new Output.BypassHint("x"));
        Assert.Contains("dry run: nothing recorded", said);
        Assert.DoesNotContain("recorded in prd's store", said);
    }

    [Fact]
    public async Task A_bypass_is_not_recorded_when_another_ref_of_the_push_is_refused_and_the_verdict_says_why()
    {
        var evidence = new FakeEvidence();
        var deleteRelease = new RefUpdate("(delete)", Ids.Zero40, "refs/heads/release", OldTip);

        var verdict = await BypassAsync(evidence, updates: [ToBranch("main", Untested), deleteRelease]);

        Assert.Empty(evidence.Bypasses);
        var main = verdict.Refs.Single(r => r.Update.RemoteRef == "refs/heads/main");
        Assert.Equal((VerdictKind.Blocked, BlockReason.BypassNotRecorded), (main.Kind, main.Reason));
        Assert.Contains("other refs of this push are refused", main.Failure!.Why);
    }

    [Fact]
    public async Task A_bypass_whose_store_cannot_be_opened_is_refused_with_the_stores_reason()
    {
        var evidence = new FakeEvidence().StoreUnavailable("prd");

        var verdict = await BypassAsync(evidence);

        var only = Assert.Single(verdict.Refs);
        Assert.Equal((VerdictKind.Blocked, BlockReason.BypassNotRecorded), (only.Kind, only.Reason));
        Assert.Equal(FakeEvidence.StoreFailure("prd"), only.Failure);
    }

    [Fact]
    public async Task A_bypass_whose_store_hangs_is_refused_as_out_of_time_once_its_own_budget_is_spent()
    {
        var evidence = new FakeEvidence().StoreHangs("prd");

        var verdict = await BypassAsync(evidence, timeout: TimeSpan.FromMilliseconds(300));

        var only = Assert.Single(verdict.Refs);
        Assert.Equal((VerdictKind.Blocked, BlockReason.BypassNotRecorded), (only.Kind, only.Reason));
        Assert.StartsWith("writing the bypass record to ", only.Failure!.What);
        Assert.Equal(EvidenceFailure.NoAnswerInTime(), only.Failure.Why);
        Assert.Empty(evidence.Bypasses);
    }

    [Fact]
    public async Task Recording_a_bypass_has_its_own_budget_when_the_evidence_used_up_the_pushs_time()
    {
        var evidence = new FakeEvidence().NeverAnswers("stg");
        using var spent = new CancellationTokenSource();
        spent.Cancel();

        var verdict = await BypassAsync(evidence, evidenceDeadline: spent.Token);

        Assert.Equal(VerdictKind.Bypass, Assert.Single(verdict.Refs).Kind);
        Assert.Single(evidence.Bypasses);
    }

    [Fact]
    public async Task The_bypass_record_names_the_remote_without_its_credentials()
    {
        var evidence = new FakeEvidence();

        await BypassAsync(evidence, url: "https://ada:s3cret-token@git.example.com/prd/orders.git");

        var record = Assert.Single(evidence.Bypasses);
        Assert.DoesNotContain("s3cret-token", record.Remote);
        Assert.Contains("git.example.com/prd/orders.git", record.Remote);
    }
}
