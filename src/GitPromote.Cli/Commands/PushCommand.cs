using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote push &lt;env&gt; [&lt;rev&gt;] [--dry-run]</c>: the newest commit that may go to the environment (what
/// <c>status</c> calls "next": green in the previous environment, not revoked there, not behind what it holds), or the
/// one named, pushed to its deploy branch with the refspec git accepts. The first environment takes HEAD by default.
/// </summary>
public static class PushCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        using var push = await DeployPush.OpenAsync(context, args);
        var (workspace, policy, env) = (push.Workspace, push.Policy, push.Environment);

        string rev, commit;
        if (args.Positional(1) is { } named)
        {
            (rev, commit) = (named, push.Resolve(named));
        }
        else if (policy.PreviousOf(env) is not { } previous)
        {
            (rev, commit) = ("HEAD", push.Resolve("HEAD"));
        }
        else
        {
            var gatherer = workspace.Gate.Gatherer(policy);
            var green = gatherer.RecentGreenAsync(previous, push.Deadline);
            var revoked = await gatherer.RevokedCommitsAsync(env, push.Deadline);
            var next = CommitDescriptions.Candidates(workspace.Repository, await green, revoked, push.Tip, max: 1).FirstOrDefault()
                ?? throw new CommandFailedException(ExitCodes.Blocked,
                    $"nothing green in {previous.Name} may go to {env.Name}: every commit green there is revoked in {env.Name}, is what {env.Name}'s " +
                        $"{push.Branch} holds, or is behind it",
                    $"see: git promote status; once {previous.Name}'s pipeline records a newer commit, run this again");
            (rev, commit) = (next.Fact.Commit, next.Fact.Commit);
            context.Console.Out.WriteLine($"next for {env.Name}: {ObjectIds.Short(commit)} {next.Description.Subject}".TrimEnd() +
                $", the newest commit green in {previous.Name} that may go");
        }

        return await push.SendAsync(await push.JudgeAsync(rev, commit), commit, args.Get(Options.DryRun));
    }
}
