using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.PipelineGate;

/// <summary>The pipeline gate's admission rules on top of the engine, with the stores' answers as inputs.</summary>
public class GateDecisionTests
{
    private static readonly string Commit = Ids.Sha1('a');
    private static readonly string Other = Ids.Sha1('b');
    private static readonly DateTimeOffset Now = new(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);
    private const string Justification = "INC-12: db failover, hotfix approved";

    private static BypassRecord Bypass(string env = "stg", string? commit = null, string justification = Justification, DateTimeOffset? at = null) =>
        new(env, commit ?? Commit, "refs/heads/main", justification, new Identity("Dana", "dana@example.com"), at
            ?? Now.AddMinutes(-5))
        { Overrides = ["order"], Id = $"{(at ?? Now.AddMinutes(-5)).UtcTicks}-{commit ?? Commit}-ab12" };

    private static GateVerdict Gate(FakeWorld world, PromotionPolicy policy, string env = "stg", params BypassRecord[] bypasses) =>
        Gate(world, policy, env, [], bypasses);

    private static GateVerdict Gate(FakeWorld world, PromotionPolicy policy, string env, IReadOnlyList<DeploymentEvent> deployments,
        params BypassRecord[] bypasses)
    {
        var verdict = world.Gate(policy, env, Commit, Now);
        var target = policy.FindEnvironment(env)!;
        var choice = GateDecision.MayBeBypassed(verdict) ? GateDecision.ChooseBypass(policy, target, Commit, bypasses, deployments, Now, null) : null;
        return GateDecision.Decide(target, Commit, verdict, choice);
    }

    [Fact]
    public void A_commit_green_in_the_previous_environment_is_admitted_as_a_promotion()
    {
        var gate = Gate(new FakeWorld().Green("dev", Commit, Now.AddHours(-1)), Orders());
        Assert.Equal(VerdictKind.Promoted, gate.Outcome);
        Assert.True(gate.Admitted);
    }

    [Fact]
    public void A_commit_not_green_in_the_previous_environment_is_refused()
    {
        var gate = Gate(new FakeWorld(), Orders());
        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
        Assert.Equal(BlockReason.NotGreen, gate.Ref!.Reason);
    }

    [Fact]
    public void A_commit_green_in_the_target_before_is_a_rollback_even_when_also_green_in_the_previous_one()
    {
        var gate = Gate(new FakeWorld().Green("stg", Commit, Now.AddDays(-3), "ssm").Green("dev", Commit, Now.AddDays(-4)), Orders());
        Assert.Equal(VerdictKind.Rollback, gate.Outcome);
    }

    [Fact]
    public void With_rollback_never_a_commit_green_in_the_target_before_still_needs_the_previous_environment()
    {
        var gate = Gate(new FakeWorld().Green("stg", Commit, Now.AddDays(-3), "ssm"), Orders(rollback: RollbackMode.Never));
        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
    }

    [Fact]
    public void The_target_revocations_are_read_in_the_first_round_whatever_the_rollback_mode()
    {
        var world = new FakeWorld().Green("dev", Commit, Now.AddHours(-1)).Revoke("stg", Commit);
        var gate = Gate(world, Orders(rollback: RollbackMode.Never));
        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
        Assert.Equal(BlockReason.Revoked, gate.Ref!.Reason);
        Assert.Contains(world.Asked, q => q.Environment.Name == "stg" && q.ReviewCommits.Contains(Commit));
    }

    [Fact]
    public void A_bypass_recorded_for_this_commit_into_this_environment_admits()
    {
        var gate = Gate(new FakeWorld(), Orders(), "stg", Bypass());
        Assert.Equal(VerdictKind.Bypass, gate.Outcome);
        Assert.Equal(Justification, gate.Bypass!.Justification);
    }

    [Theory]
    [InlineData("prd", 'a', Justification)]
    [InlineData("stg", 'b', Justification)]
    [InlineData("stg", 'a', "because I said so, twice over")]
    public void A_bypass_for_another_environment_another_commit_or_with_a_justification_the_pinned_policy_refuses_does_not_admit(
        string env, char commit, string justification)
    {
        var gate = Gate(new FakeWorld(), Orders(), "stg", Bypass(env, Ids.Sha1(commit), justification));
        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
        Assert.Null(gate.Bypass);
    }

