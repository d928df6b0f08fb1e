using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Gate;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// One commit pushed to an environment's deploy branch for the user (<c>git promote push</c>, <c>git promote rollback</c>):
/// judged first as the guard will judge it, then sent with the refspec git accepts (the full ref name, and a lease on
/// the branch's current commit when it is not a fast-forward). The guard in the pre-push hook judges the real push again.
/// </summary>
internal sealed class DeployPush : IDisposable
{
    private readonly CommandContext _context;
    private readonly CancellationTokenSource _deadline;

    private DeployPush(CommandContext context, Workspace workspace, PromotionPolicy policy, EnvironmentPolicy env, CancellationTokenSource deadline)
    {
        (_context, Workspace, Policy, Environment, _deadline) = (context, workspace, policy, env, deadline);
    }

    public Workspace Workspace { get; }
    public PromotionPolicy Policy { get; }
    public EnvironmentPolicy Environment { get; }

    /// <summary>The policy's timeout, for every read this push makes before git pushes.</summary>
    public CancellationToken Deadline => _deadline.Token;

    /// <summary>The environment's remote, as the records and the push reach it.</summary>
    public EnvironmentRemote Remote { get; private set; } = null!;

    /// <summary>What the deploy branch holds there now; null when it does not exist yet.</summary>
    public string? Tip { get; private set; }

    public string Branch => Policy.DefaultBranch();

    /// <summary>
    /// The clone, its policy, the environment its first argument names, that environment's remote and what its deploy
    /// branch holds; a usage error saying why when they cannot be known. The caller disposes it.
    /// </summary>
    public static async Task<DeployPush> OpenAsync(CommandContext context, CommandLine args)
    {
        var envName = args.Positionals[0];
        var workspace = Workspace.Find(context);
        CancellationTokenSource? deadline = null;
        try
        {
            var policy = workspace.RequirePolicy().Policy;
            var env = PolicySource.RequireEnvironment(policy, envName);
            deadline = new CancellationTokenSource(policy.Timeout);
            var push = new DeployPush(context, workspace, policy, env, deadline);
            await push.ReadRemoteAsync();
            return push;
        }
        catch
        {
            deadline?.Dispose();
            workspace.Dispose();
            throw;
        }
    }

    private async Task ReadRemoteAsync()
    {
        try
        {
            Remote = EnvironmentRemote.Resolve(Workspace.Repository, Environment);
        }
        catch (EvidenceUnavailableException e)
        {
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{e.Failure.What}: {e.Failure.Why}", e.Failure.Todo);
        }
        var (tip, problem) = await Workspace.DeployedCommitAsync(Environment, Branch, Deadline);
        if (tip is null && problem is not "nothing deployed yet")
            throw new CommandFailedException(ExitCodes.Blocked, $"could not read {Environment.Name}'s {Branch} from {Remote.Display}: {problem}",
                $"check that it answers: git ls-remote {Remote.Argument} refs/heads/{Branch}");
        Tip = tip;
    }

    /// <summary>A commit this clone has, or a usage error.</summary>
    public string Resolve(string rev) =>
        Workspace.Repository.ResolveCommit(rev) ?? throw CommandFailedException.Usage($"'{Quoting.Show(rev)}' is not a commit in this repository");

    public void Dispose()
    {
        _deadline.Dispose();
        Workspace.Dispose();
    }

    /// <summary>The guard's verdict on a push of <paramref name="commit"/> to the deploy branch as it stands now.</summary>
    public Task<GateAnswer> JudgeAsync(string rev, string commit) =>
        Workspace.Gate.DecideAsync(GateRequest.Check(Policy, Environment, rev, commit, Tip, Workspace.CurrentIdentity), Deadline);

    /// <summary>
    /// The arguments of the <c>git push</c> that sends <paramref name="commit"/>; <paramref name="shown"/> names the remote
    /// without credentials.
    /// </summary>
    public IReadOnlyList<string> PushArguments(string commit, bool shown)
    {
        var remote = shown ? Remote.Argument : Remote.Remote;
        var fastForward = Tip is null || Workspace.Repository.IsAncestor(Tip, commit) == true;
        return fastForward
            ? ["push", remote, $"{commit}:refs/heads/{Branch}"]
            : ["push", $"--force-with-lease=refs/heads/{Branch}:{Tip}", remote, $"{commit}:refs/heads/{Branch}"];
    }

