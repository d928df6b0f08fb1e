using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Gate;

/// <summary>
/// "Would a push of this commit to that environment go through now?": the same gate as the hook, for a push of the
/// policy's deploy branch to the environment's first remote, with the caller as the pusher. Shared by check and status.
/// </summary>
public static class CommitCheck
{
    public sealed record Outcome(GateResult Result, string RemoteName)
    {
        public RefVerdict Verdict => Result.Verdict.Refs[0];
    }

    public static async Task<Outcome> DecideAsync(Workspace workspace, PromotionPolicy policy, CompositeEvidenceProvider provider,
        EnvironmentPolicy target, string rev, string commit, IClock clock, CancellationToken deadline)
    {
        var branch = "refs/heads/" + policy.DefaultBranch();
        var remoteName = EnvironmentRouter.RemoteNames(target).FirstOrDefault() ?? target.Name;
        var request = new PushRequest(remoteName, remoteName, [new RefUpdate(rev, commit, branch, new string('0', commit.Length)) { Commit = commit }]);
        var plan = PromotionEngine.PlanFor(policy, request, target);
        // As if the caller pushed: their own approval does not count.
        var push = new PushContext(Identity.Unknown, clock.Now, null)
        {
            StoreIdentity = await PusherIdentity.InTargetStoreAsync(provider, target, workspace.CurrentIdentity, deadline),
        };
        var gate = new PushGate(provider, workspace.Cache(policy), workspace.Repository);
        return new Outcome(await gate.DecideAsync(policy, request, plan, push, deadline), remoteName);
    }
}