    [Fact]
    public void A_bypass_never_admits_a_revoked_commit()
    {
        var gate = Gate(new FakeWorld().Revoke("dev", Commit), Orders(), "stg", Bypass());
        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
        Assert.Equal(BlockReason.Revoked, gate.Ref!.Reason);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    public void A_bypass_is_the_emergency_lever_when_revocations_could_not_be_read_and_the_gate_says_it_set_them_aside(string unreadable)
    {
        var gate = Gate(new FakeWorld().FailStore(unreadable), Orders(), "stg", Bypass());
        Assert.Equal(VerdictKind.Bypass, gate.Outcome);
        Assert.True(gate.RevocationsUnread);
        // Without a bypass it stays refused, whatever on_error says.
        Assert.Equal(VerdictKind.Blocked, Gate(new FakeWorld().FailStore(unreadable), Orders(), "stg").Outcome);
    }

    [Fact]
    public void A_bypass_already_used_by_a_deployment_does_not_admit_again_and_the_gate_names_it()
    {
        var bypass = Bypass();
        var deployed = new DeploymentEvent("stg", Commit, Now.AddMinutes(-2), new Identity("ci", ""), DeploymentKind.Bypass) { Bypass = bypass.Id };

        var gate = Gate(new FakeWorld(), Orders(), "stg", [deployed], bypass);

        Assert.Equal(VerdictKind.Blocked, gate.Outcome);
        Assert.Same(deployed, Assert.Single(gate.BypassesSetAside).UsedBy);
    }

    [Fact]
    public void The_oldest_unused_matching_bypass_is_the_one_used()
    {
        var older = Bypass(at: Now.AddDays(-2)) with { Justification = "INC-1: the first outage, long ago" };
        var newer = Bypass(at: Now.AddMinutes(-1));
        Assert.Same(older, GateDecision.ChooseBypass(Orders(), Orders().Environments[1], Commit, [newer, older], [], Now, null).Usable);
    }

    [Fact]
    public void The_first_environment_has_no_gate()
    {
        var gate = Gate(new FakeWorld(), Orders(), "dev");
        Assert.Equal(VerdictKind.Unguarded, gate.Outcome);
        Assert.True(gate.Admitted);
    }

    [Fact]
    public void The_first_environment_refuses_a_commit_revoked_there_and_fails_closed_when_it_cannot_tell_whatever_on_error_says()
    {
        var verdict = new FakeWorld().Gate(Orders(), "dev", Commit, Now);
        var dev = Orders().Environments[0];
        var revoked = ReviewRecords.Found("dev", [new Revocation("dev", Commit, "broke login")], null);
        var unreadable = ReviewRecords.Failed("dev", new EvidenceFailure("ls-remote dev", "network down", "retry"));

        Assert.Equal("broke login", GateDecision.Decide(dev, Commit, verdict, null, revoked).Revoked!.Reason);
        Assert.False(GateDecision.Decide(dev, Commit, verdict, null, revoked).Admitted);
        Assert.False(GateDecision.Decide(dev, Commit, verdict, null, unreadable).Admitted);
        Assert.False(GateDecision.Decide(dev, Commit, verdict, null, unreadable, OnErrorMode.Allow).Admitted);
        Assert.True(GateDecision.Decide(dev, Commit, verdict, null, ReviewRecords.Found("dev", [], null)).Admitted);
    }

    [Fact]
    public void Soak_is_judged_at_the_time_given()
    {
        var policy = Orders() with { Environments = [Orders().Environments[0] with { Soak = TimeSpan.FromHours(2) }, .. Orders().Environments.Skip(1)] };
        var world = new FakeWorld().Green("dev", Commit, Now.AddHours(-1));
        Assert.Equal(BlockReason.SoakPending, world.Gate(policy, "stg", Commit, Now).Reason);
        Assert.Equal(VerdictKind.Promoted, world.Gate(policy, "stg", Commit, Now.AddHours(1)).Kind);
    }

    [Fact]
    public void What_a_bypass_record_says_is_shown_without_control_characters()
    {
        var record = Bypass(justification: "INC-1: \u001b[2Jcleared\u0007") with { By = new Identity("Mal\u001b]0;x\u0007", "m@example.com") };
        var lines = string.Join("\n", GateDecision.DescribeBypass(record));
        Assert.DoesNotContain('\u001b', lines);
        Assert.DoesNotContain('\u0007', lines);
        Assert.Contains("cleared", lines);
        Assert.Contains("at: 2024-06-03 09:55Z", lines);
    }
}
