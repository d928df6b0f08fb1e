using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Engine;

/// <summary>
/// The plan → ask → follow-up → decide loop every enforcement point runs (<see cref="PromotionEngine.DecideAsync"/>):
/// which rounds of questions it asks, and how the answers of two rounds about one environment come together.
/// </summary>
public class DecideAsyncTests
{
    /// <summary>Green in stg: may go to prd.</summary>
    private static readonly string Candidate = Ids.Sha1('a');
    /// <summary>Green in prd before, not in stg: a rollback target.</summary>
    private static readonly string Previous = Ids.Sha1('b');
    private static readonly string OldTip = Ids.Sha1('e');
    private static readonly DateTimeOffset Now = new(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly Identity Ada = new("Ada", "ada@example.com");

    private static RefUpdate ToMain(string commit) => new("refs/heads/main", commit, "refs/heads/main", OldTip) { Commit = commit };

    private static FakeWorld World() => new FakeWorld().Green("stg", Candidate, Now.AddDays(-1), "ssm").Green("prd", Previous, Now.AddDays(-7), "ssm");

    /// <summary>Each call the loop makes: the queries of that round, answered by <paramref name="world"/>.</summary>
    private sealed class Rounds(FakeWorld world)
    {
        public List<IReadOnlyList<EvidenceQuery>> Asked { get; } = [];
        public List<CancellationToken> Tokens { get; } = [];

        public Task<IReadOnlyDictionary<string, EnvironmentAnswer>> Ask(IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline)
        {
            Asked.Add(queries);
            Tokens.Add(deadline);
            return world.Ask(queries, deadline);
        }
    }

    private static async Task<(BatchVerdict Verdict, Rounds Rounds)> DecideAsync(PromotionPolicy policy, string remote, FakeWorld world,
        params RefUpdate[] updates)
    {
        var request = new PushRequest(remote, "/srv/" + remote + ".git", updates);
        var rounds = new Rounds(world);
        var verdict = await PromotionEngine.DecideAsync(policy, request, TestPlans.Routed(policy, request), new PushContext(Ada, Now, null),
            rounds.Ask, CancellationToken.None);
        return (verdict, rounds);
    }

    [Fact]
    public async Task Nothing_is_asked_when_the_plan_needs_no_evidence()
    {
        var deletion = new RefUpdate("(delete)", Ids.Zero40, "refs/heads/main", OldTip);

        var (toDev, devRounds) = await DecideAsync(Orders(), "dev", World(), ToMain(Candidate));
        var (deleted, deleteRounds) = await DecideAsync(Orders(), "prd", World(), deletion);
        var (feature, featureRounds) = await DecideAsync(Orders(), "prd", World(), ToMain(Candidate) with { RemoteRef = "refs/heads/feature" });

        Assert.Equal(VerdictKind.Unguarded, toDev.Refs[0].Kind);
        Assert.Equal(BlockReason.DeletesDeployBranch, deleted.Refs[0].Reason);
        Assert.Equal(VerdictKind.Unguarded, feature.Refs[0].Kind);
        Assert.Empty(devRounds.Asked);
        Assert.Empty(deleteRounds.Asked);
        Assert.Empty(featureRounds.Asked);
    }

    [Fact]
    public async Task A_promotion_of_a_commit_green_in_the_previous_environment_is_one_round_of_questions()
    {
        var (verdict, rounds) = await DecideAsync(Orders(), "prd", World(), ToMain(Candidate));

        Assert.Equal(VerdictKind.Promoted, verdict.Refs[0].Kind);
        var round = Assert.Single(rounds.Asked);
        // The previous environment about green and revocations, the target about its own revocations: in parallel.
        Assert.Equal(["stg", "prd"], round.Select(q => q.Environment.Name));
    }

    [Fact]
    public async Task A_commit_not_green_in_the_previous_environment_is_asked_about_in_the_target_in_a_second_round()
    {
        var (verdict, rounds) = await DecideAsync(Orders(), "prd", World(), ToMain(Previous));

        Assert.Equal(VerdictKind.Rollback, verdict.Refs[0].Kind);
        Assert.Equal(2, rounds.Asked.Count);
        var followUp = Assert.Single(rounds.Asked[1]);
        Assert.Equal("prd", followUp.Environment.Name);
        Assert.Equal([Previous], followUp.Commits);
    }

    [Fact]
    public async Task Without_previously_green_rollbacks_there_is_no_second_round()
    {
        var (verdict, rounds) = await DecideAsync(Orders(rollback: RollbackMode.Never), "prd", World(), ToMain(Previous));

        Assert.Equal(BlockReason.NotGreen, verdict.Refs[0].Reason);
        Assert.Single(rounds.Asked);
    }

    [Fact]
    public async Task The_follow_up_answer_is_merged_into_the_first_answer_about_the_same_environment()
    {
        // prd requires approvals, so prd's records are read in the first round (a revocation of Previous among them);
        // the follow-up asks prd only whether Previous was green there. Both answers count: the rollback is refused.
        var policy = Orders() with { Environments = [.. Orders().Environments.Take(2), Orders().Environments[2] with { RequiredApprovals = 1 }] };
        var world = World().Revoke("prd", Previous, "broke checkout");

        var (verdict, rounds) = await DecideAsync(policy, "prd", world, ToMain(Previous));

        Assert.Equal(2, rounds.Asked.Count);
        Assert.Contains(rounds.Asked[0], q => q.Environment.Name == "prd" && q.ReviewCommits.Contains(Previous) && q.Commits.Count == 0);
        var followUp = Assert.Single(rounds.Asked[1]);
        Assert.Equal([Previous], followUp.Commits);
        Assert.Empty(followUp.ReviewCommits);
        Assert.Equal(VerdictKind.Blocked, verdict.Refs[0].Kind);
        Assert.Equal(BlockReason.Revoked, verdict.Refs[0].Reason);
    }

    [Fact]
    public async Task Every_round_is_asked_under_the_callers_deadline()
    {
        using var deadline = new CancellationTokenSource();
        var rounds = new Rounds(World());
        var request = new PushRequest("prd", "/srv/prd.git", [ToMain(Previous)]);

        await PromotionEngine.DecideAsync(Orders(), request, TestPlans.Routed(Orders(), request), new PushContext(Ada, Now, null), rounds.Ask,
            deadline.Token);

        Assert.Equal(2, rounds.Tokens.Count);
        Assert.All(rounds.Tokens, t => Assert.Equal(deadline.Token, t));
    }

    [Fact]
    public async Task A_store_that_failed_in_the_first_round_still_refuses_after_the_follow_up()
    {
        var world = World().FailSource("stg", "ssm").FailSource("stg", "codepipeline");

        var (verdict, rounds) = await DecideAsync(Orders(), "prd", world, ToMain(Candidate));

        Assert.Equal(2, rounds.Asked.Count);
        Assert.Equal(VerdictKind.Blocked, verdict.Refs[0].Kind);
        Assert.Equal(BlockReason.EvidenceUnavailable, verdict.Refs[0].Reason);
        Assert.NotNull(verdict.Refs[0].Failure);
    }
}
