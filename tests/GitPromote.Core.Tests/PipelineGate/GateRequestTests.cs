using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Core.Tests.PipelineGate;

/// <summary>The pipeline gate's question put as a push (<see cref="GateDecision.Request"/>), as the gate and the test world both ask it.</summary>
public class GateRequestTests
{
    [Fact]
    public void The_gate_asks_about_a_creation_of_the_deploy_branch_judged_as_a_rollback_where_rollbacks_are_allowed()
    {
        var request = GateDecision.Request(Orders(branches: ["release/*", "main"]), Ids.Sha256('a'), "stg", "the stg pipeline");

        var update = Assert.Single(request.Updates);
        Assert.Equal(("stg", "the stg pipeline"), (request.RemoteName, request.RemoteUrl));
        Assert.Equal("refs/heads/main", update.RemoteRef);
        Assert.Equal(Ids.Sha256('a'), update.Commit);
        Assert.True(update.IsCreation);
        Assert.Equal(Ids.Zero64, update.OldId);
        Assert.True(update.RewindsTarget);
        Assert.False(update.FastForwards);
    }

    [Fact]
    public void With_rollback_never_the_gate_never_asks_as_a_rollback()
    {
        var update = Assert.Single(GateDecision.Request(Orders(rollback: RollbackMode.Never), Ids.Sha1('a'), "stg", "x").Updates);

        Assert.False(update.RewindsTarget);
    }
}
