using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

/// <summary>A bypass admits one deployment, the one it was written for: which record a deployment may use, and why the others may not.</summary>
public class BypassUseTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Committed = Now.AddHours(-1);
    private static readonly string Commit = Ids.Commit(1);
    private static readonly Identity Ann = new("ann", "ann@example.com");
    private static readonly Identity Ci = new("ci", "ci@example.com");

    private static BypassRecord B(string id, DateTimeOffset at, string env = "stg", string? commit = null, string justification = "INC-43: checkout down") =>
        new(env, commit ?? Commit, "refs/heads/main", justification, Ann, at) { Id = id };

    private static DeploymentEvent Used(BypassRecord b, DateTimeOffset at) =>
        new(b.Environment, b.Commit, at, Ci, DeploymentKind.Bypass) { Bypass = b.Id };

    private static BypassChoice Find(IEnumerable<BypassRecord> bypasses, IReadOnlyList<DeploymentEvent>? events = null, DateTimeOffset? committedAt = null) =>
        BypassUse.Find(bypasses, "stg", Commit, events ?? [], Now, committedAt ?? Committed);

    [Fact]
    public void An_unused_bypass_of_this_commit_into_this_environment_may_be_used()
    {
        var b = B("b1", Now.AddMinutes(-5));
        var choice = Find([b]);
        Assert.Same(b, choice.Usable);
        Assert.Empty(choice.SetAside);
    }

    [Fact]
    public void A_bypass_named_by_an_earlier_deployment_is_set_aside_with_that_deployment()
    {
        var b = B("b1", Now.AddMinutes(-30));
        var deployed = Used(b, Now.AddMinutes(-20));

        var choice = Find([b], [deployed]);

        Assert.Null(choice.Usable);
        var aside = Assert.Single(choice.SetAside);
        Assert.Same(deployed, aside.UsedBy);
        Assert.Contains("already used by the deployment at 2026-03-02 09:40Z", BypassUse.Describe(aside));
        Assert.Contains("by ann", BypassUse.Describe(aside));
    }

    [Fact]
    public void Each_bypass_admits_one_deployment_the_oldest_unused_first()
    {
        var first = B("b1", Now.AddMinutes(-30));
        var second = B("b2", Now.AddMinutes(-10));
        Assert.Same(first, Find([second, first]).Usable);
        Assert.Same(second, Find([second, first], [Used(first, Now.AddMinutes(-20))]).Usable);
        Assert.Null(Find([second, first], [Used(first, Now.AddMinutes(-20)), Used(second, Now.AddMinutes(-5))]).Usable);
    }

    [Fact]
    public void A_servers_landing_event_ties_the_bypass_to_its_push_and_does_not_use_it_up()
    {
        var b = B("b1", Now.AddMinutes(-30));
        var landed = Used(b, b.At) with { Landed = true };
        Assert.Same(b, Find([b], [landed]).Usable);
    }

    [Fact]
    public void A_bypass_dated_in_the_future_or_before_the_commit_was_made_is_set_aside()
    {
        var future = B("b1", Now.AddHours(2));
        var beforeCommit = B("b2", Committed.AddDays(-1));

        var choice = Find([future, beforeCommit]);

        Assert.Null(choice.Usable);
        Assert.Equal(2, choice.SetAside.Count);
        Assert.Contains(choice.SetAside, s => s.Bypass == future && BypassUse.Describe(s).Contains("dated in the future", StringComparison.Ordinal));
        Assert.Contains(choice.SetAside,
            s => s.Bypass == beforeCommit && BypassUse.Describe(s).Contains("before the commit was made", StringComparison.Ordinal));
    }

    [Fact]
    public void A_few_minutes_of_clock_skew_between_pusher_and_pipeline_is_not_the_future()
    {
        var b = B("b1", Now.AddMinutes(2));
        Assert.Same(b, Find([b]).Usable);
        Assert.Same(b, Find([b], committedAt: Now.AddMinutes(3)).Usable);
    }

    [Fact]
    public void Without_the_commits_time_only_the_other_rules_apply()
    {
        var b = B("b1", Now.AddDays(-400));
        Assert.Same(b, BypassUse.Find([b], "stg", Commit, [], Now, committedAt: null).Usable);
    }

    [Fact]
    public void Bypasses_of_other_commits_or_environments_are_not_candidates_and_not_reported()
    {
        var choice = Find([B("b1", Now.AddMinutes(-1), env: "prd"), B("b2", Now.AddMinutes(-1), commit: Ids.Commit(2))]);
        Assert.Null(choice.Usable);
        Assert.Empty(choice.SetAside);
    }

    [Fact]
    public void A_justification_the_policy_does_not_accept_is_set_aside_and_says_so()
    {
        var choice = BypassUse.Find([B("b1", Now.AddMinutes(-1), justification: "because")], "stg", Commit, [], Now, Committed,
            accepts: j => j.StartsWith("INC-", StringComparison.Ordinal));
        Assert.Null(choice.Usable);
        Assert.Contains("bypass.justification", BypassUse.Describe(Assert.Single(choice.SetAside)));
    }

    [Fact]
    public void An_event_written_before_events_named_their_bypass_uses_the_bypass_it_followed()
    {
        // Events of older versions say kind bypass but no id: each uses the oldest bypass of its commit dated at or before it.
        var b = B("b1", Now.AddMinutes(-30));
        var legacy = new DeploymentEvent("stg", Commit, Now.AddMinutes(-20), Ci, DeploymentKind.Bypass);
        Assert.Null(Find([b], [legacy]).Usable);
        Assert.Same(legacy, Assert.Single(Find([b], [legacy]).SetAside).UsedBy);
        // An older event cannot have used a later bypass.
        var later = B("b2", Now.AddMinutes(-10));
        Assert.Same(later, Find([later], [legacy]).Usable);
    }

    [Fact]
    public void Which_deployment_used_each_bypass_for_the_audit()
    {
        var used = B("b1", Now.AddMinutes(-30));
        var unused = B("b2", Now.AddMinutes(-10));
        var deployed = Used(used, Now.AddMinutes(-20));

        var map = BypassUse.UsedBy([used, unused], [deployed]);

        Assert.Same(deployed, map[used]);
        Assert.False(map.ContainsKey(unused));
    }
}
