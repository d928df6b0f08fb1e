using GitPromote.Core.Policy;

namespace GitPromote.Core.Evidence;

/// <summary>A bypass record a deployment may not use, and why (<see cref="BypassUse.Describe"/> says it in words).</summary>
/// <param name="UsedBy">The deployment that already used it; null when set aside for another reason.</param>
public sealed record SetAsideBypass(BypassRecord Bypass, BypassSetAsideReason Reason, DeploymentEvent? UsedBy = null, DateTimeOffset? CommittedAt = null);

public enum BypassSetAsideReason
{
    /// <summary>An earlier deployment used it: a bypass admits one deployment.</summary>
    AlreadyUsed,
    /// <summary>It is dated after now (beyond clock skew): no push wrote it yet.</summary>
    DatedInTheFuture,
    /// <summary>It is dated before the commit was made (beyond clock skew): it cannot be the bypass of a push of this commit.</summary>
    DatedBeforeTheCommit,
    /// <summary>Its justification does not match the policy's <c>bypass.justification</c> (written under a looser local policy).</summary>
    JustificationNotAccepted,
}

/// <summary>The bypass a deployment may use (null: none), and the records of the same commit and environment it may not use.</summary>
public sealed record BypassChoice(BypassRecord? Usable, IReadOnlyList<SetAsideBypass> SetAside)
{
    public static readonly BypassChoice None = new(null, []);
}

/// <summary>
/// A bypass admits one deployment, the one it was written for. Which bypass record a deployment of a commit into an
/// environment may use: one for that environment and commit, that no earlier deployment event names (a server's landing
/// event ties it to its push without using it up), not dated in the future, not dated before the commit was made, and with
/// a justification the policy accepts. The oldest such record is used first. Pure: the pipeline gate asks it before it
/// admits under a bypass, <c>record</c> before it writes the deployment that uses it.
/// </summary>
public static class BypassUse
{
    /// <summary>
    /// How far the pusher's clock (which dates the bypass), the committer's and the pipeline's may disagree. Beyond it a
    /// record is dated in the future, or before its commit.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <param name="committedAt">The commit's committer time, when known (a pipeline step without a clone does not know it).</param>
    /// <param name="accepts">Whether the policy accepts a justification; null: every justification counts.</param>
    public static BypassChoice Find(IEnumerable<BypassRecord> bypasses, string environment, string commit, IReadOnlyList<DeploymentEvent> deployments,
        DateTimeOffset now, DateTimeOffset? committedAt, Func<string, bool>? accepts = null)
    {
        var candidates = bypasses
            .Where(b => string.Equals(b.Environment, environment, StringComparison.Ordinal) && Same(b.Commit, commit))
            .OrderBy(b => b.At).ThenBy(b => b.Id, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0) return BypassChoice.None;
        var used = UsedBy(candidates, deployments);
        BypassRecord? usable = null;
        var setAside = new List<SetAsideBypass>();
        foreach (var b in candidates)
        {
            if (used.TryGetValue(b, out var by)) setAside.Add(new(b, BypassSetAsideReason.AlreadyUsed, by));
            else if (b.At > now + ClockSkew) setAside.Add(new(b, BypassSetAsideReason.DatedInTheFuture));
            else if (committedAt is { } made && b.At < made - ClockSkew) setAside.Add(new(b, BypassSetAsideReason.DatedBeforeTheCommit, CommittedAt: made));
            else if (accepts is not null && !accepts(b.Justification.Trim())) setAside.Add(new(b, BypassSetAsideReason.JustificationNotAccepted));
            else usable ??= b;
        }
        return new BypassChoice(usable, setAside);
    }

    /// <summary>
    /// Which deployment used each bypass (bypasses no deployment used are not in the map). An event names the bypass it
    /// used by its id; a server's landing event does not use one. An event of kind bypass that names none (written before
    /// events named their bypass) used the oldest bypass of its environment and commit dated at or before it, not used yet.
    /// </summary>
    public static IReadOnlyDictionary<BypassRecord, DeploymentEvent> UsedBy(IEnumerable<BypassRecord> bypasses, IReadOnlyList<DeploymentEvent> deployments)
    {
        var all = bypasses.OrderBy(b => b.At).ThenBy(b => b.Id, StringComparer.Ordinal).ToList();
        var used = new Dictionary<BypassRecord, DeploymentEvent>(ReferenceEqualityComparer.Instance);
        foreach (var e in deployments.Where(e => !e.Landed).OrderBy(e => e.At))
        {
            BypassRecord? match;
            if (e.Bypass is { } id)
                match = all.FirstOrDefault(b => b.Id == id && Same(b.Commit, e.Commit) && !used.ContainsKey(b));
            else if (e.Kind == DeploymentKind.Bypass)
                // A record says its time to the second, an event to the millisecond: compare seconds.
                match = all.FirstOrDefault(b => Same(b.Commit, e.Commit) && string.Equals(b.Environment, e.Environment, StringComparison.Ordinal)
                    && WholeSecond(b.At) <= e.At && !used.ContainsKey(b));
            else
                match = null;
            if (match is not null) used[match] = e;
        }
        return used;
    }

    /// <summary>One line about a record set aside: every word of it came from a record a pusher wrote, so it is shown bounded.</summary>
    public static string Describe(SetAsideBypass s)
    {
        var b = s.Bypass;
        var what = $"bypass \"{Quoting.Show(b.Justification, 80)}\" by {Quoting.Show(b.By.Name, 80)} at {Engine.Time.Utc(b.At)}";
        return s.Reason switch
        {
            BypassSetAsideReason.AlreadyUsed => $"{what} was already used by the deployment at {Engine.Time.Utc(s.UsedBy!.At)} " +
                $"({DeploymentKinds.Name(s.UsedBy.Kind)}); a bypass admits one deployment",
            BypassSetAsideReason.DatedInTheFuture => $"{what} is dated in the future: not used",
            BypassSetAsideReason.DatedBeforeTheCommit => $"{what} is dated before the commit was made" +
                (s.CommittedAt is { } c ? $" ({Engine.Time.Utc(c)})" : "") + ": not used",
            _ => $"{what} does not match the policy's bypass.justification: not used",
        };
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
