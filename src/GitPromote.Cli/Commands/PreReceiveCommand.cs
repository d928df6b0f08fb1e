using GitPromote.Cli.Gate;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Output;
using GitPromote.Cli.Server;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Core.Server;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote hook pre-receive</c>: the server guard, run by git in a bare repository with the push's ref updates
/// on stdin and its objects in quarantine. Same engine, gate and messages as the client; everything it prints goes to
/// stderr, which git relays to the pusher as <c>remote:</c> lines. Any exit but 0 refuses the whole push.
/// </summary>
public static class PreReceiveCommand
{
    public static string Usage => CommandDefinitions.HookPreReceive.Usage;

    public static async Task<int> RunAsync(CommandContext context)
    {
        var error = context.Console.Error;
        var input = await HookCommand.ReadBoundedAsync(context.Console.OpenStandardInput(), HookCommand.MaxInputBytes);
        if (input is null)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"the hook input is larger than {HookCommand.MaxInputBytes >> 20} MiB");
        var parsed = HookInputParser.ParsePreReceive(input.Text);
        if (parsed.Error is not null)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"cannot read the push from git (hook input {parsed.Error})");

        using var workspace = Workspace.Find(context);
        var repository = workspace.Repository;
        var settings = ServerSettings.Read(repository);
        if (settings.Environment is not { } envName)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"this repository's guard is not configured (git config {ServerSettings.EnvironmentKey})",
                "the server admin runs: git promote install --server --env <env>");

        var pusher = Pusher.From(context.Environment);
        if (PushedRecords.Judge(parsed.Updates, envName, pusher, settings.Recorders, new RepositoryRecordTags(repository)) is { } refused)
            return Refuse(context, ExitCodes.Blocked, refused.Why, refused.Todo);

        // The repository's own pre-receive (kept as pre-receive.local by the installer) decides first: a bypass is
        // recorded only when nothing after this guard can still refuse the push.
        var kept = Path.Combine(workspace.GitDir, "hooks", ServerInstall.KeptHookName);
        var chained = await new HookChain(() => HookChain.IsRunnable(kept) ? [new ChainedHook(kept, ChainSource.LocalSuffix)] : []).RunAsync([], input.Bytes);
        if (chained != 0) return chained;

        var trusted = ServerPolicySource.Load(repository, settings, PolicySource.DefaultName(workspace.GitDir));
        if (trusted.Loaded is not { } loaded)
            return Refuse(context, ExitCodes.Blocked, trusted.Problem!, trusted.Todo);
        var policy = loaded.Policy;
        var target = policy.FindEnvironment(envName);
        if (target is null)
            return Refuse(context, ExitCodes.UsageOrPolicy, $"this repository is environment '{envName}', which {loaded.DisplayPath} does not define",
                $"environments there: {string.Join(", ", policy.Environments.Select(e => e.Name))}");

        if (!parsed.Updates.Any(u => EnvironmentRouter.IsDeployBranch(policy, u.RemoteRef)) || policy.PreviousOf(target) is null) return ExitCodes.Ok;

        // The pusher's remote name is unknown here; the environment's name is what most clones call it.
        var request = new PushRequest(target.Name, workspace.GitDir, PushedCommits.Peel(policy, parsed.Updates, repository));
        var plan = PromotionEngine.PlanFor(policy, request, target);
        var bypass = PushOptions.BypassJustification(PushOptions.Read(context.Environment));
        // Approvals in git stores are keyed by email: only a server that names the pusher by email can tell theirs apart
        // (else, and for SSM stores keyed by AWS callers, the approvals rule refuses rather than guess).
        var push = new PushContext(pusher, context.Clock.Now, bypass)
        {
            StoreIdentity = target.RequiredApprovals > 0 && !target.StoresInSsm && pusher.Email.Length > 0 ? pusher : null,
        };

        using var deadline = new CancellationTokenSource(settings.BudgetFor(policy));
        // A bypass becomes a record only when git updates the ref (reference-transaction); here it is a pending entry.
        var pending = new PendingRecords(workspace.GitDir, Quarantine.From(context.Environment).Outside(GitProcess.Default));
        var provider = new ServerEvidenceProvider(workspace.EvidenceProvider(policy, inQuarantine: true), target,
            new LocalGreenReader(workspace.GitDir, target, GitProcess.Default),
            new PendingRecordStore(pending, target, PushOwner.OfThisPush, () => ConfirmHookInstalled(workspace.GitDir), context.Environment.Get("GIT_NAMESPACE")),
            new LocalReviewStore(repository, target));
        var gate = new PushGate(provider, workspace.Cache(policy), repository);
        var result = await gate.DecideAsync(policy, request, plan, push, deadline.Token);

        var renderer = new VerdictRenderer(new Style(context.Console.ColorOnError));
        error.Write(renderer.Render(result.Verdict, result.RecentGreen, BypassHint(target.Name)));
        return result.Verdict.IsAllowed ? ExitCodes.Ok : ExitCodes.Blocked;
    }

    public static BypassHint BypassHint(string remoteName) =>
        new($"git push -o {PushOptions.BypassKey}=\"{{justification}}\" {remoteName} ...");

    /// <summary>True when git will run git-promote's reference-transaction hook in this repository (hooks/ or core.hooksPath).</summary>
    private static bool ConfirmHookInstalled(string gitDir)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var r = GitProcess.Default.Run(gitDir, ["--git-dir=" + gitDir, "rev-parse", "--git-path", "hooks/" + ServerInstall.ConfirmHookName], null, deadline.Token);
        if (r.ExitCode != 0) return false;
        var path = Path.GetFullPath(r.StdoutText.Trim(), gitDir);
        return ServerInstall.IsConfirmHook(path);
    }

    private static int Refuse(CommandContext context, int exitCode, string why, string? todo = null) =>
        FailureMessage.Print(context.Console, exitCode, $"push refused: {why}", todo);
}
