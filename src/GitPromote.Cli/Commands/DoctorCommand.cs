using GitPromote.Aws;
using GitPromote.Aws.Doctor;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Install;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Engine;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;
using GitPromote.Git;
using GitPromote.Git.Evidence;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote doctor [--json]</c>: is this clone guarded, and can the guard reach what it needs? Checks the policy,
/// the git backend, how the hooks are wired, each environment's remote, and for AWS environments the region,
/// credentials, SSM read access and pipelines. Read-only. Exit 0 when everything is fine, 1 when something is not.
/// </summary>
public static class DoctorCommand
{
    public enum Status { Ok, Warn, Fail }

    /// <summary>One line of the report; <paramref name="Todo"/> says what to do when it is not ok.</summary>
    public sealed record Check(string Area, string Name, Status Status, string Detail, string? Todo = null);

    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        using var workspace = Workspace.Find(context);
        var server = args.Get(Options.Server);
        if (server && workspace.WorkTree is not null)
            throw CommandFailedException.Usage("--server is for the bare repository on the server, and this one has a work tree",
                "cd into the bare repository (e.g. /srv/git/orders-stg.git)");
        var checks = new List<Check>();

        var policy = CheckPolicy(workspace, checks);
        checks.Add(CheckBackend(context, workspace));
        if (CheckGitVersion(context.Git.Process) is { } version) checks.Add(version);
        checks.AddRange(CheckHooks(context, workspace));
        if (policy is not null)
        {
            using var deadline = new CancellationTokenSource(policy.Timeout);
            checks.AddRange(await CheckEnvironmentsAsync(context, workspace, policy, ServerEnvironment(server, workspace, policy),
                deadline.Token));
        }

