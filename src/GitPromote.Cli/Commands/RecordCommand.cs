using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Cli.Output;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote record &lt;env&gt; [&lt;rev&gt;] [--force]</c>: the last step of an environment's pipeline marks the commit
/// green. A commit revoked there is refused unless <c>--force</c>, which lifts the revocation (kept for the audit) first.
/// Works in a pipeline with no clone, as the gate does: the commit from <c>--commit</c> or the CI's variable, the policy
/// pinned with <c>--policy</c> (or PROMOTE_POLICY), per-environment credentials with <c>--role</c>.
/// </summary>
public static class RecordCommand
{
    public const string Usage =
        "git promote record <env> [<rev>] [--force] [--commit <sha>] [--policy FILE|ssm:NAME] [--role <env>=<role-arn>]... [--remote <env>=<url>]...";

    public static async Task<int> RunAsync(CommandContext context, IReadOnlyList<string> args)
    {
        var a = ArgumentReader.Parse(args, ["--force"], PipelineTarget.Options).ExpectAtMost(2, Usage);
        var target = await PipelineTarget.ResolveAsync(context, a, Usage, pinnedOnly: false, rev: a.Positional(1));
        using var workspace = target.Workspace;
        var (policy, env, commit) = (target.Policy, target.Environment, target.Commit);
        if (workspace.IsScratch && !env.StoresInSsm)
            throw CommandFailedException.Usage($"{env.Name} keeps its records in git, as tags on the commit, which needs a clone of it",
                $"run this step in a clone (git clone, then git promote record {env.Name} <sha>), or give {env.Name} `- ssm: {{}}` evidence");

        return await StoreWrites.WriteToStoreAsync(context, workspace, policy, env,
            $"could not record {ObjectIds.Short(commit)} as green in {env.Name}", async (provider, token) =>
        {
            var store = provider.OpenStore(env);
            var by = await provider.RecorderAsync(env, workspace.CurrentIdentity(), token);
            if (await RevocationOfAsync(context, provider, env, commit, token) is { } revocation)
            {
                if (!a.Has("--force"))
                {
                    return FailureMessage.Print(context.Console, ExitCodes.Blocked, $"{ObjectIds.Short(commit)} is revoked in {env.Name}{StoreWrites.Describe(revocation)}",
                        "recording it green would not make it promotable; if it was fixed and tested again, lift the revocation:",
                        $"git promote record {env.Name} {ObjectIds.Short(commit)} --force");
                }
                // Green first: if that write fails, the revocation still stands (never lifted without green).
                await store.RecordGreenAsync(commit, by, context.Clock.Now, token);
                await ((IEvidenceProvider)provider).OpenReviewStore(env).LiftRevocationAsync(revocation, by, context.Clock.Now, token);
                context.Console.Out.WriteLine($"lifted: the revocation of {ObjectIds.Short(commit)} in {env.Name}{StoreWrites.Describe(revocation)} (kept in git promote audit)");
            }
            else
            {
                await store.RecordGreenAsync(commit, by, context.Clock.Now, token);
            }
            context.Console.Out.WriteLine($"recorded: {ObjectIds.Short(commit)} is green in {env.Name} ({store.Label})");
            return ExitCodes.Ok;
        });
    }

    /// <summary>
    /// The standing revocation of the commit, if any. When the store cannot say, recording goes ahead: a revocation that
    /// exists keeps refusing the commit whatever green says, so nothing is let through by not knowing here.
    /// </summary>
    private static async Task<Revocation?> RevocationOfAsync(CommandContext context, CompositeEvidenceProvider provider,
        Core.Policy.EnvironmentPolicy env, string commit, CancellationToken cancellationToken)
    {
        try
        {
            return (await ((IEvidenceProvider)provider).OpenReviewStore(env).FindReviewsAsync([commit], approvals: false, cancellationToken)).RevocationOf(commit);
        }
        catch (EvidenceUnavailableException e)
        {
            context.Console.Error.WriteLine($"git-promote: warning: could not check whether {ObjectIds.Short(commit)} is revoked in {env.Name} ({e.Failure.Why})");
            return null;
        }
    }
}
