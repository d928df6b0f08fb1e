using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote record &lt;env&gt; [&lt;rev&gt;] [--force]</c>: the last step of an environment's pipeline marks the commit
/// green. Only a commit the environment deployed: the one this pipeline run fetched, or one its deploy branch holds
/// (<see cref="DeploymentProofs"/>). A commit it was not seen deploying, or one revoked there, is refused unless
/// <c>--force</c>, which records anyway (the records say it was forced, and why) and lifts a revocation (kept for the audit).
/// Works in a pipeline with no clone, as the gate does: the commit from <c>--commit</c> or the CI's variable, the policy
/// pinned with <c>--policy</c> (or PROMOTE_POLICY), per-environment credentials with <c>--role</c>, remotes with <c>--remote</c>.
/// </summary>
public static class RecordCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var target = await PipelineTarget.ResolveAsync(context, args, pinnedOnly: false, rev: args.Positional(1));
        using var workspace = target.Workspace;
        var (policy, env, commit) = (target.Policy, target.Environment, target.Commit);
        if (workspace.IsScratch && !env.StoresInSsm)
            throw CommandFailedException.Usage($"{env.Name} keeps its records in git, as tags on the commit, which needs a clone of it",
                $"run this step in a clone (git clone, then git promote record {env.Name} <sha>), or give {env.Name} `- ssm: {{}}` evidence");

        return await StoreWrites.WriteToStoreAsync(context, workspace, policy, env,
            $"could not record {ObjectIds.Short(commit)} as green in {env.Name}", async (provider, token) =>
        {
            var force = args.Get(Options.Force);
            var shortId = ObjectIds.Short(commit);
            var proof = await DeploymentProofs.ProveAsync(workspace, context.Environment, policy, env, commit, token);
            if (!proof.Deployed && !force)
            {
                return FailureMessage.Print(context.Console, ExitCodes.Blocked, $"not recorded: {env.Name} was not seen deploying {shortId}",
                    proof.Says, $"what to do: {proof.Todo ?? $"push {shortId} to {env.Name} first"}",
                    $"if {env.Name} did deploy it in a way this cannot see: git promote record {env.Name} {shortId} --force (the record says it was forced)");
            }
            // What --force set aside, kept in the records (green and the deployment event): status, audit and history show it.
            var forced = proof.Deployed ? null : proof.Says;

            var store = provider.OpenStore(env);
            var by = await provider.RecorderAsync(env, workspace.CurrentIdentity(), token);
            var now = context.Clock.Now;
            var kind = await DeploymentKindAsync(context, workspace, policy, provider, store, env, commit, now, token);
            if (await RevocationOfAsync(context, provider, env, commit, token) is { } revocation)
            {
                if (!force)
                {
                    return FailureMessage.Print(context.Console, ExitCodes.Blocked,
                        $"{shortId} is revoked in {env.Name}{StoreWrites.Describe(revocation)}",
                        "recording it green would not make it promotable; if it was fixed and tested again, lift the revocation:",
                        $"git promote record {env.Name} {shortId} --force");
                }
                // Green first: if that write fails, the revocation still stands (never lifted without green).
                await store.RecordGreenAsync(commit, by, now, token, forced);
                await provider.OpenReviewStore(env).LiftRevocationAsync(revocation, by, now, token);
                context.Console.Out.WriteLine(
                    $"lifted: the revocation of {shortId} in {env.Name}{StoreWrites.Describe(revocation)} (kept in git promote audit)");
            }
            else
            {
                await store.RecordGreenAsync(commit, by, now, token, forced);
            }
            context.Console.Out.WriteLine(forced is null
                ? $"recorded: {shortId} is green in {env.Name} ({store.Label}); deployed: {proof.Says}"
                : $"recorded with --force: {shortId} is green in {env.Name} ({store.Label}), though {forced}; the record says so");
            // Which account it went to: a pipeline's role may stand in for the policy's profile (docs/aws.md).
            if (await provider.DescribeWhereAsync(env, token) is { } where)
                context.Console.Out.WriteLine($"  in {Quoting.OneLine(where.Description)}");
            if (kind is { } k)
                await WriteDeploymentAsync(context, store, new DeploymentEvent(env.Name, commit, now, by, k.Kind)
                {
                    Forced = forced,
                    Bypass = k.Bypass?.Id,
                }, k.Bypass, k.SetAside, token);
            return ExitCodes.Ok;
        });
    }

    /// <summary>
    /// What this deployment is (forward, rollback, redeploy, bypass), read before green is written: the environment's
    /// events, whether the commit was green there, and its bypasses. A bypass of the commit that no deployment used yet
    /// (<see cref="BypassUse"/>, with the policy's justification rule, as the gate chose it) makes a bypass, and this deployment
    /// uses it up: its event names it; the bypasses of the commit it may not use (already used, dated in the future or before the
    /// commit, not accepted) are named. Null (no event, said) when the store keeps no events or cannot say: green is what
    /// gates read, so recording it never waits on the history.
    /// </summary>
    private static async Task<(DeploymentKind Kind, BypassRecord? Bypass, IReadOnlyList<SetAsideBypass> SetAside)?> DeploymentKindAsync(
        CommandContext context, Workspace workspace,
        Core.Policy.PromotionPolicy policy, IEvidenceStores provider, IRecordStore store, Core.Policy.EnvironmentPolicy env, string commit,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!store.KeepsDeployments) return null;
        try
        {
            var bypasses = (await store.ListBypassesAsync(cancellationToken))
                .Where(b => string.Equals(b.Commit, commit, StringComparison.OrdinalIgnoreCase)).ToList();
            // Without bypasses names are enough: the kind depends on when and what was deployed (the listing reads the newest
            // second's bodies, so two events in that second are in their order). With them, the bodies of the events that may
            // have used one (a day of clock skew before the oldest) say which did.
            var detailsSince = bypasses.Count == 0 ? DateTimeOffset.MaxValue : bypasses.Min(b => b.At).AddDays(-1);
            var earlier = await store.ListDeploymentsAsync(detailsSince, cancellationToken);
            var greenBefore = env.StoreEvidence is { } source
                && (await provider.OpenReader(env, source).FindGreenAsync([commit], cancellationToken)).Count > 0;
            var choice = BypassUse.Find(bypasses, env.Name, commit, earlier, now, CommitTime(workspace, commit), policy.Bypass.Accepts);
            return (DeploymentKinds.Decide(commit, earlier, greenBefore, usesBypass: choice.Usable is not null), choice.Usable, choice.SetAside);
        }
        catch (EvidenceUnavailableException e)
        {
            context.Console.Error.WriteLine($"git-promote: warning: no deployment event for this run: the events of {env.Name} could not be read " +
                $"({e.Failure.Why}); git promote history will miss it");
            return null;
        }
    }

    /// <summary>The commit's committer time, when this workspace has the commit (a step without a clone does not).</summary>
    internal static DateTimeOffset? CommitTime(Workspace workspace, string commit)
    {
        if (workspace.IsScratch) return null;
        try
        {
            return workspace.Repository.ReadCommit(commit)?.CommitTime;
        }
        catch (Git.GitCommandException)
        {
            return null;
        }
    }

    private static async Task WriteDeploymentAsync(CommandContext context, IRecordStore store, DeploymentEvent deployment, BypassRecord? bypass,
        IReadOnlyList<SetAsideBypass> setAside, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordDeploymentAsync(deployment, cancellationToken);
            context.Console.Out.WriteLine($"recorded: a deployment of {ObjectIds.Short(deployment.Commit)} to {deployment.Environment} " +
                $"({DeploymentKinds.Name(deployment.Kind)}{(deployment.Forced is null ? "" : ", forced")})");
            if (bypass is not null)
                context.Console.Out.WriteLine($"  it used the bypass \"{Core.Policy.Quoting.Show(bypass.Justification, 120)}\" by " +
                    $"{Core.Policy.Quoting.Show(bypass.By.ToString(), 120)} at {Core.Engine.Time.Utc(bypass.At)}: a later deployment of " +
                    $"{ObjectIds.Short(deployment.Commit)} to {deployment.Environment} needs its own");
            // Why a bypass record of this commit did not make this deployment a bypass (a planted date, one used already).
            foreach (var aside in setAside) context.Console.Out.WriteLine($"  set aside: {BypassUse.Describe(aside)}");
        }
        catch (EvidenceUnavailableException e)
        {
            context.Console.Error.WriteLine($"git-promote: warning: the deployment event of {ObjectIds.Short(deployment.Commit)} could not be written " +
                $"({e.Failure.Why}); git promote history will miss it" + (bypass is null ? "" : ", and the bypass it used stays usable"));
        }
    }

    /// <summary>
    /// The standing revocation of the commit, if any. When the store cannot say, recording goes ahead: a revocation that
    /// exists keeps refusing the commit whatever green says, so nothing is let through by not knowing here.
    /// </summary>
    private static async Task<Revocation?> RevocationOfAsync(CommandContext context, IEvidenceStores provider,
        Core.Policy.EnvironmentPolicy env, string commit, CancellationToken cancellationToken)
    {
        try
        {
            return (await provider.OpenReviewStore(env).FindReviewsAsync([commit], approvals: false, cancellationToken)).RevocationOf(commit);
        }
        catch (EvidenceUnavailableException e)
        {
            context.Console.Error.WriteLine(
                $"git-promote: warning: could not check whether {ObjectIds.Short(commit)} is revoked in {env.Name} ({e.Failure.Why})");
            return null;
        }
    }
}
