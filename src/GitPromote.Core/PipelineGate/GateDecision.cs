using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.PipelineGate;

/// <summary>
/// The gate's verdict on one commit for one environment; <see cref="Ref"/> is the engine's verdict it rests on.
/// <paramref name="Outcome"/> is how the gate let the commit in, in the engine's kinds, or <see cref="VerdictKind.Blocked"/>:
/// <see cref="VerdictKind.Unguarded"/> is the first environment (nothing comes before it, so there is no order to keep);
/// <see cref="VerdictKind.Promoted"/>, <see cref="VerdictKind.Rollback"/> and <see cref="VerdictKind.AllowedOnError"/> as
/// for a push; <see cref="VerdictKind.Bypass"/> a bypass of this commit into this environment recorded in its own store.
/// </summary>
public sealed record GateVerdict(string Environment, string Commit, VerdictKind Outcome, RefVerdict? Ref, BypassRecord? Bypass = null)
{
    public bool Admitted => Outcome != VerdictKind.Blocked;

    /// <summary>What refused the commit: the engine's reason, except in the first environment, which the engine does not judge.</summary>
    public BlockReason Reason => Revoked is not null ? BlockReason.Revoked
        : Unreadable is not null ? BlockReason.EvidenceUnavailable
        : Ref?.Reason ?? BlockReason.None;

    /// <summary>The first environment only: the revocation that refuses the commit there.</summary>
    public Revocation? Revoked { get; init; }

    /// <summary>The first environment only: why its revocations could not be read (refused, whatever <c>on_error</c> says).</summary>
    public EvidenceFailure? Unreadable { get; init; }

    /// <summary>Bypass records of this commit into this environment that could not admit it (already used, misdated, not accepted).</summary>
    public IReadOnlyList<SetAsideBypass> BypassesSetAside { get; init; } = [];

    /// <summary>Admitted under a bypass though revocations could not be read: the bypass set them aside, and the gate says so.</summary>
    public bool RevocationsUnread => Outcome == VerdictKind.Bypass
        && Ref?.Checks.Any(c => c.Rule == Rule.Revocation && c.Outcome == CheckOutcome.Unknown) == true;
}

/// <summary>
/// The pipeline gate's decision on top of the engine's: a commit is admitted when a guarded push of it into the
/// environment would be (promotion or rollback, same rules), or when a bypass for exactly this commit into exactly this
/// environment is recorded in the environment's own store. A revoked commit is never admitted, and neither is one whose
/// revocations could not be read. Pure: the caller reads the bypass records when <see cref="MayBeBypassed"/> says so.
/// </summary>
public static class GateDecision
{
    /// <summary>
    /// The gate's question as a push: <paramref name="commit"/> onto the policy's deploy branch, which the caller plans with
    /// <see cref="PromotionEngine.PlanFor"/>. Rewinding: a commit green there before is judged as a rollback (the looser
    /// rules of the two), else as a promotion.
    /// </summary>
    public static PushRequest Request(PromotionPolicy policy, string commit, string remoteName, string remoteUrl)
    {
        var update = new RefUpdate(commit, commit, "refs/heads/" + policy.DefaultBranch(), new string('0', commit.Length))
        {
            Commit = commit,
            RewindsTarget = policy.Rollback == RollbackMode.PreviouslyGreen,
        };
        return new PushRequest(remoteName, remoteUrl, [update]);
    }

    /// <summary>
    /// Whether a recorded bypass could still admit the commit: the engine refused it, but not for a revocation it read (a
    /// bypass never sets a revocation aside). Revocations that could not be read, a bypass sets aside, as at push time.
    /// </summary>
    public static bool MayBeBypassed(RefVerdict verdict) =>
        verdict.Kind == VerdictKind.Blocked
        && verdict.Reason is not (BlockReason.Revoked or BlockReason.DeletesDeployBranch or BlockReason.NotACommit)
        && verdict.Checks.Any(c => c.Rule == Rule.Revocation && c.Outcome is CheckOutcome.Pass or CheckOutcome.Unknown);

    /// <summary>
    /// The bypass this deployment of <paramref name="commit"/> into <paramref name="environment"/> may use (<see cref="BypassUse.Find"/>)
    /// with the pinned policy's <c>bypass.justification</c>: a record written under a looser local policy does not count.
    /// </summary>
    public static BypassChoice ChooseBypass(PromotionPolicy policy, EnvironmentPolicy environment, string commit, IEnumerable<BypassRecord> records,
        IReadOnlyList<DeploymentEvent> deployments, DateTimeOffset now, DateTimeOffset? committedAt) =>
        BypassUse.Find(records, environment.Name, commit, deployments, now, committedAt, policy.Bypass.Accepts);

    /// <param name="ownRecords">
    /// The first environment's own revocations of the commit (the engine has no rule to check there); null when its store
    /// keeps none (proven only by CodePipeline).
    /// </param>
    public static GateVerdict Decide(EnvironmentPolicy environment, string commit, RefVerdict verdict, BypassChoice? bypasses,
        ReviewRecords? ownRecords = null, OnErrorMode onError = OnErrorMode.Block)
    {
        var bypass = bypasses?.Usable;
        if (verdict.Kind == VerdictKind.Unguarded && ownRecords is not null)
        {
            if (ownRecords.Failure is null && ownRecords.RevocationOf(commit) is { } revoked)
                return new GateVerdict(environment.Name, commit, VerdictKind.Blocked, verdict) { Revoked = revoked };
            // Whatever on_error says: revocations that cannot be read could name this commit.
            if (ownRecords.Failure is { } failure)
                return new GateVerdict(environment.Name, commit, VerdictKind.Blocked, verdict) { Unreadable = failure };
        }
        // The gate asks as a push without a bypass: only a bypass recorded in the store admits a commit the engine refused.
        var outcome = verdict.Kind switch
        {
            VerdictKind.Unguarded or VerdictKind.Promoted or VerdictKind.Rollback or VerdictKind.AllowedOnError => verdict.Kind,
            _ => bypass is not null && MayBeBypassed(verdict) ? VerdictKind.Bypass : VerdictKind.Blocked,
        };
        return new GateVerdict(environment.Name, commit, outcome, verdict, outcome == VerdictKind.Bypass ? bypass : null)
        {
            BypassesSetAside = bypasses?.SetAside ?? [],
        };
    }

    /// <summary>What the gate says about a bypass it admits under: every word of it came from a record a pusher wrote.</summary>
    public static IReadOnlyList<string> DescribeBypass(BypassRecord bypass) =>
    [
        $"justification: {Quoting.Show(bypass.Justification, 300)}",
        $"by: {Quoting.Show(bypass.By.ToString(), 200)}",
        $"at: {Time.Utc(bypass.At)}",
        .. bypass.Overrides.Count > 0 ? [$"set aside at push time: {Quoting.Show(string.Join(", ", bypass.Overrides), 200)}"] : Array.Empty<string>(),
    ];
}
