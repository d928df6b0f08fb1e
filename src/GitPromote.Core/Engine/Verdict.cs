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
    BypassNotRecorded,
    NotACommit,
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

    public bool IsAllowed => Kind != VerdictKind.Blocked;
}

/// <summary>The decision for a whole push: it goes through only if every ref is allowed.</summary>
public sealed record BatchVerdict(
    PushRequest Request,
    EnvironmentPolicy? Target,
    EnvironmentPolicy? Previous,
    IReadOnlyList<RefVerdict> Refs,
    IReadOnlyList<GreenFact> PreviousRecentGreen,
    string? BypassPattern)
{
    public bool IsAllowed => Refs.All(r => r.IsAllowed);
    public IEnumerable<RefVerdict> Blocked => Refs.Where(r => !r.IsAllowed);
    public IEnumerable<RefVerdict> BypassesToRecord => Refs.Where(r => r.Kind == VerdictKind.Bypass && r.Bypass is not null);

    /// <summary>The push cannot go through as a bypass because its record could not be written.</summary>
    public BatchVerdict WithBypassNotRecorded(RefVerdict verdict, EvidenceFailure failure) => this with
    {
        Refs = Refs.Select(r => ReferenceEquals(r, verdict)
            ? r with { Kind = VerdictKind.Blocked, Reason = BlockReason.BypassNotRecorded, Failure = failure }
            : r).ToList(),
    };
}
