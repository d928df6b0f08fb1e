using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Engine;

/// <summary>
/// Green means healthy: a commit leaves stg for prd only when stg's alarms are OK and have been OK for healthy_for. The
/// alarms and the clock are inputs, so every case is exact to the second.
/// </summary>
public class HealthEngineTests
{
    private static readonly string Candidate = Ids.Sha1('a');
    private static readonly string Previous = Ids.Sha1('b');
    private static readonly string OldTip = Ids.Sha1('e');
    private static readonly Identity Ada = new("Ada", "ada@example.com");
    private const string GoodJustification = "INC-12: db failover, hotfix approved";

    /// <summary>Monday 3 June 2024, 14:00 UTC.</summary>
    private static readonly DateTimeOffset Now = new(2024, 6, 3, 14, 0, 0, TimeSpan.Zero);

    private static PromotionPolicy Policy(string[]? alarms = null, TimeSpan? healthyFor = null,
        InsufficientDataMode insufficient = InsufficientDataMode.Block, OnErrorMode onError = OnErrorMode.Block)
    {
        var p = Orders(onError: onError);
        var health = new HealthPolicy((alarms ?? ["orders-stg-5xx", "orders-stg-latency-*"]).Select(a => new AlarmPattern(a)).ToList(),
            healthyFor ?? TimeSpan.FromMinutes(30), insufficient);
        return p with { Environments = [p.Environments[0], p.Environments[1] with { Health = health }, p.Environments[2]] };
    }

    private static RefUpdate Promote(string commit) => new("refs/heads/main", commit, "refs/heads/main", OldTip) { Commit = commit };
    private static RefUpdate Rollback(string commit) => Promote(commit) with { RewindsTarget = true };

