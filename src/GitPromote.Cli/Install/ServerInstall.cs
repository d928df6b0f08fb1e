using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Server;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// <c>git promote install --server --env &lt;env&gt; [--policy FILE]</c> in a bare repository, and its undo.
/// The hook is a copy of the installed shim with the binary's absolute path written in: a server's hooks run with
/// whatever PATH the SSH session or daemon has, and a copy keeps working when the prefix's shim is edited, while
/// the binary it names is still upgraded in place by install.sh. Not <c>core.hooksPath</c>: on a server it would
/// hide the repository's other hooks (post-receive notifications, mirrors).
/// </summary>
public static class ServerInstall
{
    public const string HookName = "pre-receive";
    public const string KeptHookName = "pre-receive.local";
    /// <summary>The hook that turns a pre-receive's pending bypass into a record exactly when git updates the ref.</summary>
    public const string ConfirmHookName = "reference-transaction";
    private const string ConfirmHookMarker = "git-promote-shim: reference-transaction";

    private const string PushOptionsKey = "receive.advertisePushOptions";
    private const string WasUnset = "(unset)";
    private const string BinaryLine = "bin=''";

    public static int Install(CommandContext context, CommandLine args)
    {
        var envName = args.Get(Options.Env);
        var files = context.FileSystem;
        var (workspace, config) = OpenBare(context);
        using var _ = workspace;
        var hooks = HooksDir(files, workspace);
        var shim = ReadShim(files, args.Get(Options.HooksDir));
        var policyFile = args.Get(Options.Policy) is { } p ? Path.GetFullPath(p, context.Environment.CurrentDirectory) : null;
        var (policyRef, first) = policyFile is null
            ? PinPolicyBranch(files, workspace, envName)
            : (null, CheckPolicy(files, policyFile, envName, workspace.GitDir));
        var confirm = Path.Combine(hooks, ConfirmHookName);
        if (files.FileExists(confirm) && !IsConfirmHook(files, confirm))
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{confirm} exists and is not git-promote's",
                "git-promote needs that hook to record a bypass exactly when its push lands: merge the two yourself (docs/server.md), then install again");

