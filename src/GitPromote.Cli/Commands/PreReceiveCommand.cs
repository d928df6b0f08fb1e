using GitPromote.Cli.Hooks;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Output;
using GitPromote.Cli.Server;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Core.Server;
using GitPromote.Core.Settings;
using GitPromote.Gate;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote hook pre-receive</c>: the server guard, run by git in a bare repository with the push's ref updates
/// on stdin and its objects in quarantine. Same engine, gate and messages as the client; everything it prints goes to
/// stderr, which git relays to the pusher as <c>remote:</c> lines. Any exit but 0 refuses the whole push.
/// </summary>
public static class PreReceiveCommand
{
    public static Task<int> RunAsync(CommandContext context) => HookPipeline.RunAsync(context, new ServerSide(context));

    /// <summary>
    /// pre-receive: the environment the admin named, who may write which records, the repository's own pre-receive
    /// first, the trusted policy, and the evidence in this repository (a bypass is a pending entry until git updates the ref).
    /// </summary>
    private sealed class ServerSide(CommandContext context) : IHookSide
    {
        // Exact: what the rules compare (promote.recorders); _pusher: the same cleaned, for messages and the records the guard writes.
        private readonly PusherSource _source = Pusher.Describe(context.Environment);
        private Identity _pusher => _source.Identity;

        public HookInputResult Parse(string text) => HookInputParser.ParsePreReceive(text);

        public async Task<HookStep> PrepareAsync(Workspace workspace, HookInput input, IReadOnlyList<RefUpdate> updates)
        {
            var repository = workspace.Repository;
            var settings = ServerSettings.Read(repository);
            if (settings.Environment is not { } envName)
                return Refused(ExitCodes.UsageOrPolicy,
                    $"this repository's guard is not configured (git config {PromoteSettings.GitKeys.Environment})",
                    "the server admin runs: git promote install --server --env <env>");

            if (PushedRecords.Judge(updates, envName, _source.Exact, settings.Recorders, new RepositoryRecordTags(repository)) is { } refused)
                return Refused(ExitCodes.Blocked, refused.Why, refused.Todo);

            // The repository's own pre-receive (kept as pre-receive.local by the installer) decides first: a bypass is
            // recorded only when nothing after this guard can still refuse the push.
            var kept = Path.Combine(workspace.GitDir, "hooks", ServerInstall.KeptHookName);
            var chained = await new HookChain(context.Processes,
                    () => HookChain.IsRunnable(context.FileSystem, kept) ? [new ChainedHook(kept, ChainSource.LocalSuffix)] : [])
                .RunAsync([], input.Bytes);
            if (chained != 0) return HookStep.Done(chained);

            var trusted = ServerPolicySource.Load(context.FileSystem, repository, settings, PolicySource.DefaultName(workspace.GitDir));
            if (trusted.Loaded is not { } loaded)
                return Refused(ExitCodes.Blocked, trusted.Problem!, trusted.Todo);
            var policy = loaded.Policy;
            var target = policy.FindEnvironment(envName);
            if (target is null)
                return Refused(ExitCodes.UsageOrPolicy, $"this repository is environment '{envName}', which {loaded.DisplayPath} does not define",
                    $"environments there: {string.Join(", ", policy.Environments.Select(e => e.Name))}");

            if (!GateService.Judges(policy, updates) || policy.PreviousOf(target) is null)
                return HookStep.Done(ExitCodes.Ok);
            var budget = settings.BudgetFor(policy);
            var bypass = PushOptions.BypassJustification(PushOptions.Read(context.Environment));
            // The pusher's remote name is unknown here; the environment's name is what most clones call it. A bypass becomes
            // a record only when git updates the ref (reference-transaction); until then it is a pending entry.
            var gitDir = workspace.GitDir;
            var request = GateRequest.Push(policy, target, target.Name, gitDir, updates, new GatePusher.Named(_pusher), bypass) with
            {
                Server = new ServerHookStores(context.Git.OwnerOfThisPush, () => ConfirmHookInstalled(context, gitDir, budget)),
            };
            return HookStep.Judge(new GuardedPush(request, budget, BypassHint(target.Name)));
        }

        public Task<int> AllowedAsync(HookInput input) => Task.FromResult(ExitCodes.Ok);

        private HookStep Refused(int exitCode, string why, string? todo) => HookStep.Done(HookPipeline.Refuse(context, exitCode, why, todo));
    }

    public static BypassHint BypassHint(string remoteName) =>
        new($"git push -o {PromoteSettings.GitKeys.Bypass}=\"{{justification}}\" {remoteName} ...");

    /// <summary>True when git will run git-promote's reference-transaction hook in this repository (hooks/ or core.hooksPath).</summary>
    /// <param name="budget">The server's budget for the push (<see cref="ServerSettings.BudgetFor"/>), not a fixed wait of its own.</param>
    private static bool ConfirmHookInstalled(CommandContext context, string gitDir, TimeSpan budget)
    {
        using var deadline = new CancellationTokenSource(budget);
        var r = context.Git.Process.Run(gitDir, ["--git-dir=" + gitDir, "rev-parse", "--git-path", "hooks/" + ServerInstall.ConfirmHookName], null,
            deadline.Token);
        if (r.ExitCode != 0) return false;
        var path = Path.GetFullPath(r.StdoutText.Trim(), gitDir);
        return ServerInstall.IsConfirmHook(context.FileSystem, path);
    }
}
