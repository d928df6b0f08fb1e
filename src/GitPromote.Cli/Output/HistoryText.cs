using System.Globalization;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Output;

/// <summary>What the history renderers show: the service's name, the history, and every note and warning, in one place.</summary>
public sealed record HistoryReport(string Name, PromotionHistory History, IReadOnlyList<string> Notes);

/// <summary>Times, spans and numbers as every history output writes them: to the second, invariant.</summary>
public static class HistoryFormat
{
    public static string When(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>2d3h</c>, <c>2h5m7s</c>, <c>0s</c>: every unit that is not zero, to the second.</summary>
    public static string Span(TimeSpan? span)
    {
        if (span is not { } s) return "-";
        var negative = s < TimeSpan.Zero;
        var total = (long)Math.Round(Math.Abs(s.TotalSeconds));
        long d = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, sec = total % 60;
        var text = (d > 0 ? $"{d}d" : "") + (h > 0 ? $"{h}h" : "") + (m > 0 ? $"{m}m" : "") + (sec > 0 ? $"{sec}s" : "");
        return (negative ? "-" : "") + (text.Length == 0 ? "0s" : text);
    }

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double? rate) => rate is { } r ? Number(r * 100, "0.#") + "%" : "-";

    public static string Kind(Deployment d) => DeploymentKinds.Name(d.Kind);

    /// <summary>The four figures in words, as the text and the page both say them.</summary>
    public static (string Name, string Value, string Detail)[] Figures(DoraFigures f) =>
    [
        ("deployment frequency", $"{Number(f.PerDay)} a day", $"{f.Deployments} deployment{(f.Deployments == 1 ? "" : "s")}, {Number(f.PerWeek)} a week"),
        ("lead time for changes", f.LeadTimeMedian is null ? "-" : $"{Span(f.LeadTimeMedian)} median",
            f.LeadTimeCommits == 0 ? "no commits brought to " + f.Environment
                : $"p90 {Span(f.LeadTimeP90)}, over {f.LeadTimeCommits} commit{(f.LeadTimeCommits == 1 ? "" : "s")}"),
        ("change failure rate", Percent(f.ChangeFailureRate),
            $"{f.FailedDeployments} of {f.ForwardDeployments} forward deployment{(f.ForwardDeployments == 1 ? "" : "s")} failed"),
        ("time to restore", f.TimeToRestoreMedian is null ? "-" : $"{Span(f.TimeToRestoreMedian)} median",
            f.FailedDeployments == 0 ? "no failed deployments"
                : $"{f.Restored} of {f.FailedDeployments} failure{(f.FailedDeployments == 1 ? "" : "s")} restored"),
    ];
}

