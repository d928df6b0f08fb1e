using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Core.History;

/// <summary>
/// Builds the timeline and the DORA figures from what the stores said and what the repository shows. Pure: the window
/// (and so the clock) and the commit graph come in. Definitions of every figure: docs/history.md.
/// </summary>
public static class HistoryBuilder
{
    public static PromotionHistory Build(IReadOnlyList<LaneInput> inputs, HistoryWindow window, IReadOnlyDictionary<string, CommitNode> graph)
    {
        if (inputs.Count == 0) throw new ArgumentException("a history needs at least one environment", nameof(inputs));
        var notes = new List<string>();
        var all = new List<List<Deployment>>();
        for (var i = 0; i < inputs.Count; i++)
            all.Add(Deployments(inputs[i], i == 0 ? null : all[i - 1], graph));

        var lanes = new List<Lane>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var visible = input.Events.Count > 0;
            if (input.Missing is { } why) notes.Add($"{input.Environment}: missing from this history, its store could not be read ({why})");
            else if (!visible && all[i].Count > 0)
                notes.Add($"{input.Environment}: only green records, no deployment events: each commit's first green counts as a forward deployment, and " +
                    "rollbacks and redeploys can't be seen");
            lanes.Add(new Lane(input.Environment, all[i].Where(d => window.Contains(d.At)).ToList(), visible, input.Missing));
            // A deployment recorded with --force was not seen happening: it counts as recorded, and says so.
            foreach (var forced in input.Events.Where(e => e.Forced is not null && window.Contains(e.At)))
                notes.Add($"{input.Environment}: the deployment of {ObjectIds.Short(forced.Commit)} at {Engine.Time.Utc(forced.At)} was recorded with " +
                    $"--force: {forced.Forced}");
        }

