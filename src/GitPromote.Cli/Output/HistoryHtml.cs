using System.Globalization;
using System.Net;
using System.Text;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Output;

/// <summary>
/// The history as one self-contained page: inline CSS and SVG, no script, nothing fetched (a Content-Security-Policy
/// that allows none says so to the browser too). Everything from a record (subjects, names, justifications, reasons) goes
/// through <see cref="H"/>: one line, control characters as '?', HTML-escaped.
/// </summary>
public static class HistoryHtml
{
    private const int Width = 1000, Left = 70, Right = 20, LaneHeight = 56, Top = 28;

    private static readonly string[] Definitions =
    [
        "Deployments to {0} per day in the window, of every kind (forward, rollback, redeploy, bypass).",
        "For each deployment to {0}, the commits it brought there for the first time (reachable from it, from no earlier deployment); each commit's lead " +
            "time is the deployment's time minus its committer time (a commit committed after it is left out). Median and p90 over commits, " +
            "interpolated as PostgreSQL's PERCENTILE_CONT (as GitLab and Four Keys compute them).",
        "The share of forward deployments to {0} (forward and bypass) followed, before the next forward one, by a rollback or by a revocation of the " +
            "deployed commit.",
        "For each failed deployment, the time from it to the next deployment of any kind. Median, interpolated (PERCENTILE_CONT).",
    ];

    /// <summary>Text from anywhere, safe in an HTML element or a quoted attribute.</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(Core.Policy.Quoting.OneLine(text ?? ""));

    public static string Render(HistoryReport report, DateTimeOffset generatedAt)
    {
        var h = report.History;
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(H($"{report.Name}: promotion history")).Append("</title>\n<style>").Append(Css).Append("</style></head>\n<body>\n");
        b.Append("<header><h1>").Append(H(report.Name)).Append(": promotion history</h1><p class=\"window\">")
            .Append(H($"{HistoryFormat.When(h.Window.Since)} to {HistoryFormat.When(h.Window.Until)}, "))
            .Append(H(string.Join(" \u2192 ", h.Lanes.Select(l => l.Environment)))).Append("</p></header>\n");

        Figures(b, h);
        Chart(b, h);
        Audit(b, h);
        Paths(b, h);
        Deployments(b, h);

        if (report.Notes.Count > 0)
        {
            b.Append("<section id=\"notes\"><h2>Notes</h2><ul>");
            foreach (var note in report.Notes) b.Append("<li>").Append(H(note)).Append("</li>");
            b.Append("</ul></section>\n");
        }
        b.Append("<footer>").Append(H(
            $"written by git-promote history at {HistoryFormat.When(generatedAt)}; definitions: docs/history.md")).Append("</footer>\n</body></html>\n");
        return b.ToString();
    }

    private static void Figures(StringBuilder b, PromotionHistory h)
    {
        b.Append("<section id=\"figures\">");
        if (h.Figures is not { } f)
        {
            b.Append("<p class=\"missing\">").Append(H($"No DORA figures: {h.Lanes[^1].Environment} could not be read.")).Append("</p></section>\n");
            return;
        }
        b.Append("<h2>").Append(H($"DORA figures for {f.Environment}")).Append("</h2><div class=\"cards\">");
        var figures = HistoryFormat.Figures(f);
        for (var i = 0; i < figures.Length; i++)
        {
            var (name, value, detail) = figures[i];
            b.Append("<div class=\"card\" data-figure=\"").Append(H(name)).Append("\"><div class=\"name\">").Append(H(name)).Append("</div>")
                .Append("<div class=\"value\">").Append(H(value)).Append("</div><div class=\"detail\">").Append(H(detail)).Append("</div>")
                .Append("<p class=\"definition\">").Append(H(string.Format(CultureInfo.InvariantCulture, Definitions[i], f.Environment))).Append("</p></div>");
        }
        b.Append("</div></section>\n");
    }

