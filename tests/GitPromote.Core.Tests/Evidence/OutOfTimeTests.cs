using GitPromote.Core.Evidence;

namespace GitPromote.Core.Tests.Evidence;

public class OutOfTimeTests
{
    [Fact]
    public void Out_of_time_names_what_gave_no_answer_and_the_time_it_had()
    {
        var failure = EvidenceFailure.OutOfTime("the store of stg", TimeSpan.FromSeconds(10));

        Assert.Equal("the store of stg", failure.What);
        Assert.Equal("no answer within the time allowed (10s)", failure.Why);
        Assert.Equal("retry; if it keeps happening, check the network, or raise 'timeout' in .promote.yml", failure.Todo);
    }

    [Fact]
    public void Out_of_time_without_a_known_budget_says_the_same_without_the_number()
    {
        var failure = EvidenceFailure.OutOfTime("git");

        Assert.Equal("no answer within the time allowed", failure.Why);
        Assert.Equal(EvidenceFailure.NoAnswerInTime(), failure.Why);
    }

    [Fact]
    public void Out_of_time_keeps_a_what_to_do_that_the_caller_knows_better()
    {
        var failure = EvidenceFailure.OutOfTime("the store of dev", TimeSpan.FromMinutes(5), "run it again: git promote prune dev");

        Assert.Equal("no answer within the time allowed (5m)", failure.Why);
        Assert.Equal("run it again: git promote prune dev", failure.Todo);
    }
}
