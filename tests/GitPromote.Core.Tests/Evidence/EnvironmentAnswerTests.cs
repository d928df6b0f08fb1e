using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Evidence;

public class EnvironmentAnswerTests
{
    private static readonly string C = Ids.Sha1('c');

    private static EnvironmentPolicy Stg(RequireMode require) => Orders(stgRequire: require).Environments[1];

    /// <summary>Two sources (ssm, codepipeline), each green for C, silent about it, or failed.</summary>
    public static TheoryData<RequireMode, string, string, GreenState, string[]> Combinations => new()
    {
        { RequireMode.Any, "green", "green", GreenState.Green, [] },
        { RequireMode.Any, "green", "silent", GreenState.Green, [] },
        { RequireMode.Any, "silent", "green", GreenState.Green, [] },
        { RequireMode.Any, "failed", "green", GreenState.Green, [] },
        { RequireMode.Any, "silent", "silent", GreenState.NotGreen, ["ssm", "codepipeline"] },
        { RequireMode.Any, "failed", "silent", GreenState.Unknown, ["ssm"] },
        { RequireMode.Any, "failed", "failed", GreenState.Unknown, ["ssm", "codepipeline"] },
        { RequireMode.All, "green", "green", GreenState.Green, [] },
        { RequireMode.All, "green", "silent", GreenState.NotGreen, ["codepipeline"] },
        { RequireMode.All, "silent", "silent", GreenState.NotGreen, ["ssm", "codepipeline"] },
        { RequireMode.All, "failed", "silent", GreenState.NotGreen, ["codepipeline"] },
        { RequireMode.All, "green", "failed", GreenState.Unknown, ["codepipeline"] },
        { RequireMode.All, "failed", "failed", GreenState.Unknown, ["ssm", "codepipeline"] },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Status_combines_sources_as_require_says(RequireMode require, string ssm, string pipeline, GreenState expected, string[] sources)
    {
        var answer = Answer(Stg(require), Source(Ssm, ssm), Source(Pipeline, pipeline));

        var status = answer.StatusOf(C);

        Assert.Equal(expected, status.State);
        Assert.Equal(sources, status.Sources.Select(s => s.Label));
        Assert.Equal(expected == GreenState.Green, status.Fact is not null);
    }

    [Fact]
    public void Green_status_gives_the_first_source_fact_in_policy_order()
    {
        var answer = Answer(Stg(RequireMode.Any), Source(Ssm, "green"), Source(Pipeline, "green"));

        Assert.Equal("ssm", answer.StatusOf(C).Fact?.Source);
    }

    [Fact]
    public void Commits_are_compared_exactly()
    {
        var answer = Answer(Stg(RequireMode.Any), Green(Ssm, C));

        Assert.Equal(GreenState.NotGreen, answer.StatusOf(C.ToUpperInvariant()).State);
        Assert.Equal(GreenState.NotGreen, answer.StatusOf(C[..12]).State);
    }

    [Fact]
    public void Found_keeps_the_first_fact_of_a_commit_reported_twice()
    {
        var first = new GreenFact(C, "ssm", RecordedBy: "first");
        var answer = SourceAnswer.Found(Ssm, "ssm", [first, new GreenFact(C, "ssm", RecordedBy: "second")]);

        Assert.Same(first, Assert.Single(answer.Green).Value);
        Assert.Null(answer.Failure);
    }

    private static SourceAnswer Source(EvidenceSource source, string state) => state switch
    {
        "green" => Green(source, C),
        "silent" => Green(source, Ids.Sha1('f')),
        "failed" => Failed(source),
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
