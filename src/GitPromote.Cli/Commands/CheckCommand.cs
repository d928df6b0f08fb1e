using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Push;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote check &lt;env&gt; [&lt;rev&gt;]</c>: would a push of this commit to that environment go through?</summary>
public static class CheckCommand
{
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        var resolved = CommitTarget.Resolve(context, args);
        using var workspace = resolved.Workspace;
        var (policy, target, rev, commit) = (resolved.Policy, resolved.Environment, resolved.Rev, resolved.Commit);

        using var deadline = new CancellationTokenSource(policy.Timeout);
        // Judged as the push would be: against what the deploy branch holds there (an older commit is a rollback).
        var (tip, _) = policy.PreviousOf(target) is null ? (null, null) : await workspace.DeployedCommitAsync(target, policy.DefaultBranch(), deadline.Token);
        var result = await workspace.Gate.DecideAsync(GateRequest.Check(policy, target, rev, commit, tip, workspace.CurrentIdentity), deadline.Token);
        var verdict = result.Verdict;
        var refVerdict = verdict.Refs[0];

        if (args.Get(Options.Json))
        {
            Json.Write(context.Console.Out,
                new VerdictJson(target.Name, commit, verdict.IsAllowed, VerdictWords.Outcome(refVerdict.Kind), VerdictWords.Reason(refVerdict.Reason),
                VerdictMessage.Of(refVerdict, target.Name, policy.PreviousOf(target)?.Name), refVerdict.Evidence?.Source,
                    RuleCheckJson.From(refVerdict.Checks)),
                Json.Types.VerdictJson);
        }
        else if (refVerdict.Kind == VerdictKind.Unguarded)
        {
            context.Console.Out.WriteLine($"{ObjectIds.Short(commit)} may go to {target.Name}: {target.Name} is the first environment, it has no gate");
        }
        else if (args.Get(Options.Explain))
        {
            context.Console.Out.Write(new Checklist(new Style(context.Console.ColorOnOut)).Render(verdict, refVerdict, policy.PreviousOf(target)!.Name));
        }
        else
        {
            var renderer = new VerdictRenderer(new Style(context.Console.ColorOnOut));
            var hint = HookCommand.ClientBypassHint(verdict.Request.RemoteName);
            context.Console.Out.Write(renderer.Render(verdict, result.RecentGreen, hint, result.SuggestedPush, lookedIn: result.LookedIn));
        }
        return verdict.IsAllowed ? ExitCodes.Ok : ExitCodes.Blocked;
    }
}
