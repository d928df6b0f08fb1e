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
            f.LeadTimeCommits == 0 ? "no commits brought to " + f.Environment : $"p90 {Span(f.LeadTimeP90)}, over {f.LeadTimeCommits} commit{(f.LeadTimeCommits == 1 ? "" : "s")}"),
        ("change failure rate", Percent(f.ChangeFailureRate), $"{f.FailedDeployments} of {f.ForwardDeployments} forward deployment{(f.ForwardDeployments == 1 ? "" : "s")} failed"),
        ("time to restore", f.TimeToRestoreMedian is null ? "-" : $"{Span(f.TimeToRestoreMedian)} median",
            f.FailedDeployments == 0 ? "no failed deployments" : $"{f.Restored} of {f.FailedDeployments} failure{(f.FailedDeployments == 1 ? "" : "s")} restored"),
    ];
}

/// <summary>The history in a terminal: the figures on top, then one lane per environment, then each commit's path.</summary>
public static class HistoryText
{
    public static void Write(TextWriter o, Style style, HistoryReport report)
    {
        var h = report.History;
        o.WriteLine(style.Bold($"{report.Name}: {string.Join(" -> ", h.Lanes.Select(l => l.Environment))}, {HistoryFormat.When(h.Window.Since)} to {HistoryFormat.When(h.Window.Until)}"));
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
                o.WriteLine($"  {HistoryFormat.When(d.At)}  {kind}  {ObjectIds.Short(d.Commit)}  {Core.Policy.Quoting.Show(d.Subject ?? "", 60)}  by {d.By}{promoted}");
                if (d.Bypass is { } b)
                    o.WriteLine($"      bypass by {b.By} at {HistoryFormat.When(b.At)}: \"{Core.Policy.Quoting.Show(b.Justification, 200)}\"");
                if (d.Revoked is { } r)
                    o.WriteLine(style.Red($"      REVOKED") + $"{(r.By is { } by ? $" by {by}" : "")}{(r.At is { } at ? $" at {HistoryFormat.When(at)}" : "")}: \"{Core.Policy.Quoting.Show(r.Reason ?? "", 200)}\"");
            }
        }

        if (h.Paths.Count > 0)
        {
            o.WriteLine();
            o.WriteLine(style.Bold($"lead time per commit, first deployment in {h.Lanes[0].Environment} to {h.Lanes[^1].Environment}:"));
            foreach (var p in h.Paths)
            {
                var stages = string.Join(", ", p.FirstDeployed.Zip(p.TimeIn).Select(x => $"{x.First.Environment} {HistoryFormat.Span(x.Second)}"));
                o.WriteLine($"  {ObjectIds.Short(p.Commit)}  total {HistoryFormat.Span(p.Total),-10}  {stages}  {Core.Policy.Quoting.Show(p.Subject ?? "", 60)}");
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
    private static string Seconds(TimeSpan? span) => span is { } s ? ((long)Math.Round(s.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : "null";

    private static string Number(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "null";

    public static string Render(HistoryReport report)
    {
        var h = report.History;
        return Json.Object(
            ("name", Json.String(report.Name)),
            ("since", Json.Time(h.Window.Since)),
            ("until", Json.Time(h.Window.Until)),
            ("figures", h.Figures is not { } f ? "null" : Json.Object(
                ("environment", Json.String(f.Environment)),
                ("deployments", Number(f.Deployments)),
                ("perDay", Number(f.PerDay)),
                ("perWeek", Number(f.PerWeek)),
                ("leadTime", Json.Object(("commits", Number(f.LeadTimeCommits)), ("medianSeconds", Seconds(f.LeadTimeMedian)), ("p90Seconds", Seconds(f.LeadTimeP90)))),
                ("changeFailureRate", Json.Object(("forward", Number(f.ForwardDeployments)), ("failed", Number(f.FailedDeployments)), ("rate", Number(f.ChangeFailureRate)))),
                ("timeToRestore", Json.Object(("failed", Number(f.FailedDeployments)), ("restored", Number(f.Restored)), ("medianSeconds", Seconds(f.TimeToRestoreMedian)))))),
            ("environments", Json.Array(h.Lanes.Select(l => Json.Object(
                ("name", Json.String(l.Environment)),
                ("missing", Json.String(l.Missing)),
                ("rollbacksVisible", Json.Bool(l.RollbacksVisible)),
                ("deployments", Json.Array(l.Deployments.Select(d => Json.Object(
                    ("commit", Json.String(d.Commit)),
                    ("subject", Json.String(d.Subject)),
                    ("at", Json.Time(d.At)),
                    ("by", Json.String(d.By)),
                    ("kind", Json.String(HistoryFormat.Kind(d))),
                    ("fromGreenOnly", Json.Bool(d.FromGreenOnly)),
                    ("promoted", Json.Bool(d.Promoted)),
                    ("bypass", d.Bypass is not { } b ? "null" : Json.Object(
                        ("justification", Json.String(b.Justification)), ("by", Json.String(b.By.ToString())), ("at", Json.Time(b.At)))),
                    ("revoked", d.Revoked is not { } r ? "null" : Json.Object(
                        ("reason", Json.String(r.Reason)), ("by", Json.String(r.By?.ToString())), ("at", Json.Time(r.At)))))))))))),
            ("commits", Json.Array(h.Paths.Select(p => Json.Object(
                ("commit", Json.String(p.Commit)),
                ("subject", Json.String(p.Subject)),
                ("firstDeployed", Json.Object(p.FirstDeployed.Select(x => (x.Environment, Json.Time(x.At))).ToArray())),
                ("timeInSeconds", Json.Array(p.TimeIn.Select(Seconds))),
                ("totalSeconds", Seconds(p.Total)))))),
            ("leadTimes", Json.Array(h.LeadTimes.Select(l => Json.Object(
                ("commit", Json.String(l.Commit)),
                ("committedAt", Json.Time(l.CommittedAt)),
                ("deployedWith", Json.String(l.DeployedWith)),
                ("deployedAt", Json.Time(l.DeployedAt)),
                ("seconds", Seconds(l.LeadTime)))))),
            ("notes", Json.Array(report.Notes.Select(Json.String))));
    }
}
