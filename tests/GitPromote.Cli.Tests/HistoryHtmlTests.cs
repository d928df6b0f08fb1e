using System.Globalization;
using System.Text.RegularExpressions;
using GitPromote.Cli.Output;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Tests;

public sealed partial class HistoryHtmlTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly Identity Pipeline = new("pipeline", "");

    [Fact]
    public void A_commit_bypassed_past_stg_is_joined_to_dev_on_the_timeline_not_back_in_time_to_stg_catching_up()
    {
        var bypassed = new string('b', 40);
        DeploymentEvent E(string env, double hours, DeploymentKind kind = DeploymentKind.Forward) => new(env, bypassed, T0.AddHours(hours), Pipeline, kind);
        LaneInput Lane(string env, params DeploymentEvent[] events) => new(env) { Events = events };
        var history = HistoryBuilder.Build(
            [Lane("dev", E("dev", 0)), Lane("stg", E("stg", 20)), Lane("prd", E("prd", 2, DeploymentKind.Bypass))],
            new HistoryWindow(T0.AddDays(-1), T0.AddDays(2)), new Dictionary<string, CommitNode>());

        var page = HistoryHtml.Render(new HistoryReport("orders", history, []), T0.AddDays(2));

        var paths = PathLine().Matches(page).Select(m => (X1: Number(m, "x1"), Y1: Number(m, "y1"), X2: Number(m, "x2"), Y2: Number(m, "y2"))).ToList();
        Assert.Equal(2, paths.Count);
        Assert.All(paths, p => Assert.True(p.X2 >= p.X1, $"a path line runs back in time: {p}"));
        var (devY, prdY) = (paths.Min(p => p.Y1), paths.Max(p => p.Y2));
        Assert.Contains(paths, p => p.Y1 == devY && p.Y2 == prdY); // dev → prd, across stg
        Assert.Null(history.Paths.Single().TimeIn[1]); // nothing spent in stg: it came after prd
        Assert.Equal(TimeSpan.FromHours(2), history.Paths.Single().TimeIn[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void The_widest_window_a_user_may_type_draws_a_page_with_at_most_ten_ticks(int deployments)
    {
        // --since 0001-01-01 --until 9999-12-31T23:59:59Z: the span is nearly DateTimeOffset's whole range.
        var window = new HistoryWindow(new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero));
        var events = Enumerable.Range(0, deployments).Select(i => new DeploymentEvent("prd", new string('c', 40), T0.AddHours(i), Pipeline,
            DeploymentKind.Forward)).ToList();
        var history = HistoryBuilder.Build([new LaneInput("prd") { Events = events }], window, new Dictionary<string, CommitNode>());

        var page = HistoryHtml.Render(new HistoryReport("orders", history, []), T0);

        Assert.Contains("</html>", page);
        Assert.InRange(Regex.Matches(page, "<line class=\"tick\"").Count, 0, 10);
    }

    private static double Number(Match m, string name) => double.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex("""<line class="path" x1="(?<x1>[0-9.]+)" y1="(?<y1>[0-9.]+)" x2="(?<x2>[0-9.]+)" y2="(?<y2>[0-9.]+)"/>""")]
    private static partial Regex PathLine();
}
