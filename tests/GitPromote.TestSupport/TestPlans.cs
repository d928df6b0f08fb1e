using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.TestSupport;

/// <summary>Evidence plans as the pre-push hook makes them: the push routed to the environment its remote names, then planned.</summary>
public static class TestPlans
{
    public static EvidencePlan Routed(PromotionPolicy policy, PushRequest request) =>
        PromotionEngine.PlanFor(policy, request, EnvironmentRouter.Resolve(policy, request.RemoteName, request.RemoteUrl));
}
