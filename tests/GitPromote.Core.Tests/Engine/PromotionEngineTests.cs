using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Engine;

public class PromotionEngineTests
{
    /// <summary>Green in stg (may go to prd).</summary>
    private static readonly string GreenInStg = Ids.Sha1('a');
    /// <summary>Not green in stg, but was green in prd before (a rollback).</summary>
    private static readonly string GreenInPrd = Ids.Sha1('b');
    /// <summary>Green nowhere.</summary>
    private static readonly string Untested = Ids.Sha1('c');
    /// <summary>An annotated tag object whose commit the caller could not peel.</summary>
    private static readonly string TagObject = Ids.Sha1('d');
    private static readonly string OldTip = Ids.Sha1('e');

    private const string GoodJustification = "INC-12: db failover, hotfix approved";
    private static readonly Identity Pusher = new("Ada", "ada@example.com");
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 9, 30, 0, TimeSpan.Zero);

    private static RefUpdate Push(string remoteRef, string commit) => new(remoteRef, commit, remoteRef, OldTip) { Commit = commit };
    private static RefUpdate ToMain(string commit) => Push("refs/heads/main", commit);
    private static RefUpdate Delete(string remoteRef) => new("(delete)", Ids.Zero40, remoteRef, OldTip);
    private static RefUpdate UnpeeledTag() => new("refs/tags/v1", TagObject, "refs/heads/main", OldTip) { Commit = null };

    /// <summary>When the default world's green records were written: a day before <see cref="Now"/>.</summary>
    private static readonly DateTimeOffset GreenAt = Now.AddDays(-1);

    /// <summary>
    /// Each commit green where its name says: <see cref="GreenInStg"/> in dev and by ssm in stg (codepipeline has nothing),
    /// <see cref="GreenInPrd"/> in dev and by ssm in prd. The stores hold no revocations or approvals (GuardrailEngineTests covers those).
    /// </summary>
    private static FakeWorld World() => new FakeWorld()
        .Green("dev", GreenInStg, GreenAt).Green("dev", GreenInPrd, GreenAt)
        .Green("stg", GreenInStg, GreenAt, "ssm")
        .Green("prd", GreenInPrd, GreenAt, "ssm");

    private sealed record Case(
        PromotionPolicy Policy,
        string Remote,
        RefUpdate[] Updates,
        (VerdictKind Kind, BlockReason Reason)[] Expected,
        FakeWorld? World = null,
        string? Bypass = null,
        string Url = "/srv/git/repo.git");

    private static readonly (VerdictKind, BlockReason) Unguarded = (VerdictKind.Unguarded, BlockReason.None);
    private static readonly (VerdictKind, BlockReason) Promoted = (VerdictKind.Promoted, BlockReason.None);
    private static (VerdictKind, BlockReason) Blocked(BlockReason reason) => (VerdictKind.Blocked, reason);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["push to a remote of no environment passes"] =
            new(Orders(), "github", [ToMain(Untested)], [Unguarded]),
        ["push to the first environment passes"] =
            new(Orders(), "dev", [ToMain(Untested)], [Unguarded]),
        ["push of a ref that is not a deploy branch passes"] =
            new(Orders(), "prd", [Push("refs/heads/feature", Untested)], [Unguarded]),
        ["deleting a deploy branch is blocked"] =
            new(Orders(), "prd", [Delete("refs/heads/main")], [Blocked(BlockReason.DeletesDeployBranch)]),
        ["deleting a deploy branch is blocked even with a bypass"] =
            new(Orders(), "prd", [Delete("refs/heads/main")], [Blocked(BlockReason.DeletesDeployBranch)], Bypass: GoodJustification),
        ["deleting another branch passes"] =
            new(Orders(), "prd", [Delete("refs/heads/feature")], [Unguarded]),
        ["commit green in the previous environment is promoted"] =
            new(Orders(), "prd", [ToMain(GreenInStg)], [Promoted]),
        ["stg push is checked against dev"] =
            new(Orders(), "stg", [ToMain(GreenInStg)], [Promoted]),
        ["moving the branch back to a commit green in both environments is a rollback"] =
            new(Orders(), "stg", [ToMain(GreenInStg) with { RewindsTarget = true }], [(VerdictKind.Rollback, BlockReason.None)]),
        ["moving the branch back is no rollback with rollback never"] =
            new(Orders(rollback: RollbackMode.Never), "stg", [ToMain(GreenInStg) with { RewindsTarget = true }], [Promoted]),
        ["stg push of a commit not green in dev is blocked"] =
            new(Orders(), "stg", [ToMain(Untested)], [Blocked(BlockReason.NotGreen)]),
        ["remote matched by url glob is guarded"] =
            new(Orders(), "live", [ToMain(Untested)], [Blocked(BlockReason.NotGreen)], Url: "ssh://git@host/orders-prd.git"),
        ["commit green nowhere is blocked"] =
            new(Orders(), "prd", [ToMain(Untested)], [Blocked(BlockReason.NotGreen)]),
        ["commit once green in the target is a rollback"] =
            new(Orders(), "prd", [ToMain(GreenInPrd)], [(VerdictKind.Rollback, BlockReason.None)]),
        ["a fast-forward to a commit green only in the target is no rollback"] =
            new(Orders(), "prd", [ToMain(GreenInPrd) with { FastForwards = true }], [Blocked(BlockReason.NotGreen)]),
        ["rollback is refused with rollback never"] =
            new(Orders(rollback: RollbackMode.Never), "prd", [ToMain(GreenInPrd)], [Blocked(BlockReason.NotGreen)]),
        ["matching justification bypasses"] =
            new(Orders(), "prd", [ToMain(Untested)], [(VerdictKind.Bypass, BlockReason.None)], Bypass: GoodJustification),
        ["justification not matching the policy is rejected"] =
            new(Orders(), "prd", [ToMain(Untested)], [Blocked(BlockReason.BypassRejected)], Bypass: "urgent, trust me please"),
        ["green commit needs no bypass"] =
            new(Orders(), "prd", [ToMain(GreenInStg)], [Promoted], Bypass: GoodJustification),
        ["unreadable evidence blocks with on_error block"] =
            new(Orders(), "prd", [ToMain(Untested)], [Blocked(BlockReason.EvidenceUnavailable)],
                World().FailSource("stg", "ssm")),
        ["unreadable evidence passes with on_error allow"] =
            new(Orders(onError: OnErrorMode.Allow), "prd", [ToMain(Untested)], [(VerdictKind.AllowedOnError, BlockReason.None)],
                World().FailSource("stg", "ssm")),
        ["unreadable evidence with a bypass is a bypass"] =
            new(Orders(), "prd", [ToMain(Untested)], [(VerdictKind.Bypass, BlockReason.None)],
                World().FailSource("stg", "ssm").FailSource("stg", "codepipeline"), Bypass: GoodJustification),
        ["one source failing does not matter when another proves green (require any)"] =
            new(Orders(), "prd", [ToMain(GreenInStg)], [Promoted],
                World().FailSource("stg", "ssm").Green("stg", GreenInStg, GreenAt, "codepipeline")),
        ["previous environment not answered at all fails closed"] =
            new(Orders(), "prd", [ToMain(Untested)], [Blocked(BlockReason.EvidenceUnavailable)], World().Silent("stg")),
        ["require any: one source is enough"] =
            new(Orders(stgRequire: RequireMode.Any), "prd", [ToMain(GreenInStg)], [Promoted]),
        ["require all: one source is not enough"] =
            new(Orders(stgRequire: RequireMode.All), "prd", [ToMain(GreenInStg)], [Blocked(BlockReason.NotGreen)]),
        ["require all: every source green is promoted"] =
            new(Orders(stgRequire: RequireMode.All), "prd", [ToMain(GreenInStg)], [Promoted],
                World().Green("stg", GreenInStg, GreenAt, "codepipeline")),
        ["require all: a known gap blocks even with on_error allow"] =
            new(Orders(stgRequire: RequireMode.All, onError: OnErrorMode.Allow), "prd", [ToMain(GreenInStg)], [Blocked(BlockReason.NotGreen)],
                World().FailSource("stg", "codepipeline").AlsoAnswers("stg", Git)),
        ["require all: green where readable, unreadable elsewhere, with on_error allow"] =
            new(Orders(stgRequire: RequireMode.All, onError: OnErrorMode.Allow), "prd", [ToMain(GreenInStg)], [(VerdictKind.AllowedOnError, BlockReason.None)],
                World().FailSource("stg", "codepipeline")),
        ["annotated tag that could not be peeled is blocked"] =
            new(Orders(), "prd", [UnpeeledTag()], [Blocked(BlockReason.NotACommit)]),
        ["every ref of a batch is checked"] =
            new(Orders(branches: ["main", "release/*"]), "prd",
                [ToMain(GreenInStg), Push("refs/heads/release/2", Untested), Push("refs/heads/feature", Untested), Push("refs/heads/release/1", GreenInPrd)],
                [Promoted, Blocked(BlockReason.NotGreen), Unguarded, (VerdictKind.Rollback, BlockReason.None)]),
        ["a refused ref first does not hide the others"] =
            new(Orders(branches: ["main", "release/*"]), "prd",
                [Push("refs/heads/release/2", Untested), Delete("refs/heads/release/1"), ToMain(GreenInStg)],
                [Blocked(BlockReason.NotGreen), Blocked(BlockReason.DeletesDeployBranch), Promoted]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides_each_ref_in_the_documented_order(string name)
    {
        var c = Cases[name];
        var request = new PushRequest(c.Remote, c.Url, c.Updates);

        var verdict = (c.World ?? World()).Decide(c.Policy, request, Context(c.Bypass));

        Assert.Equal(c.Expected, verdict.Refs.Select(r => (r.Kind, r.Reason)));
        Assert.Equal(c.Updates, verdict.Refs.Select(r => r.Update));
        Assert.Equal(c.Expected.All(e => e.Kind != VerdictKind.Blocked), verdict.IsAllowed);
        Assert.Equal(c.Expected.Count(e => e.Kind == VerdictKind.Blocked), verdict.Blocked.Count());
    }

    private static PushContext Context(string? bypass = null) => new(Pusher, Now, bypass);

    [Fact]
    public void Plan_asks_the_previous_environment_about_each_commit_once_and_the_target_only_about_rewinds()
    {
        var policy = Orders(branches: ["main", "release/*"]);
        var request = new PushRequest("prd", "/x", [ToMain(GreenInStg), Push("refs/heads/release/1", GreenInStg), Push("refs/heads/release/2", Untested),
            Delete("refs/heads/release/3"), UnpeeledTag(), Push("refs/heads/feature", GreenInPrd),
            Push("refs/heads/release/4", GreenInPrd) with { RewindsTarget = true }]);

        var plan = TestPlans.Routed(policy, request);

        Assert.Equal("prd", plan.Target?.Name);
        Assert.Equal("stg", plan.Previous?.Name);
        Assert.Equal(6, plan.Guarded.Count);
        Assert.True(plan.NeedsEvidence);
        Assert.Collection(plan.Queries,
            q => { Assert.Equal("stg", q.Environment.Name); Assert.Equal([GreenInStg, Untested, GreenInPrd], q.Commits); },
            q => { Assert.Equal("prd", q.Environment.Name); Assert.Equal([GreenInPrd], q.Commits); });
    }

    [Fact]
    public async Task Follow_up_asks_the_target_only_about_commits_not_green_in_the_previous_environment()
    {
        var policy = Orders();
        var request = new PushRequest("prd", "/x", [ToMain(GreenInStg), Push("refs/heads/main", Untested), Push("refs/heads/main", GreenInPrd)]);
        var plan = TestPlans.Routed(policy, request);
        var answers = await World().Ask(plan.Queries, CancellationToken.None);

        var followUp = PromotionEngine.FollowUp(policy, plan, answers);

        Assert.Equal("prd", followUp?.Environment.Name);
        Assert.Equal([Untested, GreenInPrd], followUp!.Commits);
        Assert.Null(PromotionEngine.FollowUp(Orders(rollback: RollbackMode.Never), plan, answers));
    }

    [Fact]
    public async Task A_promotion_of_green_commits_needs_no_follow_up()
    {
        var policy = Orders();
        var plan = TestPlans.Routed(policy, new PushRequest("prd", "/x", [ToMain(GreenInStg)]));
        var answers = await World().Ask(plan.Queries, CancellationToken.None);

        Assert.Null(PromotionEngine.FollowUp(policy, plan, answers));
    }

    [Fact]
    public void Plan_asks_the_target_only_about_revocations_when_rollbacks_are_off()
    {
        var plan = TestPlans.Routed(Orders(rollback: RollbackMode.Never), new PushRequest("prd", "/x", [ToMain(Untested)]));

        Assert.Equal([("stg", 1, 1), ("prd", 0, 1)], plan.Queries.Select(q => (q.Environment.Name, q.Commits.Count, q.ReviewCommits.Count)));
    }

    [Theory]
    [InlineData("github")]
    [InlineData("dev")]
    public void Plan_needs_no_evidence_for_an_unguarded_push(string remote)
    {
        var plan = TestPlans.Routed(Orders(), new PushRequest(remote, "/x", [ToMain(Untested)]));

        Assert.False(plan.NeedsEvidence);
        Assert.Empty(plan.Guarded);
    }

    [Fact]
    public void Plan_needs_no_evidence_when_only_deletions_are_guarded()
    {
        var plan = TestPlans.Routed(Orders(), new PushRequest("prd", "/x", [Delete("refs/heads/main")]));

        Assert.False(plan.NeedsEvidence);
        Assert.Single(plan.Guarded);
    }

    [Fact]
    public void Rollback_never_ignores_target_evidence_even_when_a_caller_supplies_it()
    {
        var policy = Orders(rollback: RollbackMode.Never);
        var request = new PushRequest("prd", "/x", [ToMain(GreenInPrd)]);
        var plan = TestPlans.Routed(policy, request);
        var answers = new Dictionary<string, EnvironmentAnswer>
        {
            ["stg"] = Answer(policy.Environments[1], Green(Ssm), Green(Pipeline)),
            ["prd"] = Answer(policy.Environments[2], Green(Ssm, GreenInPrd)),
        };

        var verdict = PromotionEngine.Decide(policy, request, plan, new PushContext(Pusher, Now, null), answers);

        Assert.Equal((VerdictKind.Blocked, BlockReason.NotGreen), (verdict.Refs[0].Kind, verdict.Refs[0].Reason));
    }

    [Fact]
    public void Promoted_ref_carries_the_evidence_that_proved_it()
    {
        var verdict = World().Decide(Orders(), new PushRequest("prd", "/x", [ToMain(GreenInStg)]), Context());

        var evidence = Assert.Single(verdict.Refs).Evidence;
        Assert.Equal(new GreenFact(GreenInStg, "ssm on stg", GreenAt), evidence);
    }

    [Fact]
    public void Rollback_carries_the_target_environment_evidence()
    {
        var verdict = World().Decide(Orders(), new PushRequest("prd", "/x", [ToMain(GreenInPrd)]), Context());

        Assert.Equal(new GreenFact(GreenInPrd, "ssm on prd", GreenAt), Assert.Single(verdict.Refs).Evidence);
    }

    [Fact]
    public void Bypass_prepares_a_record_of_who_what_when_and_why()
    {
        var verdict = World().Decide(Orders(), new PushRequest("prd", "/x", [ToMain(Untested)]), Context("  " + GoodJustification + "\n"));

        var bypass = Assert.Single(verdict.BypassesToRecord);
        Assert.Equal(new BypassRecord("prd", Untested, "refs/heads/main", GoodJustification, Pusher, Now) { Overrides = ["order"] }, bypass.Bypass);
        Assert.True(verdict.IsAllowed);
        Assert.Equal(["ssm", "codepipeline"], bypass.Lacking.Select(s => s.Label));
    }

    [Fact]
    public void Blocked_ref_names_the_sources_that_lack_the_commit()
    {
        var verdict = World().Decide(Orders(stgRequire: RequireMode.All), new PushRequest("prd", "/x", [ToMain(GreenInStg)]), Context());

        var blocked = Assert.Single(verdict.Blocked);
        Assert.Equal(["codepipeline"], blocked.Lacking.Select(s => s.Label));
        Assert.Null(blocked.Failure);
    }

    [Fact]
    public void Unreadable_evidence_reports_the_failure()
    {
        var world = World().FailSource("stg", "ssm", "ThrottlingException");

        var verdict = world.Decide(Orders(), new PushRequest("prd", "/x", [ToMain(Untested)]), Context());

        var blocked = Assert.Single(verdict.Blocked);
        Assert.Equal(BlockReason.EvidenceUnavailable, blocked.Reason);
        Assert.Equal("ThrottlingException", blocked.Failure?.Why);
        Assert.Equal(["ssm"], blocked.Lacking.Select(s => s.Label));
    }

    [Fact]
    public void Batch_verdict_carries_what_the_message_needs()
    {
        var request = new PushRequest("prd", "/x", [ToMain(Untested)]);

        var verdict = World().Decide(Orders(), request, Context());

        Assert.Same(request, verdict.Request);
        Assert.Equal("prd", verdict.Target?.Name);
        Assert.Equal("stg", verdict.Previous?.Name);
        Assert.Equal(TicketPattern, verdict.BypassPattern);
    }

    [Fact]
    public void Bypass_not_recorded_blocks_that_ref_and_the_push()
    {
        var verdict = World().Decide(Orders(branches: ["main", "release/*"]), new PushRequest("prd", "/x",
            [ToMain(Untested), Push("refs/heads/release/1", GreenInStg)]), Context(GoodJustification));
        var bypass = Assert.Single(verdict.BypassesToRecord);
        var failure = new EvidenceFailure("write bypass record", "AccessDenied", "ask for ssm:PutParameter");

        var after = verdict.WithBypassNotRecorded(bypass, failure);

        Assert.False(after.IsAllowed);
        Assert.Collection(after.Refs,
            r => { Assert.Equal((VerdictKind.Blocked, BlockReason.BypassNotRecorded), (r.Kind, r.Reason)); Assert.Same(failure, r.Failure); },
            r => Assert.Same(verdict.Refs[1], r));
        Assert.Empty(after.BypassesToRecord);
        Assert.True(verdict.IsAllowed); // the original is unchanged
    }
}