/// <summary>The history in a terminal: the figures on top, then one lane per environment, then each commit's path.</summary>
public static class HistoryText
{
    public static void Write(TextWriter o, Style style, HistoryReport report)
    {
        var h = report.History;
        o.WriteLine(style.Bold($"{report.Name}: {string.Join(" -> ", h.Lanes.Select(l => l.Environment))}, {HistoryFormat.When(h.Window.Since)} to " +
            $"{HistoryFormat.When(h.Window.Until)}"));
        o.WriteLine();
        if (h.Figures is { } f)
        {
            o.WriteLine(style.Bold($"DORA figures for {f.Environment}:"));
            foreach (var (name, value, detail) in HistoryFormat.Figures(f))
                o.WriteLine($"  {name,-22} {style.Bold(value)}  ({detail})");
        }
        else
        {
            o.WriteLine(style.Yellow($"no DORA figures: {h.Lanes[^1].Environment} could not be read"));
        }

        foreach (var lane in h.Lanes)
        {
            o.WriteLine();
            if (lane.Missing is { } why)
            {
                o.WriteLine(style.Bold(lane.Environment) + "  " + style.Yellow($"missing: {why}"));
                continue;
            }
            o.WriteLine(style.Bold(lane.Environment) + (lane.RollbacksVisible ? "" : style.Dim("  (green records only: rollbacks can't be seen)")));
            if (lane.Deployments.Count == 0) o.WriteLine(style.Dim("  no deployments in this window"));
            foreach (var d in lane.Deployments)
            {
                var kind = d.Kind switch
                {
                    DeploymentKind.Rollback => style.Yellow("rollback"),
                    DeploymentKind.Bypass => style.Red("BYPASS  "),
                    DeploymentKind.Redeploy => style.Dim("redeploy"),
                    _ => style.Green("forward "),
                };
                var promoted = d.Promoted ? "  promoted" : "";
                o.WriteLine(
                    $"  {HistoryFormat.When(d.At)}  {kind}  {ObjectIds.Short(d.Commit)}  {Core.Policy.Quoting.Show(d.Subject ?? "", 60)}  by {d.By}{promoted}");
                if (d.Bypass is { } b)
                    o.WriteLine($"      bypass by {b.By} at {HistoryFormat.When(b.At)}: \"{Core.Policy.Quoting.Show(b.Justification, 200)}\"");
                if (d.Revoked is { } r)
                    o.WriteLine(style.Red("      REVOKED")
                        + $"{(r.By is { } by ? $" by {by}" : "")}{(r.At is { } at ? $" at {HistoryFormat.When(at)}" : "")}: " +
                            $"\"{Core.Policy.Quoting.Show(r.Reason ?? "", 200)}\"");
            }
        }

        if (h.Paths.Count > 0)
        {
            o.WriteLine();
            o.WriteLine(style.Bold($"lead time per commit, first deployment in {h.Lanes[0].Environment} to {h.Lanes[^1].Environment}:"));
            foreach (var p in h.Paths)
            {
                var stages = string.Join(", ", p.FirstDeployed.Zip(p.TimeIn).Select(x => $"{x.First.Environment} {HistoryFormat.Span(x.Second)}"));
                o.WriteLine(
                    $"  {ObjectIds.Short(p.Commit)}  total {HistoryFormat.Span(p.Total),-10}  {stages}  {Core.Policy.Quoting.Show(p.Subject ?? "", 60)}");
            }
        }
        if (report.Notes.Count > 0)
        {
            o.WriteLine();
            foreach (var note in report.Notes) o.WriteLine(style.Dim("note: " + note));
        }
    }
}

/// <summary>The history as JSON: deployments per environment, per-commit paths and lead times, the four figures.</summary>
public static class HistoryJson
{
    private static long? Seconds(TimeSpan? span) => span is { } s ? (long)Math.Round(s.TotalSeconds) : null;

    /// <summary>Six decimals are plenty for a rate or a frequency, and keep the numbers short.</summary>
    private static double? Rounded(double? value) => value is { } v ? Math.Round(v, 6) : null;

    public static string Render(HistoryReport report)
    {
        var h = report.History;
        return Json.Serialize(new HistoryJsonOutput(
            report.Name,
            Json.Time(h.Window.Since),
            Json.Time(h.Window.Until),
            h.Figures is not { } f ? null : new HistoryFiguresJson(
                f.Environment,
                f.Deployments,
                Rounded(f.PerDay)!.Value,
                Rounded(f.PerWeek)!.Value,
                new HistoryLeadTimeFigureJson(f.LeadTimeCommits, Seconds(f.LeadTimeMedian), Seconds(f.LeadTimeP90)),
                new HistoryChangeFailureJson(f.ForwardDeployments, f.FailedDeployments, Rounded(f.ChangeFailureRate)),
                new HistoryRestoreJson(f.FailedDeployments, f.Restored, Seconds(f.TimeToRestoreMedian))),
            h.Lanes.Select(l => new HistoryLaneJson(l.Environment, l.Missing, l.RollbacksVisible, l.Deployments.Select(d => new HistoryDeploymentJson(
                d.Commit,
                d.Subject,
                Json.Time(d.At),
                d.By,
                HistoryFormat.Kind(d),
                d.FromGreenOnly,
                d.Promoted,
                d.Bypass is not { } b ? null : new HistoryBypassJson(b.Justification, b.By.ToString(), Json.Time(b.At)),
                d.Revoked is not { } r ? null : new HistoryRevocationJson(r.Reason, r.By?.ToString(), Json.Time(r.At)))).ToList())).ToList(),
            h.Paths.Select(p => new HistoryCommitJson(
                p.Commit,
                p.Subject,
                p.FirstDeployed.ToDictionary(x => x.Environment, x => Json.Time(x.At), StringComparer.Ordinal),
                p.TimeIn.Select(Seconds).ToList(),
                Seconds(p.Total))).ToList(),
            h.LeadTimes.Select(l => new HistoryLeadTimeJson(l.Commit, Json.Time(l.CommittedAt), l.DeployedWith, Json.Time(l.DeployedAt),
                Seconds(l.LeadTime)!.Value)).ToList(),
            report.Notes), Json.Types.HistoryJsonOutput);
    }
}
