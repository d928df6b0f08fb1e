using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.History;

/// <summary>
/// The scenario of docs/history.md: c1..c6 on one line of history; three forward promotions to prd, a revocation then a
/// rollback, one bypass. Every figure below is worked out by hand there.
/// </summary>
public class HistoryBuilderTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly HistoryWindow Week = new(T, T.AddDays(7));
    private static readonly Identity Ci = new("ci", "ci@example.com");

    private static string C(int i) => Ids.Commit(i);

    private static DateTimeOffset At(int hours, int minutes = 0, int seconds = 0) => T + new TimeSpan(hours, minutes, seconds);

    /// <summary>c1 ← c2 ← ... ← c6, committed at these times.</summary>
    private static readonly Dictionary<string, CommitNode> Graph = new[]
    {
        (1, At(0)), (2, At(1, 30)), (3, At(24)), (4, At(25, 10)), (5, At(48)), (6, At(72)),
    }.ToDictionary(x => C(x.Item1), x => new CommitNode(C(x.Item1), x.Item2, x.Item1 == 1 ? [] : [C(x.Item1 - 1)], $"subject {x.Item1}"));

    private static DeploymentEvent E(string env, int commit, DateTimeOffset at, DeploymentKind kind = DeploymentKind.Forward) =>
        new(env, C(commit), at, Ci, kind);

    private static readonly BypassRecord Bypass = new("prd", C(6), "refs/heads/main", "INC-7: checkout is down for everyone",
        new Identity("Ada", "ada@example.com"), At(74));

    private static IReadOnlyList<LaneInput> Scenario() =>
    [
        new("dev") { Events = [E("dev", 2, At(2)), E("dev", 4, At(26)), E("dev", 5, At(49)), E("dev", 6, At(73))] },
        new("stg") { Events = [E("stg", 2, At(3)), E("stg", 4, At(27)), E("stg", 5, At(50))] },
        new("prd")
        {
            Events =
            [
                E("prd", 2, At(4)),
                E("prd", 4, At(28)),
                E("prd", 2, At(30, 15, 30), DeploymentKind.Rollback),
                E("prd", 5, At(52, 20)),
                E("prd", 6, At(74), DeploymentKind.Bypass),           // the server, when the bypassed push landed
                E("prd", 6, At(74, 5, 7), DeploymentKind.Bypass),     // the pipeline's record of it
            ],
            Bypasses = [Bypass],
            Revocations = [new Revocation("prd", C(4), "INC-6: orders lost", Ci, At(29))],
        },
    ];

    [Fact]
    public void Deployment_frequency_counts_every_kind_in_the_window()
    {
        var figures = HistoryBuilder.Build(Scenario(), Week, Graph).Figures!;

        Assert.Equal("prd", figures.Environment);
        Assert.Equal(5, figures.Deployments);
        Assert.Equal(5.0 / 7, figures.PerDay, 9);
        Assert.Equal(5.0, figures.PerWeek, 9);
    }

    [Fact]
    public void Lead_time_counts_each_commit_once_when_first_brought_to_prd_and_a_rollback_brings_none()
    {
        var history = HistoryBuilder.Build(Scenario(), Week, Graph);

        Assert.Equal(
        [
            (C(1), C(2), new TimeSpan(4, 0, 0)),
            (C(2), C(2), new TimeSpan(2, 30, 0)),
            (C(3), C(4), new TimeSpan(4, 0, 0)),
            (C(4), C(4), new TimeSpan(2, 50, 0)),
            (C(5), C(5), new TimeSpan(4, 20, 0)),
            (C(6), C(6), new TimeSpan(2, 5, 7)),
        ], history.LeadTimes.Select(l => (l.Commit, l.DeployedWith, l.LeadTime)).ToList());
        Assert.Equal(6, history.Figures!.LeadTimeCommits);
        // Sorted 2h5m7s, 2h30m, 2h50m, 4h, 4h, 4h20m. Median: position 0.5 × 5 = 2.5, halfway from 2h50m to 4h = 3h25m.
        // p90: position 0.9 × 5 = 4.5, halfway from 4h to 4h20m = 4h10m.
        Assert.Equal(new TimeSpan(3, 25, 0), history.Figures.LeadTimeMedian);
        Assert.Equal(new TimeSpan(4, 10, 0), history.Figures.LeadTimeP90);
    }

    [Fact]
    public void A_forward_deployment_revoked_and_rolled_back_before_the_next_forward_one_is_a_failure_restored_by_the_rollback()
    {
        var figures = HistoryBuilder.Build(Scenario(), Week, Graph).Figures!;

        Assert.Equal(4, figures.ForwardDeployments);
        Assert.Equal(1, figures.FailedDeployments);
        Assert.Equal(0.25, figures.ChangeFailureRate);
        Assert.Equal(1, figures.Restored);
        Assert.Equal(new TimeSpan(2, 15, 30), figures.TimeToRestoreMedian);
    }

    [Fact]
    public void The_prd_lane_shows_kinds_the_bypass_once_with_its_justification_and_the_revocation_on_the_deployment_it_undid()
    {
        var prd = HistoryBuilder.Build(Scenario(), Week, Graph).Lanes[2];

        Assert.True(prd.RollbacksVisible);
        Assert.Equal(
        [
            (C(2), DeploymentKind.Forward, At(4)),
            (C(4), DeploymentKind.Forward, At(28)),
            (C(2), DeploymentKind.Rollback, At(30, 15, 30)),
            (C(5), DeploymentKind.Forward, At(52, 20)),
            (C(6), DeploymentKind.Bypass, At(74, 5, 7)),
        ], prd.Deployments.Select(d => (d.Commit, d.Kind, d.At)).ToList());
        Assert.Equal("INC-7: checkout is down for everyone", prd.Deployments[4].Bypass!.Justification);
        Assert.False(prd.Deployments[4].Promoted);
        Assert.True(prd.Deployments[3].Promoted);
        Assert.Equal("INC-6: orders lost", prd.Deployments[1].Revoked!.Reason);
        Assert.All(prd.Deployments.Where(d => d != prd.Deployments[1]), d => Assert.Null(d.Revoked));
        Assert.Equal("subject 5", prd.Deployments[3].Subject);
    }

    [Fact]
    public void Each_commit_in_prd_has_its_path_with_the_time_spent_in_each_environment()
    {
        var paths = HistoryBuilder.Build(Scenario(), Week, Graph).Paths;

        Assert.Equal([C(2), C(4), C(5), C(6)], paths.Select(p => p.Commit).ToList());
        Assert.Equal(TimeSpan.FromHours(2), paths[0].Total);
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(1)], paths[0].TimeIn);
        Assert.Equal(new TimeSpan(3, 20, 0), paths[2].Total);
        // c6 skipped stg on a bypass: its time in dev runs up to prd, none in stg.
        Assert.Equal([new TimeSpan(1, 5, 7), null], paths[3].TimeIn);
        Assert.Equal(new TimeSpan(1, 5, 7), paths[3].Total);
    }

    [Fact]
    public void A_commit_bypassed_past_stg_that_reaches_stg_later_spends_its_time_in_dev_up_to_prd_and_none_in_stg()
    {
        var inputs = Scenario().ToList();
        inputs[1] = inputs[1] with { Events = [.. inputs[1].Events, E("stg", 6, At(80))] };

        var c6 = HistoryBuilder.Build(inputs, Week, Graph).Paths.Single(p => p.Commit == C(6));

        Assert.Equal([new TimeSpan(1, 5, 7), null], c6.TimeIn);
        Assert.Equal(new TimeSpan(1, 5, 7), c6.Total);
    }

    [Fact]
    public void The_window_limits_what_is_counted_but_earlier_deployments_still_decide_what_a_later_one_brings()
    {
        var fromDay2 = new HistoryWindow(At(24), At(168));

        var history = HistoryBuilder.Build(Scenario(), fromDay2, Graph);

        Assert.Equal(4, history.Figures!.Deployments);
        // c1 and c2 reached prd before the window: not counted again.
        Assert.Equal([C(3), C(4), C(5), C(6)], history.LeadTimes.Select(l => l.Commit).ToList());
        Assert.Equal(3, history.Figures.ForwardDeployments);
    }

    [Fact]
    public void Green_records_alone_give_forward_deployments_at_their_first_green_and_say_rollbacks_cannot_be_seen()
    {
        var green = new LaneInput("prd")
        {
            Green = [new GreenFact(C(2), "ssm", At(4), "ci"), new GreenFact(C(4), "ssm", At(28), "ci"), new GreenFact(C(4), "codepipeline", At(27), null)],
        };

        var history = HistoryBuilder.Build([new LaneInput("dev") { Events = [E("dev", 2, At(2))] }, green], Week, Graph);

        Assert.False(history.Lanes[1].RollbacksVisible);
        Assert.Equal([(C(2), At(4)), (C(4), At(27))], history.Lanes[1].Deployments.Select(d => (d.Commit, d.At)).ToList());
        Assert.All(history.Lanes[1].Deployments, d => Assert.True(d.FromGreenOnly && d.Kind == DeploymentKind.Forward));
        Assert.Contains(history.Notes, n => n.StartsWith("prd: only green records", StringComparison.Ordinal)
            && n.Contains("rollbacks and redeploys can't be seen", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lane_whose_store_could_not_be_read_is_named_and_the_others_are_still_shown()
    {
        var inputs = Scenario().ToList();
        inputs[1] = new LaneInput("stg") { Missing = "stg.git: no such repository" };

        var history = HistoryBuilder.Build(inputs, Week, Graph);

        Assert.Equal("stg.git: no such repository", history.Lanes[1].Missing);
        Assert.Empty(history.Lanes[1].Deployments);
        Assert.Equal(5, history.Figures!.Deployments);
        Assert.Contains(history.Notes, n => n.StartsWith("stg: missing from this history", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_last_environment_there_are_no_figures_only_the_lanes()
    {
        var inputs = Scenario().ToList();
        inputs[2] = new LaneInput("prd") { Missing = "AccessDenied" };

        var history = HistoryBuilder.Build(inputs, Week, Graph);

        Assert.Null(history.Figures);
        Assert.Equal(4, history.Lanes[0].Deployments.Count);
    }

    [Fact]
    public void Deployments_of_commits_the_clone_lacks_are_left_out_of_lead_time_and_said()
    {
        var graph = Graph.Where(g => g.Key != C(6)).ToDictionary();

        var history = HistoryBuilder.Build(Scenario(), Week, graph);

        Assert.DoesNotContain(history.LeadTimes, l => l.Commit == C(6));
        Assert.Contains(history.Notes, n => n.StartsWith("lead time: 1 deployment(s)", StringComparison.Ordinal));
    }

    /// <summary>
    /// PERCENTILE_CONT, as PostgreSQL and BigQuery compute it (GitLab's DORA metrics, Google's Four Keys): the value at
    /// position p/100 × (n − 1) of the sorted values, counted from 0, interpolated between its neighbours; then rounded to the
    /// second, half up. Worked by hand: [1, 2] at 50 is position 0.5, 1.5 s, 2 s; 1..10 at 90 is position 8.1, 9.1 s, 9 s;
    /// 1..11 at 90 is position 9, 10 s; [10, 20] at 90 is position 0.9, 19 s; [10, 20] at 50 is 15 s.
    /// </summary>
    [Theory]
    [InlineData(new[] { 5 }, 50, 5)]
    [InlineData(new[] { 5 }, 90, 5)]
    [InlineData(new[] { 1, 2 }, 50, 2)]
    [InlineData(new[] { 3, 1, 2 }, 50, 2)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 90, 9)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 90, 10)]
    [InlineData(new[] { 10, 20 }, 90, 19)]
    [InlineData(new[] { 20, 10 }, 50, 15)]
    public void Percentiles_are_interpolated_as_percentile_cont(int[] seconds, int p, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), HistoryBuilder.Percentile(seconds.Select(s => TimeSpan.FromSeconds(s)).ToList(), p));

    [Fact]
    public void The_median_of_19h_23h_25h_25h_is_24h_as_gitlab_and_four_keys_compute_it_not_the_nearest_rank_23h()
    {
        var hours = new[] { 25, 19, 25, 23 }.Select(h => TimeSpan.FromHours(h)).ToList();

        Assert.Equal(TimeSpan.FromHours(24), HistoryBuilder.Percentile(hours, 50));
        // p90: position 0.9 × 3 = 2.7, between 25h and 25h.
        Assert.Equal(TimeSpan.FromHours(25), HistoryBuilder.Percentile(hours, 90));
    }

    [Fact]
    public void No_values_have_no_percentile() => Assert.Null(HistoryBuilder.Percentile([], 50));

    [Fact]
    public void Commits_committed_after_their_deployment_are_left_out_of_lead_time_and_named()
    {
        // c5 and c6 say they were committed in 2099 (GIT_COMMITTER_DATE): their lead times would be about -73 years.
        var future = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var graph = Graph.ToDictionary();
        graph[C(5)] = graph[C(5)] with { CommittedAt = future };
        graph[C(6)] = graph[C(6)] with { CommittedAt = future };

        var history = HistoryBuilder.Build(Scenario(), Week, graph);

        Assert.Equal([C(1), C(2), C(3), C(4)], history.LeadTimes.Select(l => l.Commit).ToList());
        Assert.All(history.LeadTimes, l => Assert.True(l.LeadTime >= TimeSpan.Zero));
        Assert.Equal(4, history.Figures!.LeadTimeCommits);
        // 2h30m, 2h50m, 4h, 4h: position 1.5, 3h25m.
        Assert.Equal(new TimeSpan(3, 25, 0), history.Figures.LeadTimeMedian);
        var note = Assert.Single(history.Notes, n => n.StartsWith("lead time: 2 commit(s) committed after their deployment", StringComparison.Ordinal));
        Assert.Contains(GitPromote.Core.Push.ObjectIds.Short(C(5)), note);
        Assert.Contains(GitPromote.Core.Push.ObjectIds.Short(C(6)), note);
        Assert.Contains("2099-01-01", note);
    }

    [Fact]
    public void A_commit_left_out_for_a_committer_time_after_its_deployment_is_not_brought_again_by_a_later_one()
    {
        // c4 is committed after its deployment: left out, yet a later deployment does not bring it again.
        var graph = Graph.ToDictionary();
        graph[C(4)] = graph[C(4)] with { CommittedAt = At(100) };

        var history = HistoryBuilder.Build(Scenario(), Week, graph);

        Assert.Equal([C(1), C(2), C(3), C(5), C(6)], history.LeadTimes.Select(l => l.Commit).ToList());
    }

    [Fact]
    public void A_revocation_stamped_to_the_second_marks_a_deployment_stamped_to_the_millisecond_in_that_second()
    {
        // The deployment event says 28:00:05.300 (its body, to the millisecond); the revocation says 28:00:05 (to the second).
        var inputs = Scenario().ToList();
        var deployedAt = At(28, 0, 5).AddMilliseconds(300);
        inputs[2] = inputs[2] with
        {
            Events = [.. inputs[2].Events.Select(e => e.Commit == C(4) ? e with { At = deployedAt } : e)],
            Revocations = [new Revocation("prd", C(4), "INC-6: orders lost", Ci, At(28, 0, 5))],
        };
        // No rollback after it: the revocation alone makes it a failure.
        inputs[2] = inputs[2] with { Events = [.. inputs[2].Events.Where(e => e.Kind != DeploymentKind.Rollback)] };

        var history = HistoryBuilder.Build(inputs, Week, Graph);

        var c4 = history.Lanes[2].Deployments.Single(d => d.Commit == C(4));
        Assert.Equal("INC-6: orders lost", c4.Revoked?.Reason);
        Assert.Equal(1, history.Figures!.FailedDeployments);
    }

    [Fact]
    public void A_revocation_stamped_to_the_millisecond_before_a_deployment_in_the_same_second_does_not_mark_it()
    {
        var inputs = Scenario().ToList();
        var deployedAt = At(28, 0, 5).AddMilliseconds(300);
        inputs[2] = inputs[2] with
        {
            Events = [.. inputs[2].Events.Where(e => e.Kind != DeploymentKind.Rollback).Select(e => e.Commit == C(4) ? e with { At = deployedAt } : e)],
            Revocations = [new Revocation("prd", C(4), "INC-6: orders lost", Ci, At(28, 0, 5).AddMilliseconds(100))],
        };

        var history = HistoryBuilder.Build(inputs, Week, Graph);

        Assert.Null(history.Lanes[2].Deployments.Single(d => d.Commit == C(4)).Revoked);
        Assert.Equal(0, history.Figures!.FailedDeployments);
    }

    [Fact]
    public void An_event_whose_body_could_not_be_read_is_left_out_of_every_figure_never_counted_as_forward()
    {
        // A planted event of c3 at T+40h with kind "Rollback" (not a kind git-promote writes): the store marks it unread.
        var inputs = Scenario().ToList();
        inputs[2] = inputs[2] with
        {
            Events = [.. inputs[2].Events, E("prd", 3, At(40)) with { Unread = "not a deployment event git-promote wrote" }],
        };

        var history = HistoryBuilder.Build(inputs, Week, Graph);

        Assert.DoesNotContain(history.Lanes[2].Deployments, d => d.Commit == C(3));
        Assert.Equal(5, history.Figures!.Deployments);
        Assert.Equal(4, history.Figures.ForwardDeployments);
    }

    [Fact]
    public void A_servers_landing_event_is_one_deployment_with_the_pipelines_record_that_used_its_bypass_though_another_record_came_between()
    {
        var bypass = Bypass with { Id = "20260305T020000Z-c6-ab12" };
        var history = HistoryBuilder.Build(
        [
            new("prd")
            {
                Events =
                [
                    E("prd", 5, At(50)),
                    E("prd", 6, At(74), DeploymentKind.Bypass) with { Landed = true, Bypass = bypass.Id },  // the server, when c6 landed
                    E("prd", 5, At(74, 10)) with { Kind = DeploymentKind.Redeploy },                      // c5's queued pipeline
                    E("prd", 6, At(74, 20), DeploymentKind.Bypass) with { Bypass = bypass.Id },             // c6's pipeline, which used it
                ],
                Bypasses = [bypass],
            },
        ], Week, Graph);

        Assert.Equal([(C(5), DeploymentKind.Forward), (C(5), DeploymentKind.Redeploy), (C(6), DeploymentKind.Bypass)],
            history.Lanes[0].Deployments.Select(d => (d.Commit, d.Kind)).ToList());
        Assert.Equal(2, history.Figures!.ForwardDeployments);
        Assert.Equal(0, history.Figures.FailedDeployments);
    }

    [Fact]
    public void A_servers_landing_event_no_pipeline_recorded_after_is_the_deployment()
    {
        var history = HistoryBuilder.Build(
        [
            new("prd") { Events = [E("prd", 5, At(50)), E("prd", 6, At(74), DeploymentKind.Bypass) with { Landed = true, Bypass = "x" }], Bypasses = [Bypass] },
        ], Week, Graph);

        Assert.Equal([(C(5), DeploymentKind.Forward), (C(6), DeploymentKind.Bypass)],
            history.Lanes[0].Deployments.Select(d => (d.Commit, d.Kind)).ToList());
    }
}
