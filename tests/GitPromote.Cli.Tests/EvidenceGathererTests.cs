using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;
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

/// <summary>Health is read in the same round as green, afresh every time (never from the positive cache), under the same deadline.</summary>
public class HealthGatheringTests
{
    private static readonly string Commit = Ids.Sha1('a');
    private static readonly HealthPolicy StgHealth = new([new AlarmPattern("orders-stg-5xx")], TimeSpan.FromMinutes(30), InsufficientDataMode.Block);
    private static readonly EnvironmentPolicy Stg = Orders().FindEnvironment("stg")! with { Health = StgHealth };

    private sealed class CountingHealth(IEvidenceProvider inner, Func<CancellationToken, Task<IReadOnlyList<AlarmReading>>> read) : IEvidenceProvider,
        IHealthReader
    {
        public int Reads;
        public string Label => "alarms of stg";
        public IEvidenceReader OpenReader(EnvironmentPolicy environment, EvidenceSource source) => inner.OpenReader(environment, source);
        public IRecordStore OpenStore(EnvironmentPolicy environment) => inner.OpenStore(environment);
        public IHealthReader OpenHealthReader(EnvironmentPolicy environment) => this;

        public Task<IReadOnlyList<AlarmReading>> ReadAsync(IReadOnlyList<AlarmPattern> patterns, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return read(cancellationToken);
        }
    }

    [Fact]
    public async Task Health_is_read_afresh_on_every_ask()
    {
        var alarms = new[] { new AlarmReading("orders-stg-5xx", "metric", AlarmState.Ok, DateTimeOffset.UnixEpoch) };
        var provider = new CountingHealth(new FakeEvidence().Green("stg", Commit), _ => Task.FromResult<IReadOnlyList<AlarmReading>>(alarms));
        var gatherer = new EvidenceGatherer(provider);
        var query = new EvidenceQuery(Stg, [Commit]) { Health = true };

        var first = await gatherer.AskAsync([query], CancellationToken.None);
        var second = await gatherer.AskAsync([query], CancellationToken.None);

        Assert.Equal(2, provider.Reads);
        Assert.Equal(alarms, second["stg"].Health!.Alarms);
        Assert.Null(first["stg"].Health!.Failure);
    }

    [Fact]
    public async Task Health_not_asked_is_not_read()
    {
        var provider = new CountingHealth(new FakeEvidence().Green("stg", Commit), _ => Task.FromResult<IReadOnlyList<AlarmReading>>([]));

        var answers = await new EvidenceGatherer(provider).AskAsync([new EvidenceQuery(Stg, [Commit])], CancellationToken.None);

        Assert.Equal(0, provider.Reads);
        Assert.Null(answers["stg"].Health);
    }

    [Fact]
    public async Task A_health_reader_that_ignores_its_token_becomes_an_out_of_time_failure_at_the_deadline()
    {
        var provider = new CountingHealth(new FakeEvidence().Green("stg", Commit), _ => new TaskCompletionSource<IReadOnlyList<AlarmReading>>().Task);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var answers = await new EvidenceGatherer(provider).AskAsync([new EvidenceQuery(Stg, [Commit]) { Health = true }],
            cts.Token).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(EvidenceFailure.NoAnswerInTime(), answers["stg"].Health!.Failure!.Why);
        // Green was answered all the same.
        Assert.True(answers["stg"].StatusOf(Commit).State == GreenState.Green);
    }

    [Fact]
    public async Task A_provider_without_cloudwatch_makes_health_unreadable_not_healthy()
    {
        var answers = await new EvidenceGatherer(new FakeEvidence().Green("stg", Commit)).AskAsync([new EvidenceQuery(Stg, [Commit]) { Health = true }],
            CancellationToken.None);

        Assert.Equal("this evidence provider does not read CloudWatch", answers["stg"].Health!.Failure!.Why);
    }
}
