using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.Engine;

public enum VerdictKind
{
    /// <summary>Not a guarded push (no environment, the first environment, or not a deploy branch).</summary>
    Unguarded,
    /// <summary>The commit is green in the previous environment.</summary>
    Promoted,
    /// <summary>The commit was green in the target environment before and the policy allows rollbacks.</summary>
    Rollback,
    /// <summary>Let through by an emergency bypass, which must be recorded before the push proceeds.</summary>
    Bypass,
    /// <summary>Evidence could not be read and the policy says <c>on_error: allow</c>.</summary>
    AllowedOnError,
    Blocked,
}

public enum BlockReason
{
    None,
    DeletesDeployBranch,
    NotGreen,
    EvidenceUnavailable,
    BypassRejected,
    /// <summary>The policy's bypass pattern ran past its time limit on this justification: neither matched nor rejected, so refused.</summary>
    BypassPatternTimedOut,
    BypassNotRecorded,
    NotACommit,
    /// <summary>The commit is revoked in the previous or the target environment; a bypass does not set this aside.</summary>
    Revoked,
    /// <summary>The commit has not been green in the previous environment for its <c>soak</c> time yet.</summary>
    SoakPending,
    /// <summary>The target environment is in a freeze window.</summary>
    Frozen,
    /// <summary>The target environment needs more approvals from people other than the pusher.</summary>
    ApprovalsMissing,
    /// <summary>An alarm of the previous environment is not OK, or not OK for long enough (<c>health</c>).</summary>
    Unhealthy,
}

/// <summary>The decision for one ref of a push, with what a person needs to understand it.</summary>
public sealed record RefVerdict(RefUpdate Update, VerdictKind Kind)
{
    public BlockReason Reason { get; init; } = BlockReason.None;
    public GreenFact? Evidence { get; init; }
    /// <summary>Sources of the previous environment that lacked the commit, or could not be read.</summary>
    public IReadOnlyList<SourceAnswer> Lacking { get; init; } = [];
    public BypassRecord? Bypass { get; init; }
    public EvidenceFailure? Failure { get; init; }

    /// <summary>Every rule as it came out for this ref (empty for deletions and unguarded refs): the checklist of <c>check --explain</c>.</summary>
    public IReadOnlyList<RuleCheck> Checks { get; init; } = [];

    /// <summary>The rules that refused this ref (or that a bypass set aside).</summary>
    public IEnumerable<RuleCheck> Failed => Checks.Where(c => c.Outcome is CheckOutcome.Fail or CheckOutcome.Unknown);

    public bool IsAllowed => Kind != VerdictKind.Blocked;
}

/// <summary>The decision for a whole push: it goes through only if every ref is allowed.</summary>
public sealed record BatchVerdict(
    PushRequest Request,
    EnvironmentPolicy? Target,
    EnvironmentPolicy? Previous,
    IReadOnlyList<RefVerdict> Refs,
    string? BypassPattern)
{
    public bool IsAllowed => Refs.All(r => r.IsAllowed);
    public IEnumerable<RefVerdict> Blocked => Refs.Where(r => !r.IsAllowed);
    public IEnumerable<RefVerdict> BypassesToRecord => Refs.Where(r => r.Kind == VerdictKind.Bypass && r.Bypass is not null);

    /// <summary>A dry run's bypasses: allowed as the push for real would be, and not recorded (no ref moves).</summary>
    public bool BypassesNotRecordedForDryRun { get; init; }

    /// <summary>The push cannot go through as a bypass because its record could not be written.</summary>
    public BatchVerdict WithBypassNotRecorded(RefVerdict verdict, EvidenceFailure failure) => this with
    {
        Refs = Refs.Select(r => ReferenceEquals(r, verdict)
            ? r with { Kind = VerdictKind.Blocked, Reason = BlockReason.BypassNotRecorded, Failure = failure }
            : r).ToList(),
    };
}
