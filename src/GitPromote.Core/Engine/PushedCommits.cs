using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.Engine;

/// <summary>
/// The step between a hook's input and <see cref="PromotionEngine.PlanFor"/>: the ids a push names, peeled to the commits
/// they are, and each deploy branch marked as moving back or forward. Shared by the client and the server hook, so both
/// judge the same push the same way.
/// </summary>
public static class PushedCommits
{
    /// <summary>
    /// More deploy refs than this in one push and no ancestry is asked (it costs a git process a ref on the CLI backend):
    /// those refs are then judged as promotions, which is stricter, never looser.
    /// </summary>
    public const int MaxAncestryChecks = 64;

    /// <summary>
    /// <paramref name="updates"/> with <see cref="RefUpdate.Commit"/> filled (the ids of deploy refs peeled in one call;
    /// null for what is not a commit here) and the deploy branches marked by <see cref="WithRewind"/>. Deletions stay as they are.
    /// </summary>
    public static IReadOnlyList<RefUpdate> Peel(PromotionPolicy policy, IReadOnlyList<RefUpdate> updates, ICommitGraph graph)
    {
        var deployRefs = EnvironmentRouter.DeployUpdates(policy, updates).ToList();
        var deploy = new HashSet<RefUpdate>(deployRefs, ReferenceEqualityComparer.Instance);
        var toPeel = deployRefs.Where(u => !u.IsDeletion).Select(u => u.NewId).Distinct().ToList();
        var commits = toPeel.Count == 0 ? new Dictionary<string, string?>() : graph.ResolveCommits(toPeel);
        return updates
            .Select(u => (Peeled: u.IsDeletion ? u : u with { Commit = commits.GetValueOrDefault(u.NewId) }, Deploys: deploy.Contains(u)))
            .Select(u => u.Deploys ? WithRewind(policy, graph, u.Peeled, deployRefs.Count) : u.Peeled)
            .ToList();
    }

    /// <summary>
    /// <paramref name="updates"/> as if every id pushed to a deploy branch were the commit itself, with no ancestry known:
    /// what a push almost always is, and so a guess at the questions its evidence will be asked, made before the
    /// repository is open (<see cref="Peel"/> gives the answer that counts).
    /// </summary>
    public static IReadOnlyList<RefUpdate> AsPushed(PromotionPolicy policy, IReadOnlyList<RefUpdate> updates)
    {
        var deploy = new HashSet<RefUpdate>(EnvironmentRouter.DeployUpdates(policy, updates), ReferenceEqualityComparer.Instance);
        return updates.Select(u => u.IsDeletion || !deploy.Contains(u) || !ObjectIds.IsValid(u.NewId) ? u : u with { Commit = u.NewId.ToLowerInvariant() })
            .ToList();
    }

    /// <summary>
    /// Marks a push of a deploy branch that moves it back (the new commit is an ancestor of the remote's tip): it is then a
    /// rollback even where the previous environment still has the commit green (rollbacks skip soak and approvals).
    /// A push that moves it forward is marked too: it is never a rollback.
    /// For very large pushes (over <see cref="MaxAncestryChecks"/> deploy refs) it is skipped to keep the hook fast; the
    /// rules then judge those refs as promotions, which is stricter, never looser.
    /// </summary>
    private static RefUpdate WithRewind(PromotionPolicy policy, ICommitGraph graph, RefUpdate update, int deployRefCount)
    {
        if (policy.Rollback != RollbackMode.PreviouslyGreen || deployRefCount > MaxAncestryChecks
            || update.IsDeletion || update.IsCreation || update.Commit is null)
            return update;
        if (update.Commit == update.OldId) return update;
        if (graph.IsAncestor(update.Commit, update.OldId) == true) return update with { RewindsTarget = true };
        return update with { FastForwards = graph.IsAncestor(update.OldId, update.Commit) == true };
    }
}
