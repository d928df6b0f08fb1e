using GitPromote.Cli.Gate;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote push &lt;env&gt; [&lt;rev&gt;] [--dry-run]</c>: the newest commit that may go to the environment (what
/// <c>status</c> calls "next": green in the previous environment, not revoked there, not behind what it holds), or the
/// one named, pushed to its deploy branch with the refspec git accepts. The first environment takes HEAD by default.
/// </summary>
public static class PushCommand
{
    public static string Usage => CommandDefinitions.Push.Usage;

    public static async Task<int> RunAsync(CommandContext context, IReadOnlyList<string> args)
    {
        var a = ArgumentReader.Parse(args, CommandDefinitions.Push).ExpectAtMost(2, Usage);
        var envName = a.Positional(0) ?? throw CommandFailedException.Usage("which environment?", $"usage: {Usage}");
        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var env = PolicySource.RequireEnvironment(policy, envName);
        using var deadline = new CancellationTokenSource(policy.Timeout);
        var push = await DeployPush.OpenAsync(context, workspace, policy, env, deadline.Token);

        string rev, commit;
        if (a.Positional(1) is { } named)
        {
            rev = named;
            commit = workspace.Repository.ResolveCommit(named) ?? throw CommandFailedException.Usage($"'{Quoting.Show(named)}' is not a commit in this repository");
        }
        else if (policy.PreviousOf(env) is not { } previous)
        {
            (rev, commit) = ("HEAD", workspace.Repository.ResolveCommit("HEAD") ?? throw CommandFailedException.Usage("HEAD is not a commit in this repository"));
        }
        else
        {
            var gatherer = new EvidenceGatherer(workspace.EvidenceProvider(policy));
            var green = gatherer.RecentGreenAsync(previous, deadline.Token);
            var revoked = await gatherer.RevokedCommitsAsync(env, deadline.Token);
            var next = CommitDescriptions.Candidates(workspace.Repository, await green, revoked, push.Tip, max: 1).FirstOrDefault()
                ?? throw new CommandFailedException(ExitCodes.Blocked,
                    $"nothing green in {previous.Name} may go to {env.Name}: every commit green there is revoked in {env.Name}, is what {env.Name}'s " +
                        $"{push.Branch} holds, or is behind it",
                    $"see: git promote status; once {previous.Name}'s pipeline records a newer commit, run this again");
            (rev, commit) = (next.Fact.Commit, next.Fact.Commit);
            context.Console.Out.WriteLine($"next for {env.Name}: {ObjectIds.Short(commit)} {next.Description.Subject}".TrimEnd() +
                $", the newest commit green in {previous.Name} that may go");
        }

        var outcome = await push.JudgeAsync(rev, commit, deadline.Token);
        return await push.SendAsync(outcome, commit, a.Has("--dry-run"), deadline.Token);
    }
}
