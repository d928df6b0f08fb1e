using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Engine;

/// <summary>Soak, freeze, approvals and revocation: each rule with a fake clock and the stores' answers as inputs.</summary>
public class GuardrailEngineTests
{
    /// <summary>Green in stg (ssm) since <see cref="T0"/>: the commit being promoted to prd.</summary>
    private static readonly string Candidate = Ids.Sha1('a');
    /// <summary>Green in prd before, not green in stg any more: a rollback target.</summary>
    private static readonly string Previous = Ids.Sha1('b');
    private static readonly string OldTip = Ids.Sha1('e');

    /// <summary>Monday 3 June 2024, 10:00 UTC.</summary>
    private static readonly DateTimeOffset T0 = new(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);
    /// <summary>Friday 7 June 2024 20:00 UTC = 22:00 in Amsterdam, inside the weekend freeze that began at 18:00 there.</summary>
    private static readonly DateTimeOffset FridayNight = new(2024, 6, 7, 20, 0, 0, TimeSpan.Zero);

    private static readonly Identity Ada = new("Ada", "ada@example.com");
    private static readonly Identity Bob = new("Bob", "bob@example.com");
    private static readonly Identity Cy = new("Cy", "cy@example.com");
    private const string GoodJustification = "INC-12: db failover, hotfix approved";