        var hook = Path.Combine(hooks, HookName);
        var kept = Path.Combine(hooks, KeptHookName);
        var foreign = files.FileExists(hook) && !IsOurs(files, hook);
        if (foreign)
        {
            if (!args.Get(Options.Force))
            {
                return FailureMessage.Print(context.Console, ExitCodes.UsageOrPolicy, $"{hook} exists and is not git-promote's.",
                    $"with --force it is kept as {KeptHookName} and still runs, before the guard, on every push");
            }
            if (files.FileExists(kept))
                throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"both {HookName} and {KeptHookName} exist in {hooks}",
                    $"merge them into {KeptHookName} yourself, remove {HookName}, then install again");
            files.Move(hook, kept);
            context.Console.Out.WriteLine($"kept the existing hook as {kept}: it runs first, with the same input");
        }

        files.WriteAtomically(hook, shim.Replace(BinaryLine, $"bin={ShellQuote(InstalledLayout.BinaryPath)}").Replace("\r\n", "\n"), executable: true);
        files.WriteAtomically(confirm, ConfirmHookText(InstalledLayout.BinaryPath).Replace("\r\n", "\n"), executable: true);
        config.Set(PromoteSettings.GitKeys.Environment, envName);
        if (policyFile is not null)
        {
            config.Set(PromoteSettings.GitKeys.Policy, policyFile);
            config.Unset(PromoteSettings.GitKeys.PolicyRef);
        }
        else
        {
            config.Set(PromoteSettings.GitKeys.PolicyRef, policyRef!);
        }
        if (config.Get(PromoteSettings.GitKeys.PreviousAdvertisePushOptions) is null)
            config.Set(PromoteSettings.GitKeys.PreviousAdvertisePushOptions, config.Get(PushOptionsKey) ?? WasUnset);
        config.Set(PushOptionsKey, "true");

        var advertised = AdvertiseGuard(context, workspace.GitDir, envName);
        var source = config.Get(PromoteSettings.GitKeys.Policy) is { } file ? file
            : $"{PromotionPolicy.FileName} on {policyRef} (pinned), as it is before each push";
        context.Console.Out.WriteLine($"installed: {hook} guards this repository as environment '{envName}'");
        if (first)
            context.Console.Out.WriteLine(
                "  first environment: pushes to its branches are not gated; its records (refs/promote/*), which the next environment reads, are guarded");
        context.Console.Out.WriteLine($"  policy: {source}");
        context.Console.Out.WriteLine($"  bypass: git push -o {PromoteSettings.GitKeys.Bypass}=\"<justification>\" (push options are on)");
        context.Console.Out.WriteLine($"  records: {confirm} writes a bypass record exactly when git updates the ref");
        context.Console.Out.WriteLine($"  git evidence of the previous environment: git config {PromoteSettings.GitKeys.RemotePrefix}<env> <url>");
        context.Console.Out.WriteLine(
            $"  green records on this repository: only pushers in git config {PromoteSettings.GitKeys.Recorders} (add the pipeline's account)");
        if (advertised is null)
            context.Console.Out.WriteLine(
                $"  advertised: {Core.Evidence.RecordRefs.GuardMarker}, so git promote doctor in a clone sees this server is guarded");
        else
            context.Console.Error.WriteLine($"git-promote: warning: could not write {Core.Evidence.RecordRefs.GuardMarker} ({advertised}): the guard " +
                "works, but doctor in a clone will say this server runs none; run install --server again");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes <see cref="Core.Evidence.RecordRefs.GuardMarker"/>: a small blob naming the environment, which every clone
    /// sees in <c>git ls-remote</c>. Null when written, else why not (the guard works without it).
    /// </summary>
    private static string? AdvertiseGuard(CommandContext context, string gitDir, string environment)
    {
        using var deadline = new CancellationTokenSource(GitBudgets.Setup);
        try
        {
            var body = System.Text.Encoding.UTF8.GetBytes($"git-promote pre-receive guard: this repository is environment {environment}\n");
            var blob = context.Git.Process.Run(gitDir, ["--git-dir=" + gitDir, "hash-object", "-w", "--stdin"], body, deadline.Token).EnsureSuccess()
                .StdoutText.Trim();
            context.Git.Process.Run(gitDir, ["--git-dir=" + gitDir, "update-ref", Core.Evidence.RecordRefs.GuardMarker, blob], null, deadline.Token)
                .EnsureSuccess();
            return null;
        }
        catch (Exception e) when (e is GitCommandException or System.ComponentModel.Win32Exception || Deadline.Passed(e, deadline.Token))
        {
            return e.Message;
        }
    }

    private static void RemoveGuardMarker(CommandContext context, string gitDir)
    {
        using var deadline = new CancellationTokenSource(GitBudgets.Setup);
        try
        {
            context.Git.Process.Run(gitDir, ["--git-dir=" + gitDir, "update-ref", "-d", Core.Evidence.RecordRefs.GuardMarker], null, deadline.Token);
        }
        catch (Exception e) when (e is GitCommandException or System.ComponentModel.Win32Exception || Deadline.Passed(e, deadline.Token)) { }
    }

    public static int Uninstall(CommandContext context)
    {
        var files = context.FileSystem;
        var (workspace, config) = OpenBare(context);
        using var _ = workspace;
        var hooks = HooksDir(files, workspace);
        var hook = Path.Combine(hooks, HookName);
        var kept = Path.Combine(hooks, KeptHookName);

        if (!files.FileExists(hook) && config.Get(PromoteSettings.GitKeys.Environment) is null)
        {
            context.Console.Out.WriteLine("not installed: no git-promote pre-receive hook here; nothing changed");
            return ExitCodes.Ok;
        }
        if (files.FileExists(hook) && !IsOurs(files, hook))
        {
            context.Console.Out.WriteLine($"not installed: {hook} is not git-promote's; nothing changed");
            return ExitCodes.Ok;
        }
        if (files.FileExists(hook)) files.Delete(hook);
        var confirm = Path.Combine(hooks, ConfirmHookName);
        if (IsConfirmHook(files, confirm)) files.Delete(confirm);
        if (files.FileExists(kept))
        {
            files.Move(kept, hook);
            context.Console.Out.WriteLine($"restored the repository's own hook: {hook}");
        }
        RemoveGuardMarker(context, workspace.GitDir);
        config.Unset(PromoteSettings.GitKeys.Environment);
        config.Unset(PromoteSettings.GitKeys.Policy);
        config.Unset(PromoteSettings.GitKeys.PolicyRef);
        if (config.Get(PromoteSettings.GitKeys.PreviousAdvertisePushOptions) is { } previous)
        {
            if (previous == WasUnset) config.Unset(PushOptionsKey);
            else config.Set(PushOptionsKey, previous);
            config.Unset(PromoteSettings.GitKeys.PreviousAdvertisePushOptions);
        }
        context.Console.Out.WriteLine("uninstalled: this repository's pushes are no longer guarded");
        return ExitCodes.Ok;
    }

    private static (Workspace Workspace, IGitConfigWriter Config) OpenBare(CommandContext context)
    {
        var workspace = Workspace.Find(context);
        if (workspace.WorkTree is not null)
        {
            workspace.Dispose();
            throw CommandFailedException.Usage("--server is for the bare repository on the server, and this one has a work tree",
                "cd into the bare repository (e.g. /srv/git/orders-stg.git); in a clone use: git promote install");
        }
        return (workspace, context.Git.ConfigAt(workspace.GitDir, ConfigScope.Local));
    }

    /// <summary>Where git looks for this repository's hooks; a <c>core.hooksPath</c> would make hooks/ dead, so it is refused.</summary>
    private static string HooksDir(IFileSystem files, Workspace workspace)
    {
        if (workspace.Repository.ConfigValue("core.hooksPath")?.Trim() is { Length: > 0 } hooksPath)
            throw CommandFailedException.Usage($"core.hooksPath is set ('{hooksPath}'): git runs this repository's hooks from there, not from hooks/",
                $"put the pre-receive shim there yourself and set {PromoteSettings.GitKeys.Environment} (docs/server.md), or unset core.hooksPath");
        var dir = Path.Combine(workspace.GitDir, "hooks");
        files.CreateDirectory(dir);
        return dir;
    }

    private static string ReadShim(IFileSystem files, string? hooksDirOverride)
    {
        var dir = Path.GetFullPath(hooksDirOverride ?? InstalledLayout.HooksDir);
        var path = Path.Combine(dir, HookName);
        string text;
        try { text = files.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"no git-promote {HookName} shim in {dir}",
                "install git-promote with ./install.sh (it puts the hooks beside the binary), or pass --hooks-dir");
        }
        if (!text.Contains(HookChain.ShimMarker, StringComparison.Ordinal) || !text.Contains(BinaryLine, StringComparison.Ordinal))
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{path} is not git-promote's {HookName} shim");
        return text;
    }

    /// <summary>Checks the admin's policy file defines the environment; true when it is the first one (no order gate, records guarded).</summary>
    private static bool CheckPolicy(IFileSystem files, string path, string envName, string gitDir)
    {
        if (!files.FileExists(path)) throw CommandFailedException.Usage($"--policy {path}: no such file");
        if (files.Length(path) > PolicyLoader.MaxBytes) throw CommandFailedException.Usage($"--policy {path}: larger than {PolicyLoader.MaxBytes} bytes");
        var policy = PolicySource.FromText(files.ReadAllText(path), path, PolicySource.DefaultName(gitDir)).Policy;
        var env = policy.FindEnvironment(envName) ?? throw CommandFailedException.Usage($"--env {envName}: {path} has no such environment",
            $"environments there: {string.Join(", ", policy.Environments.Select(x => x.Name))}");
        return policy.PreviousOf(env) is null;
    }

    private static bool IsOurs(IFileSystem files, string hook) => Shims.IsShim(files, hook) == true;

    /// <summary>
    /// The branch the policy will be read from, pinned now: the one HEAD names. It must exist (an unborn HEAD, such as
    /// <c>master</c> in a repository that receives <c>main</c>, is a branch any pusher could create) and carry a policy
    /// that guards it and defines this environment.
    /// </summary>
    private static (string Head, bool First) PinPolicyBranch(IFileSystem files, Workspace workspace, string envName)
    {
        var head = ServerPolicySource.HeadTarget(files, workspace.GitDir)
            ?? throw CommandFailedException.Usage("HEAD of this repository names no branch, so there is no policy branch to pin",
                "point HEAD at the deploy branch (git symbolic-ref HEAD refs/heads/main), or name a policy file with --policy FILE");
        var shortName = head["refs/heads/".Length..];
        if (workspace.Repository.ResolveCommit(head) is null)
            throw CommandFailedException.Usage(
                $"HEAD names {shortName}, which does not exist yet: a pusher could create it and write the policy there",
                "push the deploy branch first, or point HEAD at it (git symbolic-ref HEAD refs/heads/<branch>), or name a policy file with --policy FILE");
        var trusted = ServerPolicySource.FromBranch(workspace.Repository, head, "the branch HEAD names", PolicySource.DefaultName(workspace.GitDir));
        if (trusted.Loaded is not { } loaded) throw CommandFailedException.Usage(trusted.Problem!,
            "fix the policy on that branch, or name a policy file with --policy FILE");
        var env = loaded.Policy.FindEnvironment(envName) ?? throw CommandFailedException.Usage($"--env {envName}: {loaded.DisplayPath} has no such environment",
            $"environments there: {string.Join(", ", loaded.Policy.Environments.Select(x => x.Name))}");
        return (head, loaded.Policy.PreviousOf(env) is null);
    }

    internal static bool IsConfirmHook(IFileSystem files, string path)
    {
        try
        {
            if (!files.FileExists(path) || !files.IsExecutable(path)) return false;
            return files.ReadStart(path, 512)?.Contains(ConfirmHookMarker, StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The reference-transaction hook. Without its binary it still refuses to let a ref move while a bypass of a push
    /// is pending (that push's record could not be written); every other ref update passes.
    /// </summary>
    private static string ConfirmHookText(string binary) => $$"""
        #!/bin/sh
        # {{ConfirmHookMarker}} hook installed by git promote install --server. Do not edit: uninstall removes it.
        # Writes the bypass record of a push exactly when git updates the push's refs (prepared), and removes it if git
        # aborts; every other ref update passes untouched.
        bin={{ShellQuote(binary)}}
        [ -x "$bin" ] || bin=$(command -v git-promote 2>/dev/null) || bin=
        if [ -n "$bin" ]; then
          exec "$bin" hook reference-transaction "$@"
        fi
        if [ "$1" = prepared ] && [ -n "$(git for-each-ref --count=1 refs/promote/pending/ 2>/dev/null)" ]; then
          echo "git-promote: push refused: this repository's guard cannot run (git-promote not found)." >&2
          exit 1
        fi
        cat >/dev/null
        exit 0

        """;

    /// <summary>A POSIX sh single-quoted word.</summary>
    internal static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
