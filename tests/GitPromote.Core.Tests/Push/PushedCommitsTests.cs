using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.Push;

/// <summary>
/// The step both hooks run between git's input and the plan (<see cref="PushedCommits.Peel"/>): pushed ids peeled to
/// commits, deploy branches marked as moving back or forward, against a graph whose every answer the test sets.
/// </summary>
public class PushedCommitsTests
{
    private static readonly string V1 = Ids.Sha1('1');
    private static readonly string V2 = Ids.Sha1('2');
    private static readonly string Other = Ids.Sha1('3');
    /// <summary>An annotated tag object that peels to <see cref="V1"/>.</summary>
    private static readonly string TagOfV1 = Ids.Sha1('7');
    private static readonly string Missing = Ids.Sha1('9');

    /// <summary>V1 ← V2 is history; Other diverged from both; Missing is not in this repository.</summary>
    private sealed class Graph : ICommitGraph
    {
        private readonly Dictionary<string, string> _commits = new() { [V1] = V1, [V2] = V2, [Other] = Other, [TagOfV1] = V1 };

        public List<IReadOnlyCollection<string>> Resolved { get; } = [];
        public List<(string Ancestor, string Descendant)> AncestryAsked { get; } = [];

        public IReadOnlyDictionary<string, string?> ResolveCommits(IReadOnlyCollection<string> revisions)
        {
            Resolved.Add(revisions);
            return revisions.Distinct().ToDictionary(r => r, r => _commits.GetValueOrDefault(r));
        }

        public bool? IsAncestor(string ancestor, string descendant)
        {
            AncestryAsked.Add((ancestor, descendant));
            if (ancestor == Missing || descendant == Missing) return null;
            return ancestor == descendant || (ancestor == V1 && descendant == V2);
        }
    }

    private static RefUpdate Update(string newId, string oldId, string remoteRef = "refs/heads/main") => new(newId, newId, remoteRef, oldId);

    private static IReadOnlyList<RefUpdate> Peel(Graph graph, params RefUpdate[] updates) => PushedCommits.Peel(Orders(), updates, graph);

    [Fact]
    public void The_ids_of_deploy_refs_are_peeled_in_one_call_and_a_tag_becomes_its_commit()
    {
        var graph = new Graph();

        var peeled = Peel(graph, Update(TagOfV1, Ids.Zero40), Update(V2, Ids.Zero40, "refs/heads/release"), Update(TagOfV1, Ids.Zero40, "refs/heads/main"),
            Update(Other, Ids.Zero40, "refs/heads/feature"));

        var call = Assert.Single(graph.Resolved);
        Assert.Equal([TagOfV1], call);
        Assert.Equal(V1, peeled[0].Commit);
        Assert.Equal(V1, peeled[2].Commit);
        Assert.Null(peeled[3].Commit);
    }

    [Fact]
    public void An_id_this_repository_cannot_peel_has_no_commit_and_a_deletion_asks_nothing()
    {
        var graph = new Graph();

        var missing = Peel(graph, Update(Missing, V1));
        var deletion = Peel(new Graph(), Update(Ids.Zero40, V1));

        Assert.Null(missing[0].Commit);
        Assert.False(missing[0].RewindsTarget || missing[0].FastForwards);
        Assert.Empty(graph.AncestryAsked);
        Assert.True(deletion[0].IsDeletion);
        Assert.Null(deletion[0].Commit);
    }

    [Fact]
    public void A_push_of_an_ancestor_of_the_remote_tip_rewinds_the_target()
    {
        var update = Assert.Single(Peel(new Graph(), Update(V1, V2)));

        Assert.True(update.RewindsTarget);
        Assert.False(update.FastForwards);
    }

    [Fact]
    public void A_push_that_descends_from_the_remote_tip_fast_forwards_and_is_no_rewind()
    {
        var update = Assert.Single(Peel(new Graph(), Update(V2, V1)));

        Assert.False(update.RewindsTarget);
        Assert.True(update.FastForwards);
    }

    [Theory]
    [InlineData("diverged")]
    [InlineData("tip not here")]
    public void A_push_whose_ancestry_is_unrelated_or_unknown_is_neither_rewind_nor_fast_forward(string kind)
    {
        var oldTip = kind == "diverged" ? V2 : Missing;

        var update = Assert.Single(Peel(new Graph(), Update(Other, oldTip)));

        Assert.False(update.RewindsTarget);
        Assert.False(update.FastForwards);
    }

    [Fact]
    public void No_ancestry_is_asked_for_a_creation_a_push_of_the_current_tip_a_non_deploy_ref_or_rollback_never()
    {
        var graph = new Graph();

        Peel(graph, Update(V1, Ids.Zero40), Update(V2, V2), Update(V1, V2, "refs/heads/feature"));
        var never = PushedCommits.Peel(Orders(rollback: RollbackMode.Never), [Update(V1, V2)], graph);

        Assert.Empty(graph.AncestryAsked);
        Assert.False(never[0].RewindsTarget);
    }

    [Theory]
    [InlineData(PushedCommits.MaxAncestryChecks, true)]
    [InlineData(PushedCommits.MaxAncestryChecks + 1, false)]
    public void Ancestry_is_asked_for_at_most_the_cap_of_deploy_refs(int deployRefs, bool asked)
    {
        var policy = Orders(branches: ["main", "release/*"]);
        var updates = Enumerable.Range(0, deployRefs).Select(i => Update(V1, V2, i == 0 ? "refs/heads/main" : $"refs/heads/release/{i}")).ToList();
        var graph = new Graph();

        var peeled = PushedCommits.Peel(policy, updates, graph);

        Assert.Equal(asked, graph.AncestryAsked.Count > 0);
        Assert.All(peeled, u => Assert.Equal(asked, u.RewindsTarget));
        Assert.All(peeled, u => Assert.Equal(V1, u.Commit));
    }
}