        var last = inputs[^1];
        var lastAll = all[^1];
        var leadTimes = LeadTimes(lastAll, window, graph, notes);
        DoraFigures? figures = last.Missing is null ? Figures(last, lastAll, window, leadTimes) : null;
        // A path runs from the first environment to the last: with one environment shown there is none to draw.
        var paths = inputs.Count > 1 ? Paths(inputs, all, window, graph) : [];
        return new PromotionHistory(window, lanes, paths, leadTimes, figures, notes);
    }

    /// <summary>One environment's deployments, all of them (the window is applied later), oldest first.</summary>
    private static List<Deployment> Deployments(LaneInput input, List<Deployment>? previous, IReadOnlyDictionary<string, CommitNode> graph)
    {
        var env = input.Environment;
        var list = new List<Deployment>();
        // An event whose body could not be read has no kind anyone knows: it is left out (the store names it), never counted as forward.
        var events = input.Events.Where(e => e.Unread is null).OrderBy(e => e.At).ToList();
        foreach (var e in events)
        {
            // A server's landing event is the push; the pipeline's record that used its bypass, later, is the deployment, even when another
            // pipeline's record came in between (a queued pipeline recording the commit before it first).
            if (e.Landed && events.Any(later => !later.Landed && later.At >= e.At && Same(later.Commit, e.Commit)
                    && (e.Bypass is { } id ? later.Bypass == id : later.Kind == DeploymentKind.Bypass)))
                continue;
            var commit = e.Commit.ToLowerInvariant();
            // A server writes the event of a landed bypass; the pipeline's record of the same commit that follows is the same deployment.
            if (e.Kind == DeploymentKind.Bypass && list.Count > 0 && list[^1] is { Kind: DeploymentKind.Bypass } prior && prior.Commit == commit)
                list.RemoveAt(list.Count - 1);
            list.Add(new Deployment(env, commit, e.At, e.By.ToString(), e.Kind, FromGreenOnly: false));
        }
        var withEvents = list.Select(d => d.Commit).ToHashSet(StringComparer.Ordinal);
        foreach (var green in input.Green.Where(g => g.RecordedAt is not null).GroupBy(g => g.Commit.ToLowerInvariant(), StringComparer.Ordinal))
        {
            if (withEvents.Contains(green.Key)) continue;
            var first = green.OrderBy(g => g.RecordedAt).First();
            var bypassed = input.Bypasses.Any(b => Same(b.Commit, green.Key) && b.At <= first.RecordedAt);
            list.Add(new Deployment(env, green.Key, first.RecordedAt!.Value, first.RecordedBy ?? "unknown",
                bypassed ? DeploymentKind.Bypass : DeploymentKind.Forward, FromGreenOnly: true));
        }
        list.Sort((a, b) => a.At.CompareTo(b.At));

        // When each commit first reached the previous environment: one pass, not one scan per deployment.
        var firstBefore = (previous ?? []).GroupBy(p => p.Commit, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(p => p.At),
            StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var d = list[i];
            var bypass = d.Kind == DeploymentKind.Bypass
                ? input.Bypasses.Where(b => Same(b.Commit, d.Commit)).OrderBy(b => b.At > d.At).ThenByDescending(b => b.At).FirstOrDefault()
                : null;
            var promoted = firstBefore.TryGetValue(d.Commit, out var first) && first <= d.At;
            list[i] = d with { Bypass = bypass, Promoted = promoted, Subject = graph.GetValueOrDefault(d.Commit)?.Subject };
        }
        // A revocation marks the newest deployment of its commit before it.
        foreach (var r in input.Revocations)
        {
            var index = list.FindLastIndex(d => Same(d.Commit, r.Commit) && (r.At is null || NotAfter(d.At, r.At.Value)));
            if (index >= 0) list[index] = list[index] with { Revoked = r };
        }
        return list;
    }

    /// <summary>
    /// <paramref name="first"/> at or before <paramref name="second"/>, compared at the coarser precision of the two: a
    /// revocation stamped to the second (12:00:05) is not before a deployment stamped to the millisecond in that second
    /// (12:00:05.300); two times both finer than a second are compared as they are.
    /// </summary>
    internal static bool NotAfter(DateTimeOffset first, DateTimeOffset second) =>
        WholeSecond(first) || WholeSecond(second) ? TruncateToSecond(first) <= TruncateToSecond(second) : first <= second;

    private static bool WholeSecond(DateTimeOffset at) => at.UtcTicks % TimeSpan.TicksPerSecond == 0;

    private static DateTimeOffset TruncateToSecond(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static bool IsForward(Deployment d) => d.Kind is DeploymentKind.Forward or DeploymentKind.Bypass;

    private static DoraFigures Figures(LaneInput input, List<Deployment> all, HistoryWindow window, IReadOnlyList<ChangeLeadTime> leadTimes)
    {
        var inWindow = all.Where(d => window.Contains(d.At)).ToList();
        var failed = new List<(Deployment Deployment, Deployment? Next)>();
        var forward = 0;
        var revocations = input.Revocations.Where(r => r.At is not null).ToLookup(r => r.Commit.ToLowerInvariant(), StringComparer.Ordinal);
        for (var i = 0; i < all.Count; i++)
        {
            var d = all[i];
            if (!window.Contains(d.At) || !IsForward(d)) continue;
            forward++;
            // Only the deployments up to the next forward one are looked at: each is looked at once per forward deployment before it.
            var next = i + 1;
            while (next < all.Count && !IsForward(all[next])) next++;
            var nextForward = next < all.Count ? all[next].At : DateTimeOffset.MaxValue;
            var rolledBack = false;
            for (var j = i + 1; j < next && !rolledBack; j++) rolledBack = all[j].Kind == DeploymentKind.Rollback;
            var revoked = revocations[d.Commit].Any(r => NotAfter(d.At, r.At!.Value) && r.At < nextForward);
            if (rolledBack || revoked) failed.Add((d, i + 1 < all.Count ? all[i + 1] : null));
        }
        var restores = failed.Where(f => f.Next is not null).Select(f => f.Next!.At - f.Deployment.At).ToList();
        var leads = leadTimes.Select(l => l.LeadTime).ToList();
        return new DoraFigures(
            input.Environment,
            inWindow.Count,
            inWindow.Count / window.Days,
            inWindow.Count * 7 / window.Days,
            leads.Count,
            Percentile(leads, 50),
            Percentile(leads, 90),
            forward,
            failed.Count,
            restores.Count,
            Percentile(restores, 50));
    }

    /// <summary>
    /// For each deployment in the window, the commits reachable from it and from no earlier deployment (before the window
    /// too): what it brought for the first time. A rollback brings none. Commits the repository does not have are skipped, and said.
    /// </summary>
    private static List<ChangeLeadTime> LeadTimes(List<Deployment> all, HistoryWindow window, IReadOnlyDictionary<string, CommitNode> graph, List<string> notes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ChangeLeadTime>();
        var unknown = new List<string>();
        var future = new List<ChangeLeadTime>();
        foreach (var d in all.Where(d => d.At <= window.Until))
        {
            if (!graph.ContainsKey(d.Commit))
            {
                if (window.Contains(d.At)) unknown.Add(d.Commit);
                continue;
            }
            var stack = new Stack<string>();
            if (seen.Add(d.Commit)) stack.Push(d.Commit);
            while (stack.Count > 0)
            {
                var c = stack.Pop();
                if (graph.GetValueOrDefault(c) is not { } node) continue;
                // A committer time after the deployment is the commit's own claim (GIT_COMMITTER_DATE), not a lead time: left out, and named.
                if (window.Contains(d.At))
                    (node.CommittedAt > d.At ? future : result).Add(new ChangeLeadTime(c, node.CommittedAt, d.Commit, d.At));
                foreach (var p in node.Parents)
                    if (seen.Add(p)) stack.Push(p);
            }
        }
        if (unknown.Count > 0)
            notes.Add($"lead time: {unknown.Count} deployment(s) of commits this clone does not have are left out " +
                $"({string.Join(", ", unknown.Distinct().Take(5).Select(ObjectIds.Short))}); git fetch them to count them");
        if (future.Count > 0)
            notes.Add($"lead time: {future.Count} commit(s) committed after their deployment are left out (their committer time is wrong): " +
                string.Join(", ", future.OrderBy(f => f.DeployedAt).Take(5).Select(f =>
                    $"{ObjectIds.Short(f.Commit)} committed {Engine.Time.Utc(f.CommittedAt)}, deployed {Engine.Time.Utc(f.DeployedAt)}"))
                + (future.Count > 5 ? $", and {future.Count - 5} more" : ""));
        return result.OrderBy(r => r.DeployedAt).ThenBy(r => r.CommittedAt).ThenBy(r => r.Commit, StringComparer.Ordinal).ToList();
    }

    /// <summary>Each commit deployed to the last environment in the window, with its first deployment in every environment.</summary>
    private static List<CommitPath> Paths(IReadOnlyList<LaneInput> inputs, List<List<Deployment>> all, HistoryWindow window,
        IReadOnlyDictionary<string, CommitNode> graph)
    {
        var firsts = all.Select(l => l.GroupBy(d => d.Commit, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(d => d.At),
            StringComparer.Ordinal)).ToList();
        return firsts[^1].Where(f => window.Contains(f.Value)).OrderBy(f => f.Value)
            .Select(f => new CommitPath(f.Key, graph.GetValueOrDefault(f.Key)?.Subject,
                inputs.Select((input, i) => (input.Environment, firsts[i].TryGetValue(f.Key, out var at) ? at : (DateTimeOffset?)null)).ToList()))
            .ToList();
    }

    /// <summary>
    /// The percentile as PostgreSQL's and BigQuery's PERCENTILE_CONT compute it (GitLab's DORA metrics and Google's Four
    /// Keys use it): the value at position p/100 × (n − 1) of the values sorted ascending, counted from 0, interpolated
    /// linearly between the two values around it; rounded to the second, half up. Null for none.
    /// </summary>
    public static TimeSpan? Percentile(IReadOnlyCollection<TimeSpan> values, int p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var position = Math.Clamp(p, 0, 100) / 100.0 * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        var seconds = sorted[below].TotalSeconds + (position - below) * (sorted[above].TotalSeconds - sorted[below].TotalSeconds);
        return TimeSpan.FromSeconds(Math.Round(seconds, MidpointRounding.AwayFromZero));
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