    private static string Color(DeploymentKind kind) => kind switch
    {
        DeploymentKind.Rollback => "#d97706",
        DeploymentKind.Bypass => "#cf222e",
        DeploymentKind.Redeploy => "#6e7781",
        _ => "#1a7f37",
    };

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>One lane per environment, time on the x-axis; a commit's first deployments are joined across lanes.</summary>
    private static void Chart(StringBuilder b, PromotionHistory h)
    {
        var height = Top + h.Lanes.Count * LaneHeight + 24;
        var plot = Width - Left - Right;
        var (since, until) = PlottedSpan(h);
        var span = (until - since).TotalSeconds;
        double X(DateTimeOffset at) => Left + Math.Clamp((at - since).TotalSeconds / span, 0, 1) * plot;
        double Y(int lane) => Top + lane * LaneHeight + LaneHeight / 2.0;

        b.Append("<section id=\"timeline\"><h2>Timeline</h2>")
            .Append("<p class=\"legend\"><span style=\"color:#1a7f37\">\u25cf forward</span> <span style=\"color:#d97706\">\u25cf rollback</span> ")
            .Append("<span style=\"color:#6e7781\">\u25cf redeploy</span> <span style=\"color:#cf222e\">\u25cf bypass</span> <span>\u2715 revoked</span> ")
            .Append("<span>\u25cb from a green record only</span></p>")
            .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"deployments per environment over " +
                "time\">");
        foreach (var (t, label) in Ticks(since, until))
        {
            var x = N(X(t));
            b.Append($"<line class=\"tick\" x1=\"{x}\" x2=\"{x}\" y1=\"{Top - 6}\" y2=\"{height - 20}\"/>")
                .Append($"<text class=\"axis\" x=\"{x}\" y=\"{height - 6}\" text-anchor=\"middle\">").Append(H(label)).Append("</text>");
        }
        for (var i = 0; i < h.Lanes.Count; i++)
        {
            var lane = h.Lanes[i];
            var y = N(Y(i));
            b.Append($"<g class=\"lane\" data-environment=\"{H(lane.Environment)}\">")
                .Append($"<line class=\"rail\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y}\" y2=\"{y}\"/>")
                .Append($"<text class=\"lane-name\" x=\"8\" y=\"{N(Y(i) + 5)}\">").Append(H(lane.Environment)).Append("</text>");
            if (lane.Missing is { } why)
                b.Append($"<text class=\"missing\" x=\"{Left + 10}\" y=\"{N(Y(i) - 8)}\">").Append(H($"missing: {why}")).Append("</text>");
            b.Append("</g>");
        }
        // A commit's path: its first deployment in each lane, joined to where it came from: the nearest earlier lane that
        // had it by then (a bypass past stg is joined to dev, not to stg catching up the day after).
        var firstIn = h.Lanes.Select(l => l.Deployments.GroupBy(d => d.Commit).ToDictionary(g => g.Key, g => g.First())).ToList();
        for (var i = 1; i < h.Lanes.Count; i++)
        {
            foreach (var d in firstIn[i].Values)
            {
                var from = Enumerable.Range(0, i).Reverse()
                    .Select(j => (Lane: j, Had: firstIn[j].GetValueOrDefault(d.Commit)))
                    .FirstOrDefault(x => x.Had is not null && x.Had.At <= d.At);
                if (from.Had is { } p)
                    b.Append($"<line class=\"path\" x1=\"{N(X(p.At))}\" y1=\"{N(Y(from.Lane))}\" x2=\"{N(X(d.At))}\" y2=\"{N(Y(i))}\"/>");
            }
        }
        for (var i = 0; i < h.Lanes.Count; i++)
        {
            foreach (var d in h.Lanes[i].Deployments)
            {
                var (x, y) = (N(X(d.At)), N(Y(i)));
                var fill = d.FromGreenOnly ? "#fff" : Color(d.Kind);
                b.Append($"<g class=\"deployment\" data-kind=\"{HistoryFormat.Kind(d)}\"><circle cx=\"{x}\" cy=\"{y}\" r=\"7\" fill=\"{fill}\" " +
                    $"stroke=\"{Color(d.Kind)}\" stroke-width=\"2.5\"/>");
                if (d.Revoked is not null)
                    b.Append($"<path class=\"revoked\" d=\"M{N(X(d.At) - 6)} {N(Y(i) - 18)} l12 12 M{N(X(d.At) + 6)} {N(Y(i) - 18)} l-12 12\"/>");
                b.Append("<title>").Append(H($"{HistoryFormat.When(d.At)} {HistoryFormat.Kind(d)} {ObjectIds.Short(d.Commit)} {d.Subject} (by {d.By})"
                    + (d.Bypass is { } bp ? $" bypass: {bp.Justification}" : "") + (d.Revoked is { } r ? $" revoked: {r.Reason}" : ""))).Append("</title></g>");
            }
        }
        b.Append("</svg>");
        foreach (var lane in h.Lanes.Where(l => l.Missing is null && !l.RollbacksVisible && l.Deployments.Count > 0))
            b.Append("<p class=\"note\">").Append(H($"{lane.Environment} has green records only: each commit's first green counts as a forward deployment, " +
                "and rollbacks can't be seen.")).Append("</p>");

