using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

public class DeploymentEventTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly Identity Ci = new("ci", "ci@example.com");
    private static string C(int i) => Ids.Commit(i);
    private static DeploymentEvent E(int commit, int hour, DeploymentKind kind = DeploymentKind.Forward) => new("prd", C(commit), T.AddHours(hour), Ci, kind);

    [Fact]
    public void The_first_deployment_of_a_new_commit_is_forward() =>
        Assert.Equal(DeploymentKind.Forward, DeploymentKinds.Decide(C(1), [], greenBefore: false, []));

    [Fact]
    public void The_commit_deployed_last_again_is_a_redeploy() =>
        Assert.Equal(DeploymentKind.Redeploy, DeploymentKinds.Decide(C(2), [E(1, 0), E(2, 1)], greenBefore: true, []));

    [Fact]
    public void A_commit_deployed_before_another_is_a_rollback() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(1), [E(1, 0), E(2, 1)], greenBefore: true, []));

    [Fact]
    public void A_commit_only_green_before_events_existed_is_a_rollback_too() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(1), [E(2, 1)], greenBefore: true, []));

    [Fact]
    public void A_bypass_recorded_after_the_last_deployment_makes_a_bypass() =>
        Assert.Equal(DeploymentKind.Bypass, DeploymentKinds.Decide(C(3), [E(2, 1)], greenBefore: false, [T.AddHours(2)]));

    [Fact]
    public void The_record_after_a_servers_landed_bypass_event_is_still_that_bypass_and_the_next_one_a_redeploy()
    {
        var landed = E(3, 2, DeploymentKind.Bypass);
        Assert.Equal(DeploymentKind.Bypass, DeploymentKinds.Decide(C(3), [E(2, 1), landed], greenBefore: false, [landed.At]));
        Assert.Equal(DeploymentKind.Redeploy, DeploymentKinds.Decide(C(3), [E(2, 1), landed, E(3, 3, DeploymentKind.Bypass)], greenBefore: true, [landed.At]));
    }

    [Fact]
    public void A_bypass_recorded_in_the_second_of_the_last_deployment_makes_a_bypass_though_that_event_says_milliseconds()
    {
        // The bypass record says 10:00:00 (seconds), the deployment before it in that second 10:00:00.750 (its body).
        var before = new DeploymentEvent("prd", C(2), T.AddMilliseconds(750), Ci, DeploymentKind.Rollback);
        Assert.Equal(DeploymentKind.Bypass, DeploymentKinds.Decide(C(3), [E(1, -1), before], greenBefore: false, [T]));
        Assert.Equal(DeploymentKind.Forward, DeploymentKinds.Decide(C(3), [E(1, -1), before], greenBefore: false, [T.AddSeconds(-1)]));
    }

    [Fact]
    public void An_old_bypass_of_the_commit_does_not_make_its_rollback_a_bypass() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(3), [E(3, 2, DeploymentKind.Bypass), E(4, 5)], greenBefore: true, [T.AddHours(2)]));

    [Fact]
    public void An_event_round_trips_through_its_json_and_its_name_gives_its_time_and_commit()
    {
        var e = E(7, 3, DeploymentKind.Rollback);
        var name = DeploymentNames.Name(e.At, e.Commit, "ab12cd34");

        var read = DeploymentNames.FromStored("prd", name, RecordJson.DeploymentBody(e), readBody: true);

        Assert.Equal("20260302T130000Z-" + C(7) + "-ab12cd34", name);
        Assert.Equal(e with { By = new Identity(Ci.ToString(), "") }, read);
        Assert.Contains("\"kind\":\"rollback\"", RecordJson.DeploymentBody(e), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20260302T130000Z-nothex-ab12")]
    [InlineData("2026-03-02-cccccccccccccccccccccccccccccccccccccccc-ab12")]
    [InlineData("20260302T130000Z-cccccccccccccccccccccccccccccccccccccccc")]
    [InlineData("20260302T130000Z-cccccccccccccccccccccccccccccccccccccccc-a/b")]
    public void Names_that_are_not_events_are_not_read_as_events(string name) =>
        Assert.Null(DeploymentNames.Parse(name));

    [Fact]
    public void A_body_about_another_commit_than_its_name_is_read_from_the_name_only()
    {
        var name = DeploymentNames.Name(T, C(1), "ab12");

        var read = DeploymentNames.FromStored("prd", name, RecordJson.DeploymentBody(E(2, 0, DeploymentKind.Rollback)), readBody: true);

        Assert.Equal(new DeploymentEvent("prd", C(1), T, Identity.Unknown, DeploymentKind.Forward), read);
    }

    [Fact]
    public void A_listing_read_by_names_orders_two_events_of_its_newest_second_by_their_bodies_and_names_what_is_not_an_event()
    {
        // By name "aa" (at .900) sorts before "ff" (at .100): only their bodies tell which came last.
        var later = new DeploymentEvent("prd", C(2), T.AddMilliseconds(900), Ci, DeploymentKind.Rollback);
        var earlier = new DeploymentEvent("prd", C(3), T.AddMilliseconds(100), Ci, DeploymentKind.Forward);
        var old = E(1, -5);
        var unreadable = new List<string>();

        var listed = DeploymentNames.FromListing("prd", [
            (DeploymentNames.Name(old.At, old.Commit, "0001"), RecordJson.DeploymentBody(old)),
            (DeploymentNames.Name(later.At, later.Commit, "aa"), RecordJson.DeploymentBody(later)),
            (DeploymentNames.Name(earlier.At, earlier.Commit, "ff"), RecordJson.DeploymentBody(earlier)),
            ("not-an-event", null),
        ], detailsSince: DateTimeOffset.MaxValue, unreadable);

        Assert.Equal([C(1), C(3), C(2)], listed.Select(e => e.Commit));
        Assert.Equal([T.AddHours(-5), T.AddMilliseconds(100), T.AddMilliseconds(900)], listed.Select(e => e.At));
        // Outside the window and not in the newest second: from its name alone.
        Assert.Equal(Identity.Unknown, listed[0].By);
        Assert.Equal(DeploymentKind.Rollback, listed[2].Kind);
        Assert.Equal(["not-an-event"], unreadable);
    }

    [Fact]
    public void An_unknown_kind_is_not_an_event() =>
        Assert.Null(RecordJson.ReadDeployment("""{"commit":"cccccccccccccccccccccccccccccccccccccccc","at":"2026-03-02T13:00:00Z","kind":"teleport"}"""));
}
