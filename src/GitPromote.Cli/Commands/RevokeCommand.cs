using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote revoke &lt;env&gt; [&lt;rev&gt;] --reason "..."</c>: marks a commit bad in an environment (an alarm fired, a
/// bug was found). It no longer counts as green there, cannot be promoted from there, and cannot be rolled back to there.
/// The revocation stands until <c>git promote record &lt;env&gt; &lt;rev&gt; --force</c> lifts it.
/// </summary>
public static class RevokeCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var reason = args.Get(Options.Reason);
        var target = CommitTarget.Resolve(context, args);
        using var workspace = target.Workspace;
        var (policy, env, commit) = (target.Policy, target.Environment, target.Commit);

        return await StoreWrites.WriteToStoreAsync(context, workspace, policy, env,
            $"could not revoke {ObjectIds.Short(commit)} in {env.Name}", async (provider, token) =>
        {
            var store = provider.OpenReviewStore(env);
            if ((await store.FindReviewsAsync([commit], approvals: false, token)).RevocationOf(commit) is { } standing)
            {
                context.Console.Out.WriteLine($"already revoked: {ObjectIds.Short(commit)} in {env.Name}{StoreWrites.Describe(standing)}; nothing written");
                return ExitCodes.Ok;
            }
            var by = await provider.RecorderAsync(env, workspace.CurrentIdentity(), token);
            await store.RecordRevocationAsync(new Revocation(env.Name, commit, reason, by, context.Clock.Now), token);

            var o = context.Console.Out;
            o.WriteLine($"revoked: {ObjectIds.Short(commit)} in {env.Name} by {by} ({store.Label}): {reason}");
            var next = policy.Environments.ElementAtOrDefault(env.Index + 1);
            o.WriteLine($"  it no longer goes to {env.Name}: no push (promotion or rollback) and no deployment by its pipeline's gate" +
                (next is null ? "" : $", nor is it promoted from {env.Name} to {next.Name}"));
            var (deployed, _) = await workspace.DeployedCommitAsync(env, policy.DefaultBranch(), token);
            if (string.Equals(deployed, commit, StringComparison.OrdinalIgnoreCase))
                o.WriteLine($"  {env.Name}'s {policy.DefaultBranch()} still holds it: roll back with: git promote rollback {env.Name}");
            o.WriteLine($"  once fixed and tested again, lift it with: git promote record {env.Name} {ObjectIds.Short(commit)} --force");
            return ExitCodes.Ok;
        });
    }
}
