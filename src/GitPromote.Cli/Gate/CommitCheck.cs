using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;
using GitPromote.Platform;

namespace GitPromote.Cli.Gate;

/// <summary>
/// "Would a push of this commit to that environment go through now?": the same gate as the hook, for a push of the
/// policy's deploy branch to the environment's first remote, with the caller as the pusher. Shared by check and status.
/// </summary>
public static class CommitCheck
{
    public sealed record Outcome(GateAnswer Result, string RemoteName)
    {
        public RefVerdict Verdict => Result.Verdict.Refs[0];
    }

    /// <param name="tip">What the target's deploy branch holds now, when known: the push is then judged exactly as git would send
    /// it (a commit behind the tip is a rollback, one ahead of it a promotion). Null: as a push that creates the branch.</param>
    public static async Task<Outcome> DecideAsync(Workspace workspace, PromotionPolicy policy, CompositeEvidenceProvider provider,
        EnvironmentPolicy target, string rev, string commit, IClock clock, CancellationToken deadline, string? tip = null)
    {
        var branch = "refs/heads/" + policy.DefaultBranch();
        var remoteName = EnvironmentRouter.RemoteNames(target).FirstOrDefault() ?? target.Name;
        var update = new RefUpdate(rev, commit, branch, tip ?? new string('0', commit.Length));
        // The commit was resolved here already; peeling marks how the push would move the branch.
        var peeled = PushedCommits.Peel(policy, [update], workspace.Repository).Select(u => u with { Commit = u.Commit ?? commit }).ToList();
        var request = new PushRequest(remoteName, remoteName, peeled);
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
