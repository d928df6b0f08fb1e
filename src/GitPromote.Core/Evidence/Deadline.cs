namespace GitPromote.Core.Evidence;

/// <summary>
/// The one rule for a wait that ran out of time: an <see cref="OperationCanceledException"/> counts as "out of time" only
/// when <em>this</em> deadline was reached (another token's cancellation is not a timeout and goes on up). Used in
/// exception filters, so a store that failed and a store that did not answer in time end in the same catch:
/// <code>catch (Exception e) when (Deadline.Failure(e, deadline, label) is { } failure) { ... failure ... }</code>
/// </summary>
public static class Deadline
{
    /// <summary>True when <paramref name="e"/> is the cancellation that <paramref name="deadline"/> caused.</summary>
    public static bool Passed(Exception e, CancellationToken deadline) => e is OperationCanceledException && deadline.IsCancellationRequested;

    /// <summary>
    /// What failed, for a store that failed (<see cref="EvidenceUnavailableException"/>) or gave no answer before
    /// <paramref name="deadline"/> (<see cref="EvidenceFailure.OutOfTime"/> of <paramref name="what"/>); null for anything else.
    /// </summary>
    public static EvidenceFailure? Failure(Exception e, CancellationToken deadline, string what, TimeSpan? budget = null, string? todo = null) =>
        e is EvidenceUnavailableException u ? u.Failure
        : Passed(e, deadline) ? EvidenceFailure.OutOfTime(what, budget, todo)
        : null;
}