        b.Append("</section>\n");
    }

    /// <summary>
    /// The time the chart draws: the window, started at the first deployment when that is later (a young repository is
    /// not squeezed into the right edge of 90 days), with a margin so the first dot is not on the axis. The figures
    /// still count over the whole window.
    /// </summary>
    internal static (DateTimeOffset Since, DateTimeOffset Until) PlottedSpan(PromotionHistory h)
    {
        var (since, until) = (h.Window.Since, h.Window.Until);
        var first = h.Lanes.SelectMany(l => l.Deployments).Select(d => (DateTimeOffset?)d.At).Min();
        if (first is { } f && f > since)
        {
            var margin = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMinute, (until - f).Ticks / 20));
            // Subtracted only when it stays above the window's start, so a deployment dated in year 1 overflows nothing.
            since = f - since > margin ? f - margin : since;
        }
        return (since, until);
    }

    /// <summary>The steps an axis may tick at, smallest first: the first that gives at most ten ticks is used.</summary>
    private static readonly TimeSpan[] TickSteps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7),
        TimeSpan.FromDays(14), TimeSpan.FromDays(30), TimeSpan.FromDays(91), TimeSpan.FromDays(365),
    ];

    /// <summary>
    /// At most ten ticks on whole steps (minutes to years, as the span needs), labelled with the time of day under a day
    /// and the date from a day on. Computed in ticks of the clock, so any span a window can hold is safe.
    /// </summary>
    internal static IEnumerable<(DateTimeOffset At, string Label)> Ticks(DateTimeOffset since, DateTimeOffset until)
    {
        var span = until - since;
        if (span <= TimeSpan.Zero) yield break;
        var step = TickSteps.FirstOrDefault(s => span.Ticks / s.Ticks <= 10);
        if (step == default) step = TimeSpan.FromTicks(span.Ticks / 10);
        var utcSince = since.UtcTicks;
        var first = (utcSince / step.Ticks + 1) * step.Ticks;
        for (var t = first; t < until.UtcTicks && t <= DateTimeOffset.MaxValue.UtcTicks; t += step.Ticks)
        {
            var at = new DateTimeOffset(t, TimeSpan.Zero);
            yield return (at, step < TimeSpan.FromDays(1)
                ? at.ToString(at.TimeOfDay == TimeSpan.Zero ? "MMM d" : "HH:mm", CultureInfo.InvariantCulture)
                : at.ToString(step >= TimeSpan.FromDays(365) ? "yyyy" : "MMM d", CultureInfo.InvariantCulture));
            if (t > DateTimeOffset.MaxValue.UtcTicks - step.Ticks) yield break;
        }
    }

    private static void Audit(StringBuilder b, PromotionHistory h)
    {
        b.Append("<section id=\"audit\"><h2>Bypasses and revocations</h2><table class=\"audit\"><thead><tr><th>environment</th><th>when " +
            "(UTC)</th><th>what</th><th>commit</th><th>who</th><th>why</th></tr></thead><tbody>");
        var rows = 0;
        foreach (var lane in h.Lanes)
        {
            foreach (var d in lane.Deployments)
            {
                if (d.Bypass is { } bp)
                {
                    rows++;
                    b.Append("<tr class=\"bypass\"><td>").Append(H(lane.Environment))
                        .Append("</td><td>").Append(H(HistoryFormat.When(bp.At))).Append("</td><td>bypass</td><td><code>")
                        .Append(H(ObjectIds.Short(d.Commit))).Append("</code></td><td>").Append(H(bp.By.ToString()))
                        .Append("</td><td class=\"justification\">").Append(H(bp.Justification)).Append("</td></tr>");
                }
                if (d.Revoked is { } r)
                {
                    rows++;
                    b.Append("<tr class=\"revocation\"><td>").Append(H(lane.Environment)).Append("</td><td>").Append(H(r.At is { } at ? HistoryFormat.When(at)
                        : "")).Append("</td><td>revoked</td><td><code>")
                        .Append(H(ObjectIds.Short(d.Commit))).Append("</code></td><td>").Append(H(r.By?.ToString()))
                        .Append("</td><td class=\"reason\">").Append(H(r.Reason)).Append("</td></tr>");
                }
            }
        }
        if (rows == 0) b.Append("<tr><td colspan=\"6\">none in this window</td></tr>");
        b.Append("</tbody></table></section>\n");
    }

    private static void Paths(StringBuilder b, PromotionHistory h)
    {
        if (h.Paths.Count == 0) return;
        b.Append("<section id=\"paths\"><h2>").Append(H($"Lead time per commit, first deployment in {h.Lanes[0].Environment} to " +
            $"{h.Lanes[^1].Environment}")).Append("</h2><table><thead><tr><th>commit</th><th>subject</th>");
        foreach (var lane in h.Lanes.Take(h.Lanes.Count - 1)) b.Append("<th>").Append(H($"in {lane.Environment}")).Append("</th>");
        b.Append("<th>total</th></tr></thead><tbody>");
        foreach (var p in h.Paths)
        {
            b.Append("<tr><td><code>").Append(H(ObjectIds.Short(p.Commit))).Append("</code></td><td>").Append(H(p.Subject)).Append("</td>");
            foreach (var t in p.TimeIn) b.Append("<td>").Append(H(HistoryFormat.Span(t))).Append("</td>");
            b.Append("<td><b>").Append(H(HistoryFormat.Span(p.Total))).Append("</b></td></tr>");
        }
        b.Append("</tbody></table></section>\n");
    }

    private static void Deployments(StringBuilder b, PromotionHistory h)
    {
        b.Append("<section id=\"deployments\"><h2>Every deployment</h2>");
        b.Append("<table class=\"deployments\"><thead><tr><th>environment</th><th>when (UTC)</th><th>kind</th><th>commit</th><th>subject</th><th>recorded " +
            "by</th></tr></thead><tbody>");
        foreach (var lane in h.Lanes)
            foreach (var d in lane.Deployments)
                b.Append($"<tr class=\"kind-{HistoryFormat.Kind(d)}\"><td>").Append(H(lane.Environment))
                    .Append("</td><td>").Append(H(HistoryFormat.When(d.At))).Append("</td><td>")
                    .Append(H(HistoryFormat.Kind(d) + (d.Promoted ? ", promoted" : "")
                    + (d.Revoked is not null ? ", revoked" : ""))).Append("</td><td><code>").Append(H(ObjectIds.Short(d.Commit)))
                    .Append("</code></td><td>").Append(H(d.Subject)).Append("</td><td>").Append(H(d.By)).Append("</td></tr>");
        b.Append("</tbody></table></section>\n");
    }

    private const string Css = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0 auto;max-width:1060px;padding:16px 24px;background:#fff}
        h1{font-size:24px;margin:8px 0 0}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        .window{color:#59636e;margin:2px 0 0}
        .cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
        .card{border:1px solid #d0d7de;border-radius:8px;padding:12px}
        .card .name{color:#59636e;font-size:13px;text-transform:uppercase;letter-spacing:.03em}
        .card .value{font-size:30px;font-weight:650;margin:4px 0}
        .card .detail{font-size:13px}.card .definition{font-size:12px;color:#59636e;margin:8px 0 0}
        svg{width:100%;height:auto;background:#f6f8fa;border-radius:8px}
        .rail{stroke:#afb8c1;stroke-width:2}.tick{stroke:#d0d7de;stroke-dasharray:2 3}.path{stroke:#8c959f;stroke-width:1;stroke-dasharray:3 3}
        .lane-name{font-weight:650;font-size:15px}.axis{font-size:11px;fill:#59636e}.missing{fill:#9a6700;font-size:12px}
        .revoked{stroke:#cf222e;stroke-width:2.5}.legend span{margin-right:12px;font-size:13px}
        table{border-collapse:collapse;width:100%;font-size:13px;margin-top:10px}
        th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}.kind-rollback td:nth-child(3){color:#9a6700}.kind-bypass td:nth-child(3){color:#cf222e;font-weight:650}
        .note,.missing{color:#9a6700}footer{color:#59636e;font-size:12px;margin:28px 0 8px}
        code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
        """;
}