    /// <summary>
    /// Prints the verdict, then (unless <paramref name="dryRun"/>) runs the push, its output passed on. Refused: nothing is
    /// pushed, exit 1, unless a bypass is set (PROMOTE_BYPASS): the hook then judges the push and records the bypass.
    /// </summary>
    public async Task<int> SendAsync(GateAnswer outcome, string commit, bool dryRun)
    {
        var style = new Style(_context.Console.ColorOnOut);
        var verdict = outcome.Verdict;
        var bypass = HookCommand.BypassJustification(_context);
        var shownCommand = "git " + string.Join(' ', PushArguments(commit, shown: true).Select(Show));
        if (!verdict.IsAllowed)
        {
            _context.Console.Error.Write(new VerdictRenderer(new Style(_context.Console.ColorOnError)).Render(verdict, outcome.RecentGreen,
                HookCommand.ClientBypassHint(Remote.Argument), outcome.SuggestedPush, lookedIn: outcome.LookedIn));
            if (bypass is null)
            {
                _context.Console.Out.WriteLine($"not pushed{(dryRun ? " (dry run)" : "")}: the guard would refuse it");
                return ExitCodes.Blocked;
            }
            _context.Console.Out.WriteLine(
                $"pushing under the bypass you set ({Core.Settings.PromoteSettings.Variables.Bypass}): the pre-push hook judges it and records the bypass");
        }
        else
        {
            _context.Console.Out.WriteLine(Allowed(verdict.Refs[0], commit));
        }
        if (dryRun)
        {
            _context.Console.Out.WriteLine($"dry run: would run: {style.Bold(shownCommand)}");
            return verdict.IsAllowed ? ExitCodes.Ok : ExitCodes.Blocked;
        }

        _context.Console.Out.WriteLine($"running: {shownCommand}");
        GitResult result;
        // A push may move many objects: its own bound, far above the evidence's (a push that hangs still ends).
        using var pushDeadline = new CancellationTokenSource(PushLimit);
        try
        {
            result = await _context.Git.Process.RunAsync(Workspace.WorkTree ?? Workspace.GitDir, PushArguments(commit, shown: false), null,
                pushDeadline.Token);
        }
        catch (Exception e) when (Core.Evidence.Deadline.Passed(e, pushDeadline.Token))
        {
            return FailureMessage.Print(_context.Console, ExitCodes.Blocked, $"git push did not finish within {PushLimit.TotalMinutes:0} minutes",
                $"check that {Remote.Display} answers, then run it again");
        }
        _context.Console.Error.Write(Remote.Scrub(result.StdoutText + result.Stderr));
        if (!result.Succeeded)
            return FailureMessage.Print(_context.Console, ExitCodes.Blocked, $"git push to {Remote.Display} failed (exit {result.ExitCode}): see above");
        _context.Console.Out.WriteLine($"pushed: {Environment.Name}'s {Branch} is at {ObjectIds.Short(commit)}" +
            (Tip is null ? "" : $" (was {ObjectIds.Short(Tip)})"));
        return ExitCodes.Ok;
    }

    private static readonly TimeSpan PushLimit = TimeSpan.FromMinutes(10);

    private string Allowed(RefVerdict r, string commit)
    {
        var target = $"{Environment.Name}/{Branch} <- {ObjectIds.Short(commit)}";
        return r.Kind switch
        {
            VerdictKind.Rollback => $"the guard allows it: rollback {target} (green in {Environment.Name} before)",
            VerdictKind.Promoted => $"the guard allows it: {target}, green in {Policy.PreviousOf(Environment)?.Name} ({r.Evidence?.Source})",
            VerdictKind.AllowedOnError => $"the guard allows it without evidence (on_error: allow): {target}",
            _ => $"the guard does not check it: {Environment.Name} is the first environment ({target})",
        };
    }

    /// <summary>An argument as a shell would need it written: quoted when it holds anything but plain characters.</summary>
    private static string Show(string argument) =>
        argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or '+' or ',') ? argument : $"'{argument}'";
}
