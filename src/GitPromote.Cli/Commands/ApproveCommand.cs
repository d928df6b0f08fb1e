using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote approve &lt;env&gt; [&lt;rev&gt;] [--comment ...]</c>: records the caller's approval of a commit for an
/// environment, in that environment's store, under the caller's identity (the AWS caller for SSM stores, git's
/// user.email for git stores). Approving again replaces one's own approval in a git store; in SSM the first approval stands (written once).
/// </summary>
public static class ApproveCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var comment = args.Get(Options.Comment);
        var target = CommitTarget.Resolve(context, args);
        using var workspace = target.Workspace;
        var (policy, env, commit) = (target.Policy, target.Environment, target.Commit);
        if (env.RequiredApprovals == 0)
        {
            // Nothing to wait for, and a guarded server would refuse a record nobody asked for: say so instead.
            context.Console.Out.WriteLine($"{env.Name} needs no approvals (no approvals: {{ required: N }} for it in " +
                $"{Core.Policy.PromotionPolicy.FileName}): nothing recorded; a push of {ObjectIds.Short(commit)} there waits for no one");
            return ExitCodes.Ok;
        }

        return await StoreWrites.WriteToStoreAsync(context, workspace, policy, env,
            $"could not record the approval of {ObjectIds.Short(commit)} for {env.Name}", async (provider, token) =>
        {
            var store = provider.OpenReviewStore(env);
            var by = await provider.RecorderAsync(env, workspace.CurrentIdentity(), token);
            // In SSM an approval is written once (never overwritten, so nobody can rewrite it): a second one finds the first standing.
            if (env.StoresInSsm && (await store.FindReviewsAsync([commit], approvals: true, token)).ApprovalsOf(commit)
                    .FirstOrDefault(x => x.ApproverId == ApproverIds.Of(by)) is { } earlier)
            {
                context.Console.Out.WriteLine($"already approved: {ObjectIds.Short(commit)} for {env.Name} by {earlier.Who}" +
                    (earlier.At is { } at ? $" at {Core.Engine.Time.Utc(at)}" : "") + $" ({store.Label}); an approval is written once, so that one stands");
                return ExitCodes.Ok;
            }
            await store.RecordApprovalAsync(new Approval(env.Name, commit, ApproverIds.Of(by), by, context.Clock.Now, comment), token);
            context.Console.Out.WriteLine($"approved: {ObjectIds.Short(commit)} for {env.Name} by {by} ({store.Label})");

            var all = (await store.FindReviewsAsync([commit], approvals: true, token)).ApprovalsOf(commit);
            var required = env.RequiredApprovals;
            context.Console.Out.WriteLine($"  {all.Count} approval{(all.Count == 1 ? "" : "s")} of {ObjectIds.Short(commit)} for {env.Name} " +
                $"({string.Join(", ", all.Select(x => x.Who))}); a push needs {required} from people other than the one pushing");
            return ExitCodes.Ok;
        });
    }
}
