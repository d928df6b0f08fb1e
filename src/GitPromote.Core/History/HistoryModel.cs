using GitPromote.Core.Evidence;

namespace GitPromote.Core.History;

/// <summary>The time a history covers: deployments at or after <see cref="Since"/> and at or before <see cref="Until"/>.</summary>
public sealed record HistoryWindow(DateTimeOffset Since, DateTimeOffset Until)
{
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(90);

    public bool Contains(DateTimeOffset at) => at >= Since && at <= Until;

    public double Days => Math.Max((Until - Since).TotalDays, 1.0 / 86400);
}

/// <summary>A commit as the repository shows it: when it was committed, and its parents.</summary>
public sealed record CommitNode(string Commit, DateTimeOffset CommittedAt, IReadOnlyList<string> Parents, string? Subject = null);

/// <summary>
/// What one environment's stores said, as read: its deployment events (all of them, older ones possibly from their names
/// only), its green records, bypasses and revocations. <see cref="Missing"/> says why the store could not be read.
/// </summary>
public sealed record LaneInput(string Environment)
{
    public IReadOnlyList<DeploymentEvent> Events { get; init; } = [];
    public IReadOnlyList<GreenFact> Green { get; init; } = [];
    public IReadOnlyList<BypassRecord> Bypasses { get; init; } = [];
    public IReadOnlyList<Revocation> Revocations { get; init; } = [];
    public string? Missing { get; init; }
}

/// <summary>
/// One deployment on the timeline. <see cref="FromGreenOnly"/>: no event was written, so this is the commit's green record
/// read as its first deployment. <see cref="Promoted"/>: the commit was deployed (or green) in the previous environment
/// before. <see cref="Revoked"/>: the commit was revoked here after this deployment.
/// </summary>
public sealed record Deployment(string Environment, string Commit, DateTimeOffset At, string By, DeploymentKind Kind, bool FromGreenOnly)
{
    public bool Promoted { get; init; }
    public BypassRecord? Bypass { get; init; }
    public Revocation? Revoked { get; init; }
    public string? Subject { get; init; }
}

/// <summary>One environment's deployments in the window, oldest first.</summary>
public sealed record Lane(string Environment, IReadOnlyList<Deployment> Deployments, bool RollbacksVisible, string? Missing);

/// <summary>A commit's path to the last environment: when it was first deployed in each (null: never, or unknown).</summary>
public sealed record CommitPath(string Commit, string? Subject, IReadOnlyList<(string Environment, DateTimeOffset? At)> FirstDeployed)
{
    /// <summary>First deployment in the first environment to the first in the last; null when either is unknown.</summary>
    public TimeSpan? Total => FirstDeployed[0].At is { } first && FirstDeployed[^1].At is { } last ? last - first : null;

    /// <summary>
    /// Time spent in each environment but the last: from its first deployment there to the first deployment in any later
    /// one (a bypass past stg counts dev's time up to prd). Null when it never got there, or got there only after a later
    /// environment already had it (stg catching up after the bypass): then the times still add up to <see cref="Total"/>.
    /// </summary>
    public IReadOnlyList<TimeSpan?> TimeIn => Enumerable.Range(0, Math.Max(0, FirstDeployed.Count - 1)).Select(TimeSpentIn).ToList();

    private TimeSpan? TimeSpentIn(int index)
    {
        if (FirstDeployed[index].At is not { } arrived) return null;
        var later = FirstDeployed.Skip(index + 1).Select(p => p.At).OfType<DateTimeOffset>().ToList();
        if (later.Count == 0) return null;
        var left = later.Min();
        return left >= arrived ? left - arrived : null;
    }
}

/// <summary>One commit a deployment to the last environment brought there for the first time.</summary>
public sealed record ChangeLeadTime(string Commit, DateTimeOffset CommittedAt, string DeployedWith, DateTimeOffset DeployedAt)
{
    public TimeSpan LeadTime => DeployedAt - CommittedAt;
}

/// <summary>The four DORA figures for one environment and window (definitions: docs/history.md).</summary>
public sealed record DoraFigures(
    string Environment,
    int Deployments,
    double PerDay,
    double PerWeek,
    int LeadTimeCommits,
    TimeSpan? LeadTimeMedian,
    TimeSpan? LeadTimeP90,
    int ForwardDeployments,
    int FailedDeployments,
    int Restored,
    TimeSpan? TimeToRestoreMedian)
{
    /// <summary>Failed over forward deployments; null when there was none.</summary>
    public double? ChangeFailureRate => ForwardDeployments == 0 ? null : (double)FailedDeployments / ForwardDeployments;
}

/// <summary>Everything <c>git promote history</c> shows.</summary>
public sealed record PromotionHistory(
    HistoryWindow Window,
    IReadOnlyList<Lane> Lanes,
    IReadOnlyList<CommitPath> Paths,
    IReadOnlyList<ChangeLeadTime> LeadTimes,
    DoraFigures? Figures,
    IReadOnlyList<string> Notes);
