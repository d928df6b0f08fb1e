using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote rollback &lt;env&gt; [--to &lt;rev&gt;] [--dry-run]</c>: the article's <c>git push $env $prev_commit</c> as one
/// command. Without <c>--to</c>, the deployment before the current one, from the environment's deployment events: the newest
/// deployed commit that is not the branch's commit, not ahead of it (that would roll forward) and not revoked there (those
/// are named and skipped). The push is judged as the guard judges it, and refused unless it is an allowed rollback.
/// </summary>
public static class RollbackCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        using var push = await DeployPush.OpenAsync(context, args);
        var env = push.Environment;
        var tip = push.Tip ?? throw new CommandFailedException(ExitCodes.Blocked, $"{env.Name}'s {push.Branch} does not exist yet: nothing to roll back",
            "see: git promote status");

        var to = args.Get(Options.To);
        var commit = to is not null ? push.Resolve(to) : await PreviousDeploymentAsync(context, push, tip);
        if (string.Equals(commit, tip, StringComparison.OrdinalIgnoreCase))
            throw new CommandFailedException(ExitCodes.Blocked, $"{env.Name}'s {push.Branch} is at {ObjectIds.Short(commit)} already: nothing to roll back");

        var outcome = await push.JudgeAsync(to ?? commit, commit);
        if (outcome.Verdict.Refs[0].Kind is VerdictKind.Promoted or VerdictKind.AllowedOnError)
            throw new CommandFailedException(ExitCodes.Blocked,
                $"{ObjectIds.Short(commit)} would not be a rollback of {env.Name}: it was never green there, or it is ahead of what {push.Branch} holds",
                $"to send it as a promotion: git promote push {env.Name} {ObjectIds.Short(commit)}");
        return await push.SendAsync(outcome, commit, args.Get(Options.DryRun));
    }

    /// <summary>
    /// The deployment before the current one: newest first, the first deployed commit that is not the tip, not a descendant
    /// of it (going there rolls forward) and not revoked here. Revoked ones are named as they are skipped.
    /// </summary>
    private static async Task<string> PreviousDeploymentAsync(CommandContext context, DeployPush push, string tip)
    {
        var (workspace, policy, env, deadline) = (push.Workspace, push.Policy, push.Environment, push.Deadline);
        var provider = workspace.EvidenceProvider(policy);
        IReadOnlyList<DeploymentEvent> events;
        IReadOnlyList<Revocation> revocations;
        try
        {
            var store = provider.OpenStore(env);
            if (!store.KeepsDeployments)
                throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{env.Name}'s store keeps no deployment events", "name the commit: --to <rev>");
            // Every event's own time (to the millisecond): names say the second only, and two deployments in one second
            // would otherwise be ordered by their commit ids.
            var eventsTask = store.ListDeploymentsAsync(DateTimeOffset.MinValue, deadline);
            revocations = await provider.OpenReviewStore(env).ListRevocationsAsync(deadline);
            events = await eventsTask;
        }
        catch (Exception e) when (Deadline.Failure(e, deadline, $"the deployment events of {env.Name}", policy.Timeout) is { } failure)
        {
            throw new CommandFailedException(ExitCodes.Blocked, $"could not read the deployments of {env.Name}: {failure.What}: {failure.Why}", failure.Todo);
        }
        var revoked = revocations.Select(r => r.Commit).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var repository = workspace.Repository;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { tip };
        foreach (var deployed in events.OrderByDescending(e => e.At))
        {
            if (!seen.Add(deployed.Commit)) continue;
            if (revoked.Contains(deployed.Commit))
            {
                context.Console.Out.WriteLine(
                    $"skipped: {ObjectIds.Short(deployed.Commit)}, deployed to {env.Name} at {Time.Utc(deployed.At)}, is revoked there");
                continue;
            }
            if (repository.IsAncestor(tip, deployed.Commit) == true) continue;
            context.Console.Out.WriteLine($"rollback of {env.Name}: to {ObjectIds.Short(deployed.Commit)}, deployed there at {Time.Utc(deployed.At)} " +
                $"({DeploymentKinds.Name(deployed.Kind)}), before {ObjectIds.Short(tip)}");
            return deployed.Commit;
        }
        throw new CommandFailedException(ExitCodes.Blocked,
            events.Count == 0
                ? $"{env.Name} has no deployment events to roll back to"
                : $"no earlier deployment of {env.Name} to roll back to: every one is {ObjectIds.Short(tip)}, ahead of it, or revoked",
            "name the commit: git promote rollback " + env.Name + " --to <rev>");
    }
}
