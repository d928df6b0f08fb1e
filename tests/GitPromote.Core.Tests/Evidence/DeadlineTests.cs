using GitPromote.Core.Evidence;

namespace GitPromote.Core.Tests.Evidence;

/// <summary>The one deadline rule: a cancellation is "out of time" only when the wait's own deadline caused it.</summary>
public class DeadlineTests
{
    [Fact]
    public void A_cancellation_by_the_waits_own_deadline_is_out_of_time_with_what_was_waited_for()
    {
        using var deadline = new CancellationTokenSource();
        deadline.Cancel();

        var failure = Deadline.Failure(new OperationCanceledException(deadline.Token), deadline.Token, "the store of stg", TimeSpan.FromSeconds(5));

        Assert.Equal(EvidenceFailure.OutOfTime("the store of stg", TimeSpan.FromSeconds(5)), failure);
        Assert.True(Deadline.Passed(new TaskCanceledException(), deadline.Token));
    }

    [Fact]
    public void A_cancellation_from_elsewhere_before_the_deadline_is_not_a_timeout_and_goes_on_up()
    {
        using var deadline = new CancellationTokenSource();

        Assert.Null(Deadline.Failure(new OperationCanceledException(), deadline.Token, "the store of stg"));
        Assert.False(Deadline.Passed(new OperationCanceledException(), deadline.Token));
    }

    [Fact]
    public void A_callees_own_bound_is_out_of_time_under_any_deadline_with_its_own_budget()
    {
        using var deadline = new CancellationTokenSource();
        using var bound = new CancellationTokenSource();
        bound.Cancel();
        var cutOff = new OwnDeadlinePassedException("git ls-remote: no answer", null, TimeSpan.FromSeconds(60), bound.Token);

        Assert.True(Deadline.Passed(cutOff, deadline.Token));
        Assert.Equal(EvidenceFailure.OutOfTime("the store of stg", TimeSpan.FromSeconds(60)),
            Deadline.Failure(cutOff, deadline.Token, "the store of stg", TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(5), Deadline.BudgetOf(new OperationCanceledException(), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_store_that_failed_keeps_its_own_failure_even_after_the_deadline()
    {
        using var deadline = new CancellationTokenSource();
        deadline.Cancel();
        var denied = new EvidenceFailure("ssm:GetParameters on /promote/orders/stg", "access denied", "allow it");

        Assert.Equal(denied, Deadline.Failure(new EvidenceUnavailableException(denied), deadline.Token, "the store of stg"));
    }

    [Fact]
    public void Any_other_exception_is_not_a_store_failure()
    {
        using var deadline = new CancellationTokenSource();
        deadline.Cancel();

        Assert.Null(Deadline.Failure(new IOException("disk"), deadline.Token, "the store of stg"));
        Assert.False(Deadline.Passed(new IOException("disk"), deadline.Token));
    }
}