        if (args.Get(Options.Json)) WriteJson(context, checks);
        else WriteText(context, checks);
        return checks.Any(c => c.Status == Status.Fail) ? ExitCodes.Blocked : ExitCodes.Ok;
    }

    private static PromotionPolicy? CheckPolicy(Workspace workspace, List<Check> checks)
    {
        try
        {
            if (workspace.LoadPolicy() is not { } loaded)
            {
                checks.Add(new Check("policy", PromotionPolicy.FileName, Status.Fail,
                    $"no {PromotionPolicy.FileName} in this repository: pushes pass unchecked", "create one with: git promote init"));
                return null;
            }
            var p = loaded.Policy;
            checks.Add(new Check("policy", loaded.DisplayPath, Status.Ok,
                $"valid: {p.Name}, {string.Join(" -> ", p.Environments.Select(e => e.Name))}, timeout {p.Timeout.TotalSeconds:0.#}s, on_error " +
                    $"{p.OnError.ToString().ToLowerInvariant()}"));
            return p;
        }
        catch (PolicyInvalidException e)
        {
            // One line per error (each counts as one problem), the last with what to do about them all.
            var shown = e.Errors.Take(20).ToList();
            for (var i = 0; i < shown.Count; i++)
                checks.Add(new Check("policy", e.PolicyPath, Status.Fail, shown[i].ToString(), i < shown.Count - 1 ? null
                    : $"fix {e.PolicyPath} at {(shown.Count == 1 ? "that line" : "those lines")} (guarded pushes are refused until it is valid)" +
                        (e.Errors.Count > shown.Count ? $"; {e.Errors.Count - shown.Count} more errors are not shown" : "")));
            return null;
        }
        catch (CommandFailedException e)
        {
            checks.Add(new Check("policy", PromotionPolicy.FileName, Status.Fail, e.Message, e.Todo ?? $"fix {PromotionPolicy.FileName}"));
            return null;
        }
    }

    /// <summary>A git older than git-promote supports, and what that costs; nothing when it is new enough or cannot be told.</summary>
    private static Check? CheckGitVersion(GitProcess git)
    {
        var version = GitVersion.Of(git, GitBudgets.Quick);
        if (version is null || !version.IsOlderThan(GitVersion.MinimumSupported)) return null;
        return new Check("git", "version", Status.Warn,
            $"git {version} is older than {GitVersion.MinimumSupported}: evidence kept in git cannot be fetched (git fetch --no-write-fetch-head), so " +
                "guarded pushes to those environments fail as if it were unreachable"
            + (version.IsOlderThan(new GitVersion(2, 26)) ? "; config levels read as unknown, so hooks path settings are not told apart by level" : ""),
            $"install git {GitVersion.MinimumSupported} or later (git --version shows which git runs)");
    }

    private static Check CheckBackend(CommandContext context, Workspace workspace)
    {
        try
        {
            var backend = workspace.Repository.Backend;
            var reason = context.Git.Locate(workspace.WorkTree ?? workspace.GitDir) is { } location
                ? GitRepositoryLocator.ChooseBackend(context.FileSystem, location, context.Environment).Reason
                : null;
            return new Check("git", "backend", Status.Ok, reason is null or "default" ? backend : $"{backend} ({reason})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new Check("git", "backend", Status.Fail, $"the repository cannot be opened: {e.Message}",
                $"check that `git status` works here; {PromoteSettings.Variables.GitBackend}=cli forces the git CLI");
        }
    }

    /// <summary>
    /// How this repository is wired: a clone by core.hooksPath (which value, from which config level, whether the shims
    /// are this binary's version, which hooks run after the guard); a bare repository (a server) by its pre-receive.
    /// </summary>
    private static IEnumerable<Check> CheckHooks(CommandContext context, Workspace workspace)
    {
        if (workspace.WorkTree is null)
        {
            var own = Path.Combine(workspace.GitDir, "hooks", "pre-receive");
            yield return HookWiring.ShimStateOf(context.FileSystem, own, "pre-receive") is ShimState.Current or ShimState.Outdated
                ? new Check("hooks", "pre-receive", Status.Ok, $"git-promote's shim is {own}")
                : new Check("hooks", "pre-receive", Status.Fail, "no git-promote pre-receive hook: pushes to this repository are not checked",
                    "git promote install --server --env <env>");
            foreach (var check in ServerDoctor.Checks(context, workspace)) yield return check;
            yield break;
        }

        var wiring = HookWiring.Read(context, workspace.Location);
        if (wiring.HooksPath is not { } hooksPath)
        {
            yield return new Check("hooks", "core.hooksPath", Status.Fail, "not set: git-promote's hooks do not run on push from this clone",
                "git promote install   (or --global for every clone)");
            yield break;
        }
        var where = $"{hooksPath.Value} (from {hooksPath.Describe()})";
        var dir = wiring.HooksDir;
        var installation = dir is not null && InstalledLayout.IsOurHooksDir(context.FileSystem, dir) && !SharedHooksFolder.HasShims(context.FileSystem, dir);
        var repair = dir is not null && HookWiring.SamePath(dir, InstalledLayout.HooksDir)
            ? "git promote install (puts git-promote's hooks back; it keeps the files it replaces beside them)"
            : $"re-run the installer of the git-promote that put {dir} there, or its git-promote install";
        yield return wiring.Shim("pre-push") switch
        {
            ShimState.Current => new Check("hooks", "core.hooksPath", Status.Ok, $"{where}: git-promote's shims, the same version as this binary"),
            ShimState.Outdated => new Check("hooks", "core.hooksPath", Status.Warn, $"{where}: git-promote's shims, but not this binary's version",
                "re-run the installer (./install.sh), or git promote install --hooks-dir <that folder> to refresh them"),
            ShimState.NotGitPromote when installation => new Check("hooks", "core.hooksPath", Status.Fail,
                $"{where}: git-promote's hooks folder, but its pre-push is not git-promote's (a hook manager wrote over it: lefthook install "
                    + "--force does), so the guard does not run for any clone wired to it", repair),
            ShimState.NotGitPromote => new Check("hooks", "core.hooksPath", Status.Fail, $"{where}: not git-promote's hooks, so the guard does not run",
                hooksPath.Value.Replace('\\', '/').TrimEnd('/').EndsWith(".husky/_", StringComparison.Ordinal)
                    ? "husky sets core.hooksPath again on every npm install: put the guard in .husky/pre-push (docs/rollout.md, husky)"
                    : "git promote install --chain (theirs keep running after ours), or --force"),
            _ => new Check("hooks", "core.hooksPath", Status.Fail, $"{where}: no pre-push hook there, so nothing runs on push",
                "reinstall git-promote (./install.sh), then: git promote install"),
        };
        if (installation)
        {
            var state = InstalledHooksFolder.Inspect(context.FileSystem, dir!);
            if (state.Describe() is { } broken)
                yield return new Check("hooks", "hooks folder", Status.Fail, $"{dir}: {broken}", repair);
            if (state.Foreign.Count > 0)
                yield return new Check("hooks", "hooks folder", Status.Warn,
                    $"{dir} holds files that are not git-promote's: {string.Join(", ", state.Foreign)} (a hook manager wrote them here)",
                    "install that tool's hooks in the clone that uses it, where git-promote's hooks run them, then remove these: rm -- "
                        + string.Join(" ", state.Foreign.Select(f => Path.Combine(dir!, f))));
        }
        if (!wiring.RunsOurShim("pre-push")) yield break;
        var runs = wiring.ShimBinaryPath;
        yield return runs is null
            ? new Check("hooks", "binary", Status.Warn, "the shims look git-promote up on PATH; a push from a tool with another PATH may not find it",
                "install with ./install.sh, which puts the shims beside the binary")
            : HookWiring.SamePath(runs, InstalledLayout.BinaryPath)
                ? new Check("hooks", "binary", Status.Ok, $"the shims run this binary ({runs})")
                : new Check("hooks", "binary", Status.Warn, $"the shims run {runs}, not this binary ({InstalledLayout.BinaryPath})",
                    "use one installation: re-run its installer, then git promote install");
        var chained = wiring.ChainedHooks("pre-push");
        yield return new Check("hooks", "chained", Status.Ok, chained.Count == 0
            ? "no other pre-push hook runs after the guard"
            : "after the guard: " + string.Join(", ", chained.Select(c => $"{c.Path} ({From(c.Source)})")));
        foreach (var check in OtherHooks(wiring, dir!)) yield return check;
    }

    /// <summary>Which hook git runs from where for every other hook name: a pass-through's target, or the folder's own hook.</summary>
    private static IEnumerable<Check> OtherHooks(HookWiring wiring, string dir)
    {
        foreach (var hook in Shims.PassThroughHooks.Concat(Shims.PerRefHooks).Append("pre-receive"))
        {
            var state = wiring.Shim(hook);
            if (state == ShimState.NotGitPromote)
            {
                yield return new Check("hooks", hook, Status.Ok, $"runs {Path.Combine(dir, hook)} (the folder's own)");
                continue;
            }
            if (hook == "pre-receive") continue;
            var runs = wiring.ChainedHooks(hook);
            if (runs.Count == 0) continue;
            var where = string.Join(", then ", runs.Select(c => $"{c.Path} ({From(c.Source)})"));
            yield return state == ShimState.Missing
                ? new Check("hooks", hook, Status.Warn,
                    $"{where} does not run: git runs {hook} for every ref it updates, so git-promote's folder has no pass-through of that name",
                    "to run it anyway (a shell start per ref): git promote install --hooks-dir <a folder of this clone's>, then copy that folder's "
                        + $"pre-commit to {hook} (docs/rollout.md, Which hooks run)")
                : new Check("hooks", hook, Status.Ok, $"runs {where}");
        }
    }

    private static string From(ChainSource source) => source switch
    {
        ChainSource.LocalSuffix => "kept beside the shim",
        ChainSource.ChainHooksPath => $"the chained folder, {PromoteSettings.GitKeys.ChainHooksPath}",
        _ => "this clone's own, which core.hooksPath hides",
    };


    /// <summary>On a server (<c>doctor --server</c>), the environment this repository is; null in a clone.</summary>
    private static EnvironmentPolicy? ServerEnvironment(bool server, Workspace workspace, PromotionPolicy policy) =>
        server && Server.ServerSettings.Read(workspace.Repository).Environment is { } name ? policy.FindEnvironment(name) : null;

    /// <summary>
    /// Each environment's remote and AWS access. On a server only what its guard reads: the previous environment's
    /// records (its own are this repository, and the others are not its business).
    /// </summary>
    private static async Task<IReadOnlyList<Check>> CheckEnvironmentsAsync(CommandContext context, Workspace workspace, PromotionPolicy policy,
        EnvironmentPolicy? server, CancellationToken deadline)
    {
        var environments = server is null ? policy.Environments.ToList()
            : policy.PreviousOf(server) is { } previous ? [previous] : [];
        var remotes = environments.Select(env => CheckRemoteAsync(workspace, policy, env, server is not null, deadline)).ToList();
        var aws = environments.Any(AwsEvidenceProvider.UsesAws)
            ? CheckAwsAsync(context, policy, deadline)
            : Task.FromResult<IReadOnlyList<AwsCheck>>([]);
        var remoteChecks = await Task.WhenAll(remotes);
        var awsChecks = await aws;

        var result = new List<Check>();
        if (server is null) result.AddRange(IndistinctRemotes(workspace, policy));
        for (var i = 0; i < environments.Count; i++)
        {
            result.AddRange(remoteChecks[i]);
            result.AddRange(awsChecks.Where(c => c.Environment == environments[i].Name)
                .Select(c => new Check(environments[i].Name, c.Name, c.Ok ? c.Warning ? Status.Warn : Status.Ok : Status.Fail, c.Detail, c.Todo)));
        }
        return result;
    }

    /// <summary>
    /// Remotes of two environments that are one URL (CodeCommit's https URL is the same in every account; the account is in
    /// the credentials): a push to that URL cannot be told apart, so the guard goes by the remote's name alone, and a push
    /// to the bare URL is refused. Said once per pair.
    /// </summary>
    private static IEnumerable<Check> IndistinctRemotes(Workspace workspace, PromotionPolicy policy)
    {
        var baseDirectory = workspace.WorkTree ?? workspace.GitDir;
        var byUrl = workspace.Remotes
            .Select(r => (Remote: r, Env: EnvironmentRouter.Resolve(policy, r.Name, r.PushUrl)))
            .Where(x => x.Env is not null)
            .GroupBy(x => RemoteUrls.Canonical(x.Remote.PushUrl, baseDirectory), StringComparer.Ordinal);
        foreach (var group in byUrl)
        {
            var envs = group.Select(x => x.Env!).DistinctBy(e => e.Name).OrderBy(e => e.Index).ToList();
            if (envs.Count < 2) continue;
            var names = string.Join(", ", group.Select(x => $"'{Quoting.Show(x.Remote.Name, 100)}' ({x.Env!.Name})"));
            yield return new Check(envs[^1].Name, "remotes", Status.Warn,
                $"remotes {names} are one URL, {Quoting.Show(RemoteUrls.Redact(group.First().Remote.PushUrl), 200)}: the URL does not say which " +
                    "environment (account) a push goes to, so the guard goes by the remote's name",
                "give each environment's remote a URL that names its account, e.g. codecommit::<region>://<profile>@<repository>");
        }
    }

    /// <summary>Refs under refs/promote/ past which doctor warns: listings (status, a refusal's hint) read them all.</summary>
    public const int GitRefLimit = 10_000;

    /// <summary>
    /// The environment's remote: reachable, its deploy branch, its record count, and (for an environment that has a gate)
    /// whether its server advertises the pre-receive guard (<see cref="RecordRefs.GuardMarker"/>).
    /// </summary>
    private static async Task<IReadOnlyList<Check>> CheckRemoteAsync(Workspace workspace, PromotionPolicy policy, EnvironmentPolicy env, bool onServer,
        CancellationToken deadline)
    {
        // Only git evidence is read from the remote; elsewhere a missing remote just means pushes from here are not routed to it.
        var readsGit = env.Evidence.Any(e => e is GitEvidence);
        EnvironmentRemote remote;
        try
        {
            remote = EnvironmentRemote.Resolve(workspace.Repository, env);
        }
        catch (EvidenceUnavailableException e)
        {
            // A server names the other environments' repositories in its config; a clone by its remotes.
            var todo = onServer ? $"git config {PromoteSettings.GitKeys.RemoteFor(env.Name)} <url of {env.Name}'s repository>" : e.Failure.Todo;
            return [new Check(env.Name, "remote", readsGit ? Status.Fail : Status.Warn, $"{e.Failure.What}: {e.Failure.Why}", todo)];
        }

        var url = workspace.Repository.Remotes.FirstOrDefault(r => r.Name == remote.Remote)?.Url ?? remote.Remote;
        var shown = $"{remote.Display} -> {RemoteUrls.Redact(url)}";
        var branch = "refs/heads/" + policy.DefaultBranch();
        try
        {
            // A git store's records are counted in the same call: past GitRefLimit every listing (status, a refusal's hint) slows.
            var storesHere = !env.StoresInSsm;
            var refs = await workspace.Evidence.Remote.ListRefsAsync(remote.Remote,
                storesHere ? [branch, RecordRefs.Namespace] : [branch, RecordRefs.GuardMarker], deadline);
            var deployed = refs.FirstOrDefault(r => r.Name == branch);
            var detail = $"{shown}: reachable, {Core.Push.RefNames.Short(branch)} " +
                $"{(deployed is null ? "not pushed yet" : "at " + Core.Push.ObjectIds.Short(deployed.Id))}";
            var records = refs.Count(r => r.Name.StartsWith(RecordRefs.Namespace, StringComparison.Ordinal) && r.Name != RecordRefs.GuardMarker);
            var checks = new List<Check>
            {
                storesHere && records > GitRefLimit
                    ? new Check(env.Name, "remote", Status.Warn, $"{detail}; {records} refs under refs/promote/ (more than {GitRefLimit})",
                        $"delete old records: git promote prune {env.Name} --dry-run, then without --dry-run")
                    : new Check(env.Name, "remote", Status.Ok, detail + (storesHere ? $", {records} records" : "")),
            };
            if (env.Index > 0 && !onServer) checks.Add(ServerGuardCheck(env, remote, refs.Any(r => r.Name == RecordRefs.GuardMarker)));
            return checks;
        }
        catch (Exception e) when (e is GitCommandException or EvidenceUnavailableException || Deadline.Passed(e, deadline))
        {
            var why = e switch
            {
                OperationCanceledException => EvidenceFailure.NoAnswerInTime(Deadline.BudgetOf(e, policy.Timeout)),
                EvidenceUnavailableException u => u.Failure.Why,
                _ => e.Message,
            };
            return [new Check(env.Name, "remote", readsGit ? Status.Fail : Status.Warn, $"{shown}: cannot be read: {why}",
                $"check that it answers: git ls-remote {RemoteUrls.Redact(remote.Remote)} {branch}")];
        }
    }

    /// <summary>
    /// The pre-push hook is skippable (<c>--no-verify</c>); what cannot be skipped is a server guard or the pipeline gate.
    /// A guarded server says so with <see cref="RecordRefs.GuardMarker"/>; without it, the environment's gate is all there is.
    /// </summary>
    private static Check ServerGuardCheck(EnvironmentPolicy env, EnvironmentRemote remote, bool advertised) => advertised
        ? new Check(env.Name, "server guard", Status.Ok, $"{remote.Display} runs the pre-receive guard: --no-verify does not get past it")
        : new Check(env.Name, "server guard", Status.Warn,
            $"{remote.Display} advertises no pre-receive guard: a push with --no-verify (or from a clone without the hook) lands, and only " +
                $"{env.Name}'s pipeline gate stops its deployment",
            $"on a self-hosted server: git promote install --server --env {env.Name} in that repository (docs/server.md); on CodeCommit, GitHub or " +
                "GitLab the pipeline gate is the guard (docs/aws.md)");

    private static async Task<IReadOnlyList<AwsCheck>> CheckAwsAsync(CommandContext context, PromotionPolicy policy, CancellationToken deadline)
    {
        var doctor = new AwsDoctor(policy, context.Evidence.Aws(policy));
        try
        {
            return await doctor.CheckAllAsync(deadline);
        }
        catch (Exception e) when (Deadline.Passed(e, deadline))
        {
            var failure = EvidenceFailure.OutOfTime("AWS", policy.Timeout, "check the network path to AWS, or raise 'timeout' in .promote.yml");
            return policy.Environments.Where(AwsEvidenceProvider.UsesAws).Select(e => new AwsCheck(e.Name, "aws", false, failure.Why, failure.Todo)).ToList();
        }
    }

    private static void WriteText(CommandContext context, List<Check> checks)
    {
        var style = new Style(context.Console.ColorOnOut);
        var o = context.Console.Out;
        foreach (var c in checks)
        {
            var mark = c.Status switch
            {
                Status.Ok => style.Green("ok  "),
                Status.Warn => style.Yellow("warn"),
                _ => style.Red("FAIL"),
            };
            o.WriteLine($"{mark}  {c.Area,-7} {c.Name,-22} {c.Detail}");
            if (c.Status != Status.Ok && c.Todo is not null)
                o.WriteLine($"      {"",-7} {"",-22} what to do: {c.Todo}");
        }
        var failed = checks.Count(c => c.Status == Status.Fail);
        var warned = checks.Count(c => c.Status == Status.Warn);
        o.WriteLine(failed == 0
            ? style.Green($"all good{(warned == 0 ? "" : $" ({warned} warning{(warned == 1 ? "" : "s")})")}")
            : style.Red($"{failed} problem{(failed == 1 ? "" : "s")} found") + (warned == 0 ? "" : $", {warned} warning{(warned == 1 ? "" : "s")}"));
    }

    private static void WriteJson(CommandContext context, List<Check> checks) =>
        Json.Write(context.Console.Out, new DoctorJson(checks.All(c => c.Status != Status.Fail), checks.Select(c =>
            new DoctorCheckJson(c.Area, c.Name, StatusWord(c.Status), c.Detail, c.Status == Status.Ok ? null : c.Todo)).ToList()),
            Json.Types.DoctorJson);

    private static string StatusWord(Status status) => status switch
    {
        Status.Ok => "ok",
        Status.Warn => "warn",
        _ => "fail",
    };
}