    private static readonly RecurringFreeze Weekend =
        new("0 18 * * 5", TimeSpan.FromHours(64), TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"), "weekend: nobody on call");
    private static readonly OneOffFreeze YearEnd =
        new(new DateTimeOffset(2024, 12, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 4, 0, 0, 0, TimeSpan.Zero), "year-end freeze");

    private static PromotionPolicy Policy(Func<EnvironmentPolicy, EnvironmentPolicy>? stg = null, Func<EnvironmentPolicy, EnvironmentPolicy>? prd = null,
        Func<EnvironmentPolicy, EnvironmentPolicy>? dev = null, RequireMode stgRequire = RequireMode.Any, OnErrorMode onError = OnErrorMode.Block)
    {
        var p = Orders(stgRequire: stgRequire, onError: onError);
        return p with { Environments = [(dev ?? Same)(p.Environments[0]), (stg ?? Same)(p.Environments[1]), (prd ?? Same)(p.Environments[2])] };
    }

    private static EnvironmentPolicy Same(EnvironmentPolicy e) => e;
    private static Func<EnvironmentPolicy, EnvironmentPolicy> Soak(TimeSpan soak) => e => e with { Soak = soak };
    private static Func<EnvironmentPolicy, EnvironmentPolicy> Freeze(FreezeWindow window, bool allowsRollback = true) =>
        e => e with { Freeze = [window], FreezeAllowsRollback = allowsRollback };
    private static Func<EnvironmentPolicy, EnvironmentPolicy> Approvals(int required) => e => e with { RequiredApprovals = required };

    private static RefUpdate Promote(string commit) => new("refs/heads/main", commit, "refs/heads/main", OldTip) { Commit = commit };
    private static RefUpdate Rollback(string commit) => Promote(commit) with { RewindsTarget = true };

    /// <summary>The candidate green in stg since T0, the previous release green in prd.</summary>
    private static FakeWorld World() => new FakeWorld().Green("stg", Candidate, T0, "ssm").Green("prd", Previous, T0.AddDays(-7), "ssm");

    private sealed record Case(
        PromotionPolicy Policy,
        RefUpdate Update,
        DateTimeOffset Now,
        (VerdictKind Kind, BlockReason Reason) Expected,
        string[] FailedRules,
        Func<FakeWorld, FakeWorld>? World = null,
        string? Bypass = null,
        Identity? StoreIdentity = null,
        string Remote = "prd");

    private static readonly (VerdictKind, BlockReason) Promoted = (VerdictKind.Promoted, BlockReason.None);
    private static readonly (VerdictKind, BlockReason) RolledBack = (VerdictKind.Rollback, BlockReason.None);
    private static readonly (VerdictKind, BlockReason) Bypassed = (VerdictKind.Bypass, BlockReason.None);
    private static (VerdictKind, BlockReason) Blocked(BlockReason reason) => (VerdictKind.Blocked, reason);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // soak: leaving stg for prd needs the commit green in stg for 2h
        ["soak passed: green for 3h of 2h is promoted"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddHours(3), Promoted, []),
        ["soak passed exactly at its end"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddHours(2), Promoted, []),
        ["soak pending: green for 30m of 2h is refused"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddMinutes(30), Blocked(BlockReason.SoakPending), ["soak"]),
        ["soak cannot be verified from a green record without a time"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddDays(30), Blocked(BlockReason.SoakPending), ["soak"],
                w => w.Green("stg", Candidate, null, "ssm")),
        ["soak under require any counts from the first source that proved it"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddHours(2), Promoted, [],
                w => w.Green("stg", Candidate, T0.AddMinutes(90), "codepipeline")),
        ["soak under require all counts from the last source that proved it"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2)), stgRequire: RequireMode.All), Promote(Candidate), T0.AddHours(2), Blocked(BlockReason.SoakPending),
                ["soak"],
                w => w.Green("stg", Candidate, T0.AddMinutes(90), "codepipeline")),
        ["soak of another environment does not hold this push"] =
            new(Policy(dev: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddMinutes(1), Promoted, []),
        ["soak does not hold a rollback"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Rollback(Previous), T0, RolledBack, []),
        ["soak is set aside by a bypass"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2))), Promote(Candidate), T0.AddMinutes(30), Bypassed, ["soak"], Bypass: GoodJustification),

        // freeze: pushes into prd inside a window are refused
        ["push inside a recurring freeze window is refused"] =
            new(Policy(prd: Freeze(Weekend)), Promote(Candidate), FridayNight, Blocked(BlockReason.Frozen), ["freeze"]),
        ["push before the recurring window starts goes through"] =
            new(Policy(prd: Freeze(Weekend)), Promote(Candidate), new DateTimeOffset(2024, 6, 7, 15, 59, 0, TimeSpan.Zero), Promoted, []),
        ["push at the end of the recurring window goes through"] =
            new(Policy(prd: Freeze(Weekend)), Promote(Candidate), new DateTimeOffset(2024, 6, 10, 8, 0, 0, TimeSpan.Zero), Promoted, []),
        ["push inside a one-off freeze is refused"] =
            new(Policy(prd: Freeze(YearEnd)), Promote(Candidate), new DateTimeOffset(2024, 12, 24, 12, 0, 0, TimeSpan.Zero), Blocked(BlockReason.Frozen),
                ["freeze"]),
        ["push when a one-off freeze has ended goes through"] =
            new(Policy(prd: Freeze(YearEnd)), Promote(Candidate), YearEnd.To, Promoted, []),
        ["rollback during a freeze goes in by default"] =
            new(Policy(prd: Freeze(Weekend)), Rollback(Previous), FridayNight, RolledBack, []),
        ["rollback during a freeze is refused when the policy says freeze_allows_rollback false"] =
            new(Policy(prd: Freeze(Weekend, allowsRollback: false)), Rollback(Previous), FridayNight, Blocked(BlockReason.Frozen), ["freeze"]),
        ["freeze is set aside by a bypass"] =
            new(Policy(prd: Freeze(Weekend)), Promote(Candidate), FridayNight, Bypassed, ["freeze"], Bypass: GoodJustification),
        ["freeze of stg does not stop pushes to prd"] =
            new(Policy(stg: Freeze(Weekend)), Promote(Candidate), FridayNight, Promoted, []),

        // approvals: a push into prd needs approvals from identities other than the pusher
        ["approval by another person lets the push through"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Promoted, [], w => w.Approve("prd", Candidate, Bob), StoreIdentity: Ada),
        ["push without approvals is refused"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"], StoreIdentity: Ada),
        ["the pusher's own approval does not count"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("prd", Candidate, Ada), StoreIdentity: Ada),
        ["two required and one given is refused"] =
            new(Policy(prd: Approvals(2)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("prd", Candidate, Bob).Approve("prd", Candidate, Ada), StoreIdentity: Ada),
        ["two required and two others given goes through"] =
            new(Policy(prd: Approvals(2)), Promote(Candidate), T0, Promoted, [],
                w => w.Approve("prd", Candidate, Bob).Approve("prd", Candidate, Cy), StoreIdentity: Ada),
        ["an approval of another commit does not count"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("prd", Previous, Bob), StoreIdentity: Ada),
        ["an approval for another environment does not count"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("stg", Candidate, Bob), StoreIdentity: Ada),
        ["approvals cannot be counted when the pusher is unknown"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("prd", Candidate, Bob), StoreIdentity: null),
        ["an unknown pusher never skips approvals, even with on_error allow"] =
            new(Policy(prd: Approvals(1), onError: OnErrorMode.Allow), Promote(Candidate), T0, Blocked(BlockReason.ApprovalsMissing), ["approvals"],
                w => w.Approve("prd", Candidate, Bob), StoreIdentity: null),
        ["approvals that cannot be read block"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.EvidenceUnavailable), ["approvals", "revocation"],
                w => w.FailStore("prd"), StoreIdentity: Ada),
        ["approvals are not needed for a rollback"] =
            new(Policy(prd: Approvals(1)), Rollback(Previous), T0, RolledBack, [], StoreIdentity: Ada),
        ["missing approvals are set aside by a bypass"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Bypassed, ["approvals"], Bypass: GoodJustification, StoreIdentity: Ada),

        // revocation: a revoked commit does not leave, and is not rolled back to
        ["a commit revoked in the previous environment cannot be promoted"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.Revoked), ["order", "revocation"], w => w.Revoke("stg", Candidate)),
        ["a commit revoked in the previous environment does not soak there"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(1))), Promote(Candidate), T0.AddHours(3), Blocked(BlockReason.Revoked), ["order", "revocation"],
                w => w.Revoke("stg", Candidate)),
        ["a revocation is not set aside by a bypass"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.Revoked), ["order", "revocation"], w => w.Revoke("stg", Candidate),
                Bypass: GoodJustification),
        ["a rollback to a commit revoked in the target is refused"] =
            new(Policy(), Rollback(Previous), T0, Blocked(BlockReason.Revoked), ["order", "revocation"], w => w.Revoke("prd", Previous)),
        ["a rollback that needs the follow-up question is refused when revoked in the target"] =
            new(Policy(), Promote(Previous), T0, Blocked(BlockReason.Revoked), ["order", "revocation"], w => w.Revoke("prd", Previous)),
        ["a commit revoked in the target is refused when approvals make the target answer"] =
            new(Policy(prd: Approvals(1)), Promote(Candidate), T0, Blocked(BlockReason.Revoked), ["revocation"],
                w => w.Approve("prd", Candidate, Bob).Revoke("prd", Candidate), StoreIdentity: Ada),
        ["a commit revoked in the target is refused on a plain promotion, green in the previous environment or not"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.Revoked), ["revocation"], w => w.Revoke("prd", Candidate)),
        ["a commit revoked in the target is not let in by a bypass"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.Revoked), ["revocation"], w => w.Revoke("prd", Candidate), Bypass: GoodJustification),
        ["a promotion whose target revocations cannot be read is refused"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.EvidenceUnavailable), ["revocation"], w => w.FailStore("prd")),
        ["a promotion whose target revocations cannot be read is refused even with on_error allow"] =
            new(Policy(onError: OnErrorMode.Allow), Promote(Candidate), T0, Blocked(BlockReason.EvidenceUnavailable), ["revocation"], w => w.FailStore("prd")),
        ["a revocation in an environment the push does not touch does not matter"] =
            new(Policy(), Promote(Candidate), T0, Promoted, [], w => w.Revoke("dev", Candidate)),
        ["revocations that cannot be read block"] =
            new(Policy(), Promote(Candidate), T0, Blocked(BlockReason.EvidenceUnavailable), ["revocation"], w => w.FailStore("stg")),
        ["revocations that cannot be read block even with on_error allow"] =
            new(Policy(onError: OnErrorMode.Allow), Promote(Candidate), T0, Blocked(BlockReason.EvidenceUnavailable), ["revocation"], w => w.FailStore("stg")),
        ["a rollback to a commit whose target revocations cannot be read is refused even with on_error allow"] =
            new(Policy(onError: OnErrorMode.Allow), Rollback(Previous), T0, Blocked(BlockReason.EvidenceUnavailable), ["revocation"], w => w.FailStore("prd")),
        ["revocations that cannot be read are set aside by a bypass"] =
            new(Policy(), Promote(Candidate), T0, Bypassed, ["revocation"], w => w.FailStore("stg"), Bypass: GoodJustification),

        // several rules at once: each is named, the first decides the reason
        ["every failing rule is named"] =
            new(Policy(stg: Soak(TimeSpan.FromHours(2)), prd: p => Freeze(new OneOffFreeze(T0, T0.AddHours(1), "release train"))(Approvals(1)(p))),
                Promote(Candidate), T0.AddMinutes(30), Blocked(BlockReason.SoakPending), ["soak", "freeze", "approvals"], StoreIdentity: Ada),
        ["a commit not green, frozen and unapproved is refused for order first"] =
            new(Policy(prd: p => Freeze(Weekend)(Approvals(1)(p))), Promote(Ids.Sha1('c')), FridayNight, Blocked(BlockReason.NotGreen),
                ["order", "freeze", "approvals"],
                StoreIdentity: Ada),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides_each_rule_with_the_clock_and_the_records_as_inputs(string name)
    {
        var c = Cases[name];
        var world = (c.World ?? (w => w))(World());

        var verdict = world.Decide(c.Policy, new PushRequest(c.Remote, "/srv/prd.git", [c.Update]),
            new PushContext(Ada, c.Now, c.Bypass) { StoreIdentity = c.StoreIdentity });

        var r = Assert.Single(verdict.Refs);
        Assert.Equal(c.Expected, (r.Kind, r.Reason));
        Assert.Equal(c.FailedRules, r.Failed.Select(f => f.Name));
        Assert.Equal([Rule.Order, Rule.Soak, Rule.Health, Rule.Freeze, Rule.Approvals, Rule.Revocation], r.Checks.Select(x => x.Rule));
        if (c.Expected.Kind == VerdictKind.Bypass) Assert.Equal(c.FailedRules, r.Bypass!.Overrides);
    }

    [Fact]
    public void Soak_refusal_says_how_long_is_left_and_when_the_commit_may_go()
    {
        var verdict = World().Decide(Policy(stg: Soak(TimeSpan.FromHours(2))), new PushRequest("prd", "/x", [Promote(Candidate)]),
            new PushContext(Ada, T0.AddMinutes(35), null));

        var soak = verdict.Refs[0].Checks.Single(c => c.Rule == Rule.Soak);
        Assert.Equal(CheckOutcome.Fail, soak.Outcome);
        Assert.Equal("green in stg for 35m of 2h; may go at 2024-06-03 12:00Z (in 1h25m)", soak.Detail);
        Assert.Equal(T0.AddHours(2), soak.Until);
    }

    [Fact]
    public void Freeze_refusal_gives_the_reason_and_when_the_freeze_ends()
    {
        var verdict = World().Decide(Policy(prd: Freeze(Weekend)), new PushRequest("prd", "/x", [Promote(Candidate)]),
            new PushContext(Ada, FridayNight, null));

        var freeze = verdict.Refs[0].Checks.Single(c => c.Rule == Rule.Freeze);
        // 18:00 in Amsterdam in June is 16:00 UTC; 64 hours later is Monday 08:00 UTC.
        Assert.Equal("prd is frozen until 2024-06-10 08:00Z: weekend: nobody on call", freeze.Detail);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 0, 0, TimeSpan.Zero), freeze.Until);
    }

    [Fact]
    public void Approvals_refusal_names_who_approved_and_what_to_run()
    {
        var verdict = World().Approve("prd", Candidate, Bob).Approve("prd", Candidate, Ada)
            .Decide(Policy(prd: Approvals(2)), new PushRequest("prd", "/x", [Promote(Candidate)]), new PushContext(Ada, T0, null) { StoreIdentity = Ada });

        Assert.Equal($"1 of 2 approvals from others (Bob <bob@example.com>); your own does not count; another person runs: git promote approve prd " +
            $"{Candidate[..12]}",
            verdict.Refs[0].Checks.Single(c => c.Rule == Rule.Approvals).Detail);
    }

    [Fact]
    public void Revocation_refusal_says_where_by_whom_and_why()
    {
        var verdict = World().Revoke("stg", Candidate, "error rate alarm").Decide(Policy(), new PushRequest("prd", "/x", [Promote(Candidate)]),
            new PushContext(Ada, T0, null));

        Assert.Equal($"{Candidate[..12]} is revoked in stg by Ops <ops@example.com> at 2024-06-01 08:00Z: error rate alarm",
            verdict.Refs[0].Checks.Single(c => c.Rule == Rule.Revocation).Detail);
    }

    [Fact]
    public void A_promotion_that_passes_everything_shows_a_checklist_of_passes_and_skips()
    {
        var policy = Policy(stg: Soak(TimeSpan.FromHours(1)), prd: p => Freeze(Weekend)(Approvals(1)(p)));
        var verdict = World().Approve("prd", Candidate, Bob)
            .Decide(policy, new PushRequest("prd", "/x", [Promote(Candidate)]), new PushContext(Ada, T0.AddHours(3), null) { StoreIdentity = Ada });

        Assert.Equal(
        [
            (Rule.Order, CheckOutcome.Pass, "green in stg (ssm on stg)"),
            (Rule.Soak, CheckOutcome.Pass, "green in stg for 3h (soak 1h)"),
            (Rule.Health, CheckOutcome.Skipped, "stg has no health alarms"),
            (Rule.Freeze, CheckOutcome.Pass, "prd is not frozen now"),
            (Rule.Approvals, CheckOutcome.Pass, "1 of 1 approval from others (Bob <bob@example.com>)"),
            (Rule.Revocation, CheckOutcome.Pass, "not revoked in stg or prd"),
        ], verdict.Refs[0].Checks.Select(c => (c.Rule, c.Outcome, c.Detail)));
        Assert.Equal(VerdictKind.Promoted, verdict.Refs[0].Kind);
    }

    [Fact]
    public void Rules_that_do_not_apply_are_skipped_and_say_why()
    {
        var verdict = World().Decide(Policy(), new PushRequest("prd", "/x", [Promote(Candidate)]), new PushContext(Ada, T0, null));

        Assert.Equal(
        [
            (Rule.Soak, "stg has no soak time"),
            (Rule.Health, "stg has no health alarms"),
            (Rule.Freeze, "prd has no freeze windows"),
            (Rule.Approvals, "prd needs no approvals"),
        ], verdict.Refs[0].Checks.Where(c => c.Outcome == CheckOutcome.Skipped).Select(c => (c.Rule, c.Detail)));
        Assert.Equal("not revoked in stg or prd", verdict.Refs[0].Checks.Single(c => c.Rule == Rule.Revocation).Detail);
    }

    [Fact]
    public void A_plain_promotion_asks_the_previous_environment_for_green_and_revocations_and_the_target_for_its_revocations_in_one_round()
    {
        var world = World();

        world.Decide(Policy(), new PushRequest("prd", "/x", [Promote(Candidate)]), new PushContext(Ada, T0, null));

        Assert.Collection(world.Asked,
            q =>
            {
                Assert.Equal("stg", q.Environment.Name);
                Assert.Equal([Candidate], q.Commits);
                Assert.Equal([Candidate], q.ReviewCommits);
                Assert.False(q.Approvals);
            },
            q =>
            {
                Assert.Equal("prd", q.Environment.Name);
                Assert.Empty(q.Commits);
                Assert.Equal([Candidate], q.ReviewCommits);
                Assert.False(q.Approvals);
            });
    }

    [Fact]
    public void Approvals_make_the_target_answer_in_the_first_round_about_records_only()
    {
        var world = World();

        world.Decide(Policy(prd: Approvals(1)), new PushRequest("prd", "/x", [Promote(Candidate)]), new PushContext(Ada, T0, null) { StoreIdentity = Ada });

        Assert.Collection(world.Asked,
            q => Assert.Equal("stg", q.Environment.Name),
            q =>
            {
                Assert.Equal("prd", q.Environment.Name);
                Assert.Empty(q.Commits);
                Assert.Equal([Candidate], q.ReviewCommits);
                Assert.True(q.Approvals);
            });
    }

    [Fact]
    public void The_target_revocations_come_with_the_first_round_so_the_follow_up_for_a_possible_rollback_asks_only_for_green()
    {
        var world = World();

        world.Decide(Policy(), new PushRequest("prd", "/x", [Promote(Previous)]), new PushContext(Ada, T0, null));

        Assert.Contains(world.Asked.Take(2), q => q.Environment.Name == "prd" && q.ReviewCommits.SequenceEqual([Previous]));
        var followUp = world.Asked[^1];
        Assert.Equal("prd", followUp.Environment.Name);
        Assert.Equal([Previous], followUp.Commits);
        Assert.Empty(followUp.ReviewCommits);
    }
}
