namespace GitPromote.Core.Evidence;

/// <summary>
/// The one rule for a wait that ran out of time: an <see cref="OperationCanceledException"/> counts as "out of time" only
/// when <em>this</em> deadline was reached, or when a callee's own bound cut the wait off and says so
/// (<see cref="OwnDeadlinePassedException"/>); another token's cancellation is not a timeout and goes on up. Used in
/// exception filters, so a store that failed and a store that did not answer in time end in the same catch:
/// <code>catch (Exception e) when (Deadline.Failure(e, deadline, label) is { } failure) { ... failure ... }</code>
/// </summary>
public static class Deadline
{
    /// <summary>True when <paramref name="e"/> is the cancellation that <paramref name="deadline"/> caused, or a callee's own bound.</summary>
    public static bool Passed(Exception e, CancellationToken deadline) =>
        e is OwnDeadlinePassedException || e is OperationCanceledException && deadline.IsCancellationRequested;

    /// <summary>
    /// The budget of the deadline that passed: a callee's own, when its bound cut the wait off before the caller's deadline,
    /// else <paramref name="budget"/> (the caller's).
    /// </summary>
    public static TimeSpan? BudgetOf(Exception e, TimeSpan? budget) => e is OwnDeadlinePassedException own ? own.Budget : budget;

    /// <summary>
    /// What failed, for a store that failed (<see cref="EvidenceUnavailableException"/>) or gave no answer before
    /// <paramref name="deadline"/> (<see cref="EvidenceFailure.OutOfTime"/> of <paramref name="what"/>); null for anything else.
    /// </summary>
    public static EvidenceFailure? Failure(Exception e, CancellationToken deadline, string what, TimeSpan? budget = null, string? todo = null) =>
        e is EvidenceUnavailableException u ? u.Failure
        : Passed(e, deadline) ? EvidenceFailure.OutOfTime(what, BudgetOf(e, budget), todo)
        : null;
}

/// <summary>
/// A wait cut off by a bound of the callee's own, not by its caller's token (a git remote call is bounded whatever its
/// caller allows): out of time all the same. The caller cannot ask that bound by its own token, so the cancellation says
/// it itself, and <see cref="Deadline.Passed"/> counts it under any deadline.
/// </summary>
public sealed class OwnDeadlinePassedException(string message, Exception? inner, TimeSpan budget, CancellationToken token)
    : OperationCanceledException(message, inner, token)
{
    /// <summary>The callee's own bound.</summary>
    public TimeSpan Budget { get; } = budget;
}
