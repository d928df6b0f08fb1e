using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote prune &lt;env&gt; [--keep N] [--older-than D] [--dry-run]</c>: keeps an environment's store within its
/// limits (SSM's 10,000 standard parameters, a git server's refs). What is kept is <see cref="Retention"/>'s decision;
/// the commits deployed now are read from the environment's remote after the listing (a rollback during the listing is
/// seen), and when they cannot be, nothing is deleted. A record rewritten after the listing is not deleted: the git store
/// deletes with the object id it listed, the SSM store re-reads each batch's versions first.
/// </summary>
public static class PruneCommand
{
    /// <summary>Prune lists and deletes whole namespaces: far more than a push's budget, still bounded.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var envName = args.Positionals[0];
        var rules = new RetentionRules(args.Get(Options.Keep), args.Get(Options.OlderThan));
        var dryRun = args.Get(Options.DryRun);
        var json = args.Get(Options.Json);
        if (json && !dryRun)
            throw CommandFailedException.Usage("--json describes a dry run: prune prints what it deletes as it goes",
                $"git promote prune {Quoting.Show(envName)} --dry-run --json");
        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var env = PolicySource.RequireEnvironment(policy, envName);
        var output = context.Console.Out;

        using var deadline = new CancellationTokenSource(Budget);
        IPrunableStore? store = null;
        var removed = 0;
        try
        {
            store = workspace.EvidenceProvider(policy).OpenPrunable(env);
            var records = await store.ListRecordsAsync(deadline.Token);
            var deployed = await DeployedCommitsAsync(workspace, policy, env, deadline.Token);
            var plan = Retention.Decide(records, deployed, rules, context.Clock.Now);
            if (json)
            {
                Json.Write(output, new PruneJson(env.Name, store.Label, DryRun: true, records.Count, plan.Delete.Select(r => r.Name).ToList(), plan.Kept,
                    plan.KeptBecause), Json.Types.PruneJson);
                return ExitCodes.Ok;
            }

            var verb = dryRun ? "would delete" : "deleted";
            var deletedNames = new HashSet<string>(StringComparer.Ordinal);
            if (dryRun)
                foreach (var r in plan.Delete) output.WriteLine($"{verb}: {Quoting.Show(r.Name, 1024)}");
            else
                await store.DeleteAsync(plan.Delete, batch =>
                {
                    foreach (var r in batch) output.WriteLine($"{verb}: {Quoting.Show(r.Name, 1024)}");
                    deletedNames.UnionWith(batch.Select(r => r.Name));
                    removed += batch.Count;
                }, deadline.Token);
            if (!dryRun)
                foreach (var r in plan.Delete.Where(r => !deletedNames.Contains(r.Name)))
                    output.WriteLine($"kept: {Quoting.Show(r.Name, 1024)} (written again while prune ran)");

            var reasons = string.Join(", ", plan.KeptBecause.OrderByDescending(p => p.Value).Select(p => $"{p.Value} {p.Key}"));
            var changed = dryRun ? 0 : plan.Delete.Count - removed;
            output.WriteLine($"{env.Name} ({store.Label}): {verb} {plan.Delete.Count - changed} of {records.Count} records; kept " +
                $"{plan.Kept + changed}{(reasons.Length > 0 ? $" ({reasons})" : "")}");
            if (dryRun) output.WriteLine(
                $"  nothing was changed; to delete them: git promote prune {env.Name} --keep {rules.Keep} --older-than {FormatAge(rules.OlderThan)}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (Deadline.Failure(e, deadline.Token, $"the store of {env.Name}", Budget,
                   $"run it again: git promote prune {env.Name} (it goes on from where it stopped)") is { } failure)
        {
            return Failed(context, env.Name, removed, failure);
        }
    }

    private static string FormatAge(TimeSpan age) =>
        age.Ticks % TimeSpan.TicksPerDay == 0 && age > TimeSpan.Zero ? $"{(int)age.TotalDays}d" : DurationParser.Format(age);

    /// <summary>
    /// The commits the environment's deploy branches point at on its remote. Fails closed: when the remote cannot be read,
    /// prune cannot tell what is deployed, so it deletes nothing.
    /// </summary>
    private static async Task<IReadOnlyCollection<string>> DeployedCommitsAsync(Workspace workspace, PromotionPolicy policy, EnvironmentPolicy env,
        CancellationToken cancellationToken)
    {
        var remote = EnvironmentRemote.Resolve(workspace.Repository, env);
        IReadOnlyList<RemoteRef> heads;
        try
        {
            heads = await workspace.Evidence.Remote.ListRefsAsync(remote.Remote, ["refs/heads/"], cancellationToken);
        }
        catch (GitCommandException e)
        {
            throw new EvidenceUnavailableException(new EvidenceFailure($"cannot tell what is deployed in {env.Name}",
                $"{remote.Display} did not answer ({SecretRedactor.RedactUrls(e.Message)})",
                    $"check that the remote answers: git ls-remote {remote.Argument}"));
        }
        return EnvironmentRouter.OnDeployBranches(policy, heads, h => h.Name).Select(h => h.Peeled ?? h.Id).ToList();
    }

    private static int Failed(CommandContext context, string env, int removed, EvidenceFailure failure) =>
        FailureMessage.Print(context.Console, ExitCodes.Blocked,
            $"prune of {env} stopped{(removed > 0 ? $" after deleting {removed} records (listed above)" : "; nothing was deleted")}", failure);
}
