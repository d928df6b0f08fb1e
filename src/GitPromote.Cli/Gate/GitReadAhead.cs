using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Gate;

/// <summary>
/// A guarded push's git records, asked for before the repository is open: the ids pushed are almost always the commits
/// themselves, so the fetches the gate will make are started while libgit2 loads and peels them (2-3 ms that would
/// otherwise come before the fetch), and the gate's identical fetches join them (<see cref="Git.FetchesAhead"/>). Only
/// for records kept in git: an AWS read is never made on a guess. Nothing here decides: answers are thrown away.
/// </summary>
public static class GitReadAhead
{
    public static Task StartAsync(Workspace workspace, GuardedPush guarded, IReadOnlyList<RefUpdate> updates, CancellationToken deadline)
    {
        var policy = guarded.Policy;
        var request = new PushRequest(guarded.RouteName, guarded.RemoteUrl, PushedCommits.AsPushed(policy, updates));
        var plan = PromotionEngine.PlanFor(policy, request, guarded.Target);
        if (!plan.NeedsEvidence || !plan.Queries.All(InGitOnly)) return Task.CompletedTask;

        workspace.OpenInBackground();
        var gatherer = new EvidenceGatherer(workspace.GitEvidenceAhead(), workspace.Cache(policy, readOnly: true));
        // Called on this thread, not queued: the fetches are started before it returns, so they are always under way when
        // the gate's own fetches come to join them (a queued start could come after, and then would not be joined).
        return AskQuietlyAsync(gatherer, plan.Queries, deadline);
    }

    private static async Task AskQuietlyAsync(EvidenceGatherer gatherer, IReadOnlyList<EvidenceQuery> queries, CancellationToken deadline)
    {
        try { await gatherer.AskAsync(queries, deadline); }
        catch (Exception) { /* a guess: the gate's own read reports whatever went wrong */ }
    }

    private static bool InGitOnly(EvidenceQuery query) =>
        !query.Health && !query.Environment.StoresInSsm && query.Environment.Evidence.All(s => s is GitEvidence);
}
