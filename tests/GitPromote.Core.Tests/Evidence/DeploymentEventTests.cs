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
        Assert.Equal(DeploymentKind.Forward, DeploymentKinds.Decide(C(1), [], greenBefore: false, usesBypass: false));

    [Fact]
    public void The_commit_deployed_last_again_is_a_redeploy() =>
        Assert.Equal(DeploymentKind.Redeploy, DeploymentKinds.Decide(C(2), [E(1, 0), E(2, 1)], greenBefore: true, usesBypass: false));

    [Fact]
    public void A_commit_deployed_before_another_is_a_rollback() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(1), [E(1, 0), E(2, 1)], greenBefore: true, usesBypass: false));

    [Fact]
    public void A_commit_only_green_before_events_existed_is_a_rollback_too() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(1), [E(2, 1)], greenBefore: true, usesBypass: false));

    [Fact]
    public void A_deployment_that_uses_a_bypass_is_a_bypass_whatever_came_before() =>
        Assert.Equal(DeploymentKind.Bypass, DeploymentKinds.Decide(C(3), [E(3, 1)], greenBefore: true, usesBypass: true));

    [Fact]
    public void A_servers_landing_event_is_a_push_not_a_deployment_so_the_deployment_after_it_is_no_redeploy()
    {
        var landed = E(3, 2, DeploymentKind.Bypass) with { Bypass = "b1", Landed = true };
        Assert.Equal(DeploymentKind.Bypass, DeploymentKinds.Decide(C(3), [E(2, 1), landed], greenBefore: false, usesBypass: true));
        Assert.Equal(DeploymentKind.Forward, DeploymentKinds.Decide(C(3), [E(2, 1), landed], greenBefore: false, usesBypass: false));
        Assert.Equal(DeploymentKind.Redeploy, DeploymentKinds.Decide(C(3), [E(2, 1), landed, E(3, 3, DeploymentKind.Bypass)], greenBefore: true,
            usesBypass: false));
    }

    [Fact]
    public void A_commit_once_bypassed_is_rolled_back_to_as_a_rollback_without_a_new_bypass() =>
        Assert.Equal(DeploymentKind.Rollback, DeploymentKinds.Decide(C(3), [E(3, 2, DeploymentKind.Bypass), E(4, 5)], greenBefore: true, usesBypass: false));

    [Fact]
    public void The_bypass_an_event_used_and_whether_a_server_wrote_it_for_a_landed_push_round_trip_through_its_json()
    {
        var e = E(7, 3, DeploymentKind.Bypass) with { Bypass = "20260302T125900Z-" + C(7) + "-ab12cd34", Landed = true };

        var read = RecordJson.ReadDeployment(RecordJson.DeploymentBody(e))!;

        Assert.Equal(e.Bypass, read.Bypass);
        Assert.True(read.Landed);
        Assert.Contains("\"bypass\":\"20260302T125900Z-", RecordJson.DeploymentBody(e), StringComparison.Ordinal);
        Assert.DoesNotContain("\"bypass\"", RecordJson.DeploymentBody(E(7, 3)), StringComparison.Ordinal);
    }

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
    public void A_body_about_another_commit_than_its_name_is_read_from_the_name_only_and_marked_unread()
    {
        var name = DeploymentNames.Name(T, C(1), "ab12");

        var read = DeploymentNames.FromStored("prd", name, RecordJson.DeploymentBody(E(2, 0, DeploymentKind.Rollback)), readBody: true);

        Assert.Equal((C(1), T, Identity.Unknown), (read!.Commit, read.At, read.By));
        Assert.NotNull(read.Unread);
    }

    [Fact]
    public void An_event_read_from_its_name_on_purpose_is_not_marked_unread()
    {
        var name = DeploymentNames.Name(T, C(1), "ab12");

        var read = DeploymentNames.FromStored("prd", name, "not json at all", readBody: false);

        Assert.Null(read!.Unread);
    }

    [Fact]
    public void A_listing_names_an_event_whose_kind_is_not_one_git_promote_writes_and_marks_it_unread()
    {
        var name = DeploymentNames.Name(T, C(1), "ab12");
        var body = $$"""{"environment":"prd","commit":"{{C(1)}}","at":"2026-03-02T13:00:00Z","by":"ci","kind":"Rollback"}""";
        var unreadable = new List<string>();

        var listed = DeploymentNames.FromListing("prd", [(name, body)], detailsSince: DateTimeOffset.MinValue, unreadable);

        Assert.NotNull(Assert.Single(listed).Unread);
        Assert.Equal([name], unreadable);
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
