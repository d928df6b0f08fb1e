namespace GitPromote.Core.Engine;

/// <summary>
/// The words a verdict is published in: <c>outcome</c> and <c>reason</c> of <c>check --json</c> and <c>gate --json</c>
/// (docs/json.md, docs/json/). Written out here rather than taken from the enums' names, so that renaming a member in
/// code cannot change what a script reads.
/// </summary>
public static class VerdictWords
{
    public const string FirstEnvironment = "first-environment";
    public const string Promoted = "promoted";
    public const string Rollback = "rollback";
    public const string Bypass = "bypass";
    public const string AllowedOnError = "allowed-on-error";
    public const string Refused = "refused";

    /// <summary>Every outcome, admitted ones first; <see cref="Refused"/> is the only one that does not let the commit go.</summary>
    public static readonly IReadOnlyList<string> Outcomes = [FirstEnvironment, Promoted, Rollback, Bypass, AllowedOnError, Refused];

    /// <summary>
    /// How the engine, or the pipeline gate (<see cref="PipelineGate.GateVerdict.Outcome"/>), let a commit go into its
    /// environment, or that it did not.
    /// </summary>
    public static string Outcome(VerdictKind kind) => kind switch
    {
        VerdictKind.Unguarded => FirstEnvironment,
        VerdictKind.Promoted => Promoted,
        VerdictKind.Rollback => Rollback,
        VerdictKind.Bypass => Bypass,
        VerdictKind.AllowedOnError => AllowedOnError,
        VerdictKind.Blocked => Refused,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a verdict kind with no published word"),
    };

    /// <summary>What refused the commit (or what a bypass set aside); null for <see cref="BlockReason.None"/>.</summary>
    public static string? Reason(BlockReason reason) => reason switch
    {
        BlockReason.None => null,
        BlockReason.DeletesDeployBranch => "deletes-deploy-branch",
        BlockReason.NotGreen => "not-green",
        BlockReason.EvidenceUnavailable => "evidence-unavailable",
        BlockReason.BypassRejected => "bypass-rejected",
        BlockReason.BypassPatternTimedOut => "bypass-pattern-timed-out",
        BlockReason.BypassNotRecorded => "bypass-not-recorded",
        BlockReason.NotACommit => "not-a-commit",
        BlockReason.Revoked => "revoked",
        BlockReason.SoakPending => "soak-pending",
        BlockReason.Frozen => "frozen",
        BlockReason.ApprovalsMissing => "approvals-missing",
        BlockReason.Unhealthy => "unhealthy",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "a block reason with no published word"),
    };

    /// <summary>Every reason word, in the order of <see cref="BlockReason"/>.</summary>
    public static IReadOnlyList<string> Reasons { get; } = Enum.GetValues<BlockReason>().Select(Reason).OfType<string>().ToList();

    /// <summary>How one rule of the checklist came out: <c>pass</c>, <c>fail</c>, <c>unknown</c> or <c>skipped</c>.</summary>
    public static string RuleOutcome(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "fail",
        CheckOutcome.Unknown => "unknown",
        CheckOutcome.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "a rule outcome with no published word"),
    };

    public static readonly IReadOnlyList<string> RuleOutcomes = ["pass", "fail", "unknown", "skipped"];
}
