using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Workspaces;

/// <summary>
/// Whether an environment deployed a commit, as <c>record</c> must know before it calls the commit green there.
/// <see cref="Says"/> is the sentence that proves it, or says why it could not be seen (and, with <see cref="Todo"/>, what to do).
/// </summary>
public sealed record DeploymentProof(bool Deployed, string Says, string? Todo = null);

/// <summary>
/// What proves that an environment deployed a commit, in order: the commit this pipeline run fetched (a CI variable names
/// it: the run deployed that commit, and no other); else the environment's repository, whose deploy branch must hold the
/// commit (its tip, or in its history); else nothing, and <c>record</c> refuses unless <c>--force</c>.
/// </summary>
public static class DeploymentProofs
{
    public static async Task<DeploymentProof> ProveAsync(Workspace workspace, IProcessEnvironment variables, PromotionPolicy policy, EnvironmentPolicy env,
        string commit, CancellationToken cancellationToken)
    {
        var shortId = ObjectIds.Short(commit);
        if (PipelineInputs.PipelineSource(variables) is { } source)
        {
            if (PipelineInputs.FullId(source.Value) is { } fetched)
                return string.Equals(fetched, commit, StringComparison.OrdinalIgnoreCase)
                    ? new(true, $"this pipeline run fetched it ({source.From})")
                    : new(false, $"this pipeline run fetched {ObjectIds.Short(fetched)} ({source.From}), not {shortId}",
                        $"record what the run deployed: git promote record {env.Name} \"${source.From}\"");
        }

        EnvironmentRemote remote;
        try
        {
            remote = EnvironmentRemote.Resolve(workspace.Repository, env);
        }
        catch (EvidenceUnavailableException)
        {
            return new(false, $"{env.Name}'s repository is not reachable from here, and no CI variable names the commit this pipeline run fetched",
                $"run this in {env.Name}'s pipeline (it sets {PipelineInputs.CommitVariables[0]}), or name its repository: --remote {env.Name}=<url>");
        }
        var branch = policy.DefaultBranch();
        var refName = "refs/heads/" + branch;
        var client = workspace.Evidence.Remote;
        string? tip;
        try
        {
            tip = (await client.ListRefsAsync(remote.Remote, [refName], cancellationToken)).FirstOrDefault(r => r.Name == refName)?.Id;
        }
        catch (GitCommandException e)
        {
            return new(false, $"could not read {env.Name}'s {branch} from {remote.Display}: {remote.Scrub(e.Message)}",
                $"check that it answers: git ls-remote {remote.Argument} {refName}");
        }
        var where = $"{env.Name}'s {branch} ({remote.Display})";
        if (tip is null) return new(false, $"{where} does not exist yet: nothing was deployed there", $"push {shortId} to {env.Name} first");
        if (string.Equals(tip, commit, StringComparison.OrdinalIgnoreCase)) return new(true, $"{where} is at it");

        var repository = workspace.Repository;
        var contains = repository.IsAncestor(commit, tip);
        if (contains is null)
        {
            // The tip is not in this clone yet: fetch it (objects only, into git-promote's own namespace), then ask again.
            try
            {
                await client.FetchAsync(remote.Remote, [$"+{refName}:refs/promote/remotes/{GitRecordStore.RefComponent(env.Name)}/deployed"],
                    cancellationToken);
                contains = repository.IsAncestor(commit, tip);
            }
            catch (GitCommandException) { }
        }
        return contains switch
        {
            true => new(true, $"{where} holds it (at {ObjectIds.Short(tip)})"),
            false => new(false, $"{where} is at {ObjectIds.Short(tip)}, which does not hold {shortId}",
                $"record what {env.Name} deployed (git promote record {env.Name} {ObjectIds.Short(tip)}), or push {shortId} to {env.Name} first"),
            null => new(false, $"{where} is at {ObjectIds.Short(tip)}, and this clone cannot tell whether that holds {shortId}" +
                (repository.IsShallow ? " (it is shallow)" : ""),
                repository.IsShallow
                    ? "deepen the clone (git fetch --unshallow), then record again"
                    : $"fetch {env.Name} (git fetch {remote.Argument}), then record again"),
        };
    }
}