    /// <summary>The candidate green in stg, the previous release green in prd, and stg's three alarms OK for an hour.</summary>
    private static FakeWorld Healthy() => new FakeWorld()
        .Green("stg", Candidate, Now.AddDays(-1), "ssm").Green("prd", Previous, Now.AddDays(-7), "ssm")
        .Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddHours(-1))
        .Alarm("stg", "orders-stg-latency-p50", AlarmState.Ok, Now.AddHours(-1))
        .Alarm("stg", "orders-stg-latency-p99", AlarmState.Ok, Now.AddHours(-1), kind: "composite")
        .Alarm("stg", "orders-dev-5xx", AlarmState.Alarm, Now.AddHours(-1));

    private static RefVerdict Decide(FakeWorld world, PromotionPolicy policy, RefUpdate update, DateTimeOffset? now = null, string? bypass = null) =>
        world.Decide(policy, new PushRequest("prd", "/srv/prd.git", [update]), new PushContext(Ada, now ?? Now, bypass)).Refs[0];

    private static RuleCheck HealthCheck(RefVerdict verdict) => verdict.Checks.Single(c => c.Rule == Rule.Health);

    [Fact]
    public void Every_alarm_ok_for_longer_than_healthy_for_lets_the_commit_leave()
    {
        var verdict = Decide(Healthy(), Policy(), Promote(Candidate));

        Assert.Equal(VerdictKind.Promoted, verdict.Kind);
        Assert.Equal((CheckOutcome.Pass, "3 alarms in stg have been OK for at least 30m"), (HealthCheck(verdict).Outcome, HealthCheck(verdict).Detail));
    }

    [Fact]
    public void An_alarm_in_alarm_refuses_the_push_naming_the_alarm_and_since_when()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now.AddMinutes(-20)), Policy(), Promote(Candidate));

        Assert.Equal((VerdictKind.Blocked, BlockReason.Unhealthy), (verdict.Kind, verdict.Reason));
        Assert.Equal(["health"], verdict.Failed.Select(c => c.Name));
        Assert.Equal("orders-stg-5xx is in ALARM since 13:40Z", HealthCheck(verdict).Detail);
        Assert.Null(HealthCheck(verdict).Until);
        Assert.Contains("must be OK for 30m", HealthCheck(verdict).Hint);
    }

    [Fact]
    public void An_alarm_ok_for_less_than_healthy_for_is_refused_with_the_time_it_may_go()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddMinutes(-12)), Policy(), Promote(Candidate),
            now: Now.AddSeconds(-30));

        Assert.Equal((VerdictKind.Blocked, BlockReason.Unhealthy), (verdict.Kind, verdict.Reason));
        // OK since 13:48:00, for 11m30s at 13:59:30 (shown in whole minutes, never more than it has been); may go at 14:18Z.
        Assert.Equal("orders-stg-5xx has been OK for 11m of 30m: try again after 14:18Z", HealthCheck(verdict).Detail);
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 14, 18, 0, TimeSpan.Zero), HealthCheck(verdict).Until);
    }

    [Fact]
    public void The_try_again_time_is_rounded_up_to_the_minute_and_is_the_latest_of_the_waiting_alarms()
    {
        var world = Healthy()
            .Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddMinutes(-12).AddSeconds(-50))
            .Alarm("stg", "orders-stg-latency-p99", AlarmState.Ok, Now.AddMinutes(-5).AddSeconds(-10));

        var check = HealthCheck(Decide(world, Policy(), Promote(Candidate)));

        Assert.Equal("orders-stg-5xx has been OK for 12m of 30m; orders-stg-latency-p99 has been OK for 5m of 30m: try again after 14:25Z", check.Detail);
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 14, 25, 0, TimeSpan.Zero), check.Until);
    }

    [Fact]
    public void Ok_for_seconds_says_seconds()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddSeconds(-42.9)), Policy(), Promote(Candidate));

        Assert.StartsWith("orders-stg-5xx has been OK for 42s of 30m: try again after 14:30Z", HealthCheck(verdict).Detail);
    }

    [Fact]
    public void Ok_exactly_healthy_for_ago_is_healthy()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddMinutes(-30)), Policy(), Promote(Candidate));

        Assert.Equal(VerdictKind.Promoted, verdict.Kind);
    }

    [Fact]
    public void A_try_again_time_on_another_day_carries_its_date()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Ok, Now.AddMinutes(-5)), Policy(healthyFor: TimeSpan.FromDays(1)),
            Promote(Candidate));

        Assert.EndsWith("try again after 2024-06-04 13:55Z", HealthCheck(verdict).Detail);
    }

    [Fact]
    public void Insufficient_data_blocks_by_default()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-latency-p50", AlarmState.InsufficientData, Now.AddHours(-2)), Policy(), Promote(Candidate));

        Assert.Equal((VerdictKind.Blocked, BlockReason.Unhealthy), (verdict.Kind, verdict.Reason));
        Assert.Equal("orders-stg-latency-p50 is INSUFFICIENT_DATA since 12:00Z (insufficient_data: block)", HealthCheck(verdict).Detail);
    }

    [Fact]
    public void Insufficient_data_is_allowed_with_ignore()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-latency-p50", AlarmState.InsufficientData, Now.AddMinutes(-1)),
            Policy(insufficient: InsufficientDataMode.Ignore), Promote(Candidate));

        Assert.Equal(VerdictKind.Promoted, verdict.Kind);
        Assert.Equal("2 alarms in stg have been OK for at least 30m", HealthCheck(verdict).Detail);
    }

    [Fact]
    public void Ignore_does_not_let_an_alarm_in_alarm_through()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now.AddMinutes(-1)),
            Policy(insufficient: InsufficientDataMode.Ignore), Promote(Candidate));

        Assert.Equal(BlockReason.Unhealthy, verdict.Reason);
    }

    [Fact]
    public void A_prefix_matches_several_alarms_and_each_counts()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-latency-p99", AlarmState.Alarm, Now.AddMinutes(-3)), Policy(["orders-stg-latency-*"]),
            Promote(Candidate));

        Assert.Equal("orders-stg-latency-p99 is in ALARM since 13:57Z", HealthCheck(verdict).Detail);
        Assert.Equal("2 alarms in stg have been OK for at least 30m",
            HealthCheck(Decide(Healthy(), Policy(["orders-stg-latency-*"]), Promote(Candidate))).Detail);
    }

    [Fact]
    public void A_pattern_that_matches_no_alarm_is_a_failure_naming_the_pattern_even_with_on_error_allow()
    {
        var verdict = Decide(Healthy(), Policy(["orders-stg-5xx", "orders-stg-latncy-*", "orders-stg-gone"], onError: OnErrorMode.Allow), Promote(Candidate));

        Assert.Equal((VerdictKind.Blocked, BlockReason.Unhealthy), (verdict.Kind, verdict.Reason));
        Assert.Equal("no alarm in stg matches 'orders-stg-latncy-*'; no alarm in stg matches 'orders-stg-gone'", HealthCheck(verdict).Detail);
    }

    [Fact]
    public void An_alarm_of_another_environment_does_not_count()
    {
        // orders-dev-5xx is in ALARM in stg's account too, but stg's patterns do not name it.
        Assert.Equal(VerdictKind.Promoted, Decide(Healthy(), Policy(), Promote(Candidate)).Kind);
    }

    [Fact]
    public void A_rollback_into_prd_passes_while_stg_is_in_alarm()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now.AddMinutes(-5)), Policy(), Rollback(Previous));

        Assert.Equal(VerdictKind.Rollback, verdict.Kind);
        Assert.Equal((CheckOutcome.Skipped, "health of stg: not needed for a rollback"), (HealthCheck(verdict).Outcome, HealthCheck(verdict).Detail));
    }

    [Fact]
    public void A_rollback_found_by_the_follow_up_question_passes_while_stg_is_in_alarm()
    {
        // Not rewinding, not green in stg: only the second round finds it green in prd.
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now.AddMinutes(-5)), Policy(), Promote(Previous));

        Assert.Equal(VerdictKind.Rollback, verdict.Kind);
    }

    [Fact]
    public void Unreadable_health_blocks_by_default_and_passes_with_on_error_allow()
    {
        var blocked = Decide(Healthy().FailHealth("stg"), Policy(), Promote(Candidate));
        var allowed = Decide(Healthy().FailHealth("stg"), Policy(onError: OnErrorMode.Allow), Promote(Candidate));

        Assert.Equal((VerdictKind.Blocked, BlockReason.EvidenceUnavailable), (blocked.Kind, blocked.Reason));
        Assert.Equal((CheckOutcome.Unknown, "could not read the health alarms of stg: cloudwatch:DescribeAlarms in stg: access denied"),
            (HealthCheck(blocked).Outcome, HealthCheck(blocked).Detail));
        Assert.Equal(VerdictKind.AllowedOnError, allowed.Kind);
        // The failure travels with the verdict, so the warning and the refusal can say what to do.
        Assert.Equal("allow cloudwatch:DescribeAlarms", allowed.Failure!.Todo);
        Assert.Equal("allow cloudwatch:DescribeAlarms", blocked.Failure!.Todo);
    }

    [Fact]
    public void Unhealthy_is_set_aside_by_a_bypass_and_the_record_says_so()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now), Policy(), Promote(Candidate), bypass: GoodJustification);

        Assert.Equal(VerdictKind.Bypass, verdict.Kind);
        Assert.Equal(["health"], verdict.Bypass!.Overrides);
    }

    [Fact]
    public void A_commit_not_green_in_an_unhealthy_stg_is_refused_for_order_first_and_names_both()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now), Policy(), Promote(Ids.Sha1('c')));

        Assert.Equal(BlockReason.NotGreen, verdict.Reason);
        Assert.Equal(["order", "health"], verdict.Failed.Select(c => c.Name));
    }

    [Fact]
    public void Health_is_asked_of_the_previous_environment_in_the_first_round_and_of_no_other()
    {
        var world = Healthy();
        var policy = Policy();
        policy = policy with
        {
            Environments = [policy.Environments[0], policy.Environments[1],
            policy.Environments[2] with { Health = policy.Environments[1].Health }]
        };

        Decide(world, policy, Promote(Candidate));

        Assert.Equal([("stg", true), ("prd", false)], world.Asked.Select(q => (q.Environment.Name, q.Health)));
    }

    [Fact]
    public void Health_of_an_environment_without_it_is_not_asked()
    {
        var world = Healthy();

        Decide(world, Orders(), Promote(Candidate));

        Assert.All(world.Asked, q => Assert.False(q.Health));
    }

    [Fact]
    public void The_gate_refuses_and_admits_in_the_same_cases()
    {
        var policy = Policy();
        Assert.Equal(VerdictKind.Promoted, Healthy().Gate(policy, "prd", Candidate, Now).Kind);
        Assert.Equal(BlockReason.Unhealthy, Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now).Gate(policy, "prd", Candidate, Now).Reason);
        Assert.Equal(VerdictKind.Rollback, Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Alarm, Now).Gate(policy, "prd", Previous, Now).Kind);
    }

    [Fact]
    public void Many_unhealthy_alarms_are_listed_up_to_a_bound_and_counted()
    {
        var world = Healthy();
        for (var i = 0; i < 8; i++) world.Alarm("stg", $"orders-stg-latency-{i}", AlarmState.Alarm, Now);

        var detail = HealthCheck(Decide(world, Policy(), Promote(Candidate))).Detail;

        Assert.Equal(HealthRule.ProblemsShown, detail.Split("; ").Length - 1);
        Assert.EndsWith("; and 3 more", detail);
    }

    [Fact]
    public void Ok_without_a_time_cannot_prove_how_long_and_is_refused()
    {
        var verdict = Decide(Healthy().Alarm("stg", "orders-stg-5xx", AlarmState.Ok, null), Policy(), Promote(Candidate));

        Assert.Equal("orders-stg-5xx is OK but CloudWatch does not say since when", HealthCheck(verdict).Detail);
    }

    [Theory]
    [InlineData(AlarmState.Ok, AlarmState.Alarm)]
    [InlineData(AlarmState.Alarm, AlarmState.Ok)]
    public void An_alarm_listed_twice_in_two_states_is_judged_on_the_worst(AlarmState first, AlarmState second)
    {
        var stg = Policy().Environments[1];
        var answer = HealthAnswer.Read("cloudwatch", [
            new AlarmReading("orders-stg-5xx", "metric", first, Now.AddHours(-2)),
            new AlarmReading("orders-stg-5xx", "metric", second, Now.AddHours(-2)),
            new AlarmReading("orders-stg-latency-p50", "metric", AlarmState.Ok, Now.AddHours(-2)),
        ]);

        var check = HealthRule.Judge(stg, stg.Health!, answer, Now);

        Assert.Equal((CheckOutcome.Fail, "orders-stg-5xx is in ALARM since 12:00Z"), (check.Outcome, check.Detail));
    }

    [Fact]
    public void An_alarm_listed_twice_as_ok_is_judged_on_the_shorter_time_ok()
    {
        var stg = Policy().Environments[1];
        var answer = HealthAnswer.Read("cloudwatch", [
            new AlarmReading("orders-stg-5xx", "metric", AlarmState.Ok, Now.AddHours(-2)),
            new AlarmReading("orders-stg-5xx", "metric", AlarmState.Ok, Now.AddMinutes(-10)),
            new AlarmReading("orders-stg-latency-p50", "metric", AlarmState.Ok, Now.AddHours(-2)),
        ]);

        var check = HealthRule.Judge(stg, stg.Health!, answer, Now);

        Assert.Equal((CheckOutcome.Fail, "orders-stg-5xx has been OK for 10m of 30m: try again after 14:20Z"), (check.Outcome, check.Detail));
    }
}
