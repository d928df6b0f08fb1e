using GitPromote.Cli.Gate;
using GitPromote.Cli.Install;
using GitPromote.Cli.Workspaces;
using GitPromote.Cli.Tests.Support;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Cli.Tests;

/// <summary>Every wait ends at the policy's deadline, whatever a source does with its token, and one slow environment spoils no other.</summary>
public class EvidenceGathererTests
{
    private static readonly string Commit = Ids.Sha1('a');
    private static readonly PromotionPolicy Policy = Orders();
    private static EnvironmentPolicy Env(string name) => Policy.FindEnvironment(name)!;

    /// <summary>Asks under a deadline of <paramref name="deadline"/>; a gatherer that does not end by itself fails the test instead of hanging it.</summary>
    private static async Task<Dictionary<string, EnvironmentAnswer>> AskAsync(FakeEvidence evidence, TimeSpan deadline, params EvidenceQuery[] queries)
    {
        using var cts = new CancellationTokenSource(deadline);
        return await new EvidenceGatherer(evidence).AskAsync(queries, cts.Token).WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_source_that_never_answers_becomes_an_out_of_time_failure_at_the_deadline()
    {
        var evidence = new FakeEvidence().NeverAnswers("stg");

        var answers = await AskAsync(evidence, TimeSpan.FromMilliseconds(200), new EvidenceQuery(Env("stg"), [Commit]));

        var stg = answers["stg"];
        Assert.Equal(2, stg.Sources.Count);
        Assert.All(stg.Sources, s =>
        {
            Assert.Empty(s.Green);
            Assert.Equal(EvidenceFailure.NoAnswerInTime(), s.Failure!.Why);
        });
    }

    [Fact]
    public async Task A_hung_environment_leaves_the_answer_of_a_healthy_one_intact()
    {
        var evidence = new FakeEvidence().NeverAnswers("stg").Green("dev", Commit);

        var answers = await AskAsync(evidence, TimeSpan.FromMilliseconds(200),
            new EvidenceQuery(Env("stg"), [Commit]), new EvidenceQuery(Env("dev"), [Commit]));

        var dev = Assert.Single(answers["dev"].Sources);
        Assert.Null(dev.Failure);
        Assert.True(dev.Green.ContainsKey(Commit));
        Assert.All(answers["stg"].Sources, s => Assert.NotNull(s.Failure));
    }

    [Fact]
    public async Task A_hung_store_makes_its_revocations_unreadable_rather_than_empty()
    {
        var evidence = new FakeEvidence().NeverAnswers("prd");

        var answers = await AskAsync(evidence, TimeSpan.FromMilliseconds(200),
            new EvidenceQuery(Env("prd"), [Commit]) { ReviewCommits = [Commit] });

        var records = answers["prd"].Records!;
        Assert.NotNull(records.Failure);
        Assert.Equal(EvidenceFailure.NoAnswerInTime(), records.Failure.Why);
    }

    [Fact]
    public async Task Suggestions_from_a_hung_environment_are_empty_once_the_deadline_passes()
    {
        var evidence = new FakeEvidence().NeverAnswers("stg").Green("stg", Commit);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var green = await new EvidenceGatherer(evidence).RecentGreenAsync(Env("stg"), cts.Token).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(green);
    }
}
