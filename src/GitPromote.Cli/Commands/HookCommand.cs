using GitPromote.Cli.Hooks;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Core.Settings;
using GitPromote.Gate;

namespace GitPromote.Cli.Commands;

/// <summary><c>git promote hook pre-push &lt;remote&gt; &lt;url&gt;</c>: the client guard, fed by git (githooks(5)).</summary>
public static class HookCommand
{
    /// <summary>Runs the hook the form names; the parser chose it and checked what git passes to it.</summary>
    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        if (args.Form == CommandDefinitions.HookPreReceive) return await PreReceiveCommand.RunAsync(context);
        if (args.Form == CommandDefinitions.HookReferenceTransaction) return await ReferenceTransactionCommand.RunAsync(context, args.Positionals[0]);
        return await PrePushAsync(context, args.Positionals[0], args.Positionals[1]);
    }

    private static Task<int> PrePushAsync(CommandContext context, string remoteName, string remoteUrl) =>
        HookPipeline.RunAsync(context, new ClientSide(context, remoteName, remoteUrl));

    /// <summary>pre-push: the clone's policy, the target routed from the remote (or another spelling of it), the hooks chained after the guard.</summary>
    private sealed class ClientSide(CommandContext context, string remoteName, string remoteUrl) : IHookSide
    {
        private HookChain? _chain;

        public HookInputResult Parse(string text) => HookInputParser.ParsePrePush(text);

        public async Task<HookStep> PrepareAsync(Workspace workspace, HookInput input, IReadOnlyList<RefUpdate> updates)
        {
            _chain = new HookChain(context, workspace.Location, "pre-push");
            var loaded = workspace.LoadPolicy();
            if (loaded is null)
                return HookStep.Done(await AllowedAsync(input));
            var policy = loaded.Policy;

            // Fast path: most pushes (to dev, of feature branches) need no repository and no evidence.
            if (!GateService.Judges(policy, updates))
                return HookStep.Done(await AllowedAsync(input));
            var routeName = remoteName;
            var target = EnvironmentRouter.Resolve(policy, remoteName, remoteUrl);
            // `git push <url> main`, `git push file:///.../prd.git/`, or a second remote for the same repository: the name
            // says nothing, but the URL may be another spelling of an environment's repository. Then the push is checked
            // as a push to that environment, when the URL names one environment only.
            var same = SameRepositoryAs(workspace, policy, remoteUrl);
            var environments = same.Select(s => s.Environment).Distinct().ToList();
            if (environments.Count > 1)
            {
                // One URL for several environments (CodeCommit's https URL is the same in every account; the account is in
                // the credentials): the URL cannot say where the push goes, so only the remote's name can.
                if (target is null)
                {
                    context.Console.Error.WriteLine(
                        $"git-promote: push refused: {Quoting.Show(RemoteUrls.Redact(remoteUrl))} is the repository of " +
                        $"{string.Join(", ", same.Select(s => Quoting.Show(s.Shown, 200)))}, so the URL does not say which environment (account) this " +
                        "push goes to");
                    context.Console.Error.WriteLine(
                        $"  push through the environment's remote instead, e.g. git push {Quoting.Show(same[0].RemoteName, 200)} ...; " +
                        "and give each environment's remote a URL that names its account (codecommit::<region>://<profile>@<repository>)");
                    return HookStep.Done(ExitCodes.Blocked);
                }
            }
            else if (same.Count > 0 && (target is null || environments[0].Index > target.Index))
            {
                var chosen = same[0];
                routeName = chosen.RemoteName;
                target = chosen.Environment;
                if (policy.PreviousOf(target) is not null && routeName != remoteName)
                    context.Console.Error.WriteLine($"git-promote: {Quoting.Show(remoteName, 200)} is the repository of {Quoting.Show(chosen.Shown, 200)}: " +
                        $"checked as a push to {target.Name}");
            }
            if (target is null || policy.PreviousOf(target) is null)
                return HookStep.Done(await AllowedAsync(input));

            _chain.Prefetch();
            var bypass = BypassJustification(context);
            // Only a bypass needs to know (its record must not outlive a push that never happens); unknown counts as a push for real.
            var dryRun = bypass is not null && GitPushDryRun.OfThisProcess(context.FileSystem, context.Processes) == true;
            var request = GateRequest.Push(policy, target, routeName, remoteUrl, updates, new GatePusher.GitUser(workspace.CurrentIdentity), bypass, dryRun);
            return HookStep.Judge(new GuardedPush(request, policy.Timeout, ClientBypassHint(routeName)));
        }

        public Task<int> AllowedAsync(HookInput input) => _chain!.RunAsync([remoteName, remoteUrl], input.Bytes);
    }

    private sealed record SameRepository(EnvironmentPolicy Environment, string RemoteName, string Shown);

    /// <summary>
    /// The environments whose repository <paramref name="url"/> names, compared in <see cref="RemoteUrls.Canonical"/> form
    /// with the URLs of this clone's remotes that route to an environment and with the policy's literal URLs: one entry
    /// per matching remote or URL, furthest along the path first. More than one environment means the URL alone cannot
    /// tell them apart.
    /// </summary>
    private static List<SameRepository> SameRepositoryAs(Workspace workspace, PromotionPolicy policy, string url)
    {
        var baseDirectory = workspace.WorkTree ?? workspace.GitDir;
        var pushed = RemoteUrls.Canonical(url, baseDirectory);
        var found = new List<SameRepository>();
        foreach (var remote in workspace.Remotes)
        {
            if (RemoteUrls.Canonical(remote.Url, baseDirectory) != pushed && RemoteUrls.Canonical(remote.PushUrl, baseDirectory) != pushed) continue;
            if (EnvironmentRouter.Resolve(policy, remote.Name, remote.PushUrl) is { } env)
                found.Add(new SameRepository(env, remote.Name, $"remote '{remote.Name}'"));
        }
        foreach (var env in policy.Environments)
        {
            foreach (var entry in env.Remotes.Where(Git.Evidence.EnvironmentRemote.IsLiteralUrl))
                if (RemoteUrls.Canonical(entry, baseDirectory) == pushed) found.Add(new SameRepository(env, entry, $"{env.Name} ({entry})"));
        }
        return found.OrderByDescending(s => s.Environment.Index).ToList();
    }

    /// <summary><c>PROMOTE_BYPASS</c>, bounded as the server bounds <c>-o promote.bypass</c>; shown and stored as it is here.</summary>
    public static string? BypassJustification(CommandContext context) =>
        Core.Push.BypassJustification.Bound(context.Environment.Get(PromoteSettings.Variables.Bypass));

    public static BypassHint ClientBypassHint(string remoteName) =>
        new($"{PromoteSettings.Variables.Bypass}=\"{{justification}}\" git push {remoteName} ...");
}
