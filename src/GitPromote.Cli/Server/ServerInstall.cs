using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Services;
using GitPromote.Core.Policy;
using GitPromote.Git;

namespace GitPromote.Cli.Server;

/// <summary>
/// <c>git promote install --server --env &lt;env&gt; [--policy FILE]</c> in a bare repository, and its undo.
/// The hook is a copy of the installed shim with the binary's absolute path written in: a server's hooks run with
/// whatever PATH the SSH session or daemon has, and a copy keeps working when the prefix's shim is edited, while
/// the binary it names is still upgraded in place by install.sh. Not <c>core.hooksPath</c>: on a server it would
/// hide the repository's other hooks (post-receive notifications, mirrors).
/// </summary>
public static class ServerInstall
{
    public const string InstallUsage = "git promote install --server --env <env> [--policy FILE] [--force] [--hooks-dir DIR]";
    public const string UninstallUsage = "git promote uninstall --server";
    public const string HookName = "pre-receive";
    public const string KeptHookName = "pre-receive.local";

    private const string PushOptionsKey = "receive.advertisePushOptions";
    private const string PreviousPushOptionsKey = "promote.previousAdvertisePushOptions";
    private const string WasUnset = "(unset)";
    private const string BinaryLine = "bin=''";

    public static int Install(CommandContext context, IReadOnlyList<string> args)
    {
        var a = ArgumentReader.Parse(args, ["--force"], ["--env", "--policy", "--hooks-dir"]).ExpectAtMost(0, InstallUsage);
        var envName = a.Value("--env") is { Length: > 0 } e ? e : throw CommandFailedException.Usage("which environment is this repository?", $"usage: {InstallUsage}");
        var (workspace, config) = OpenBare(context);
        using var _ = workspace;
        var hooks = HooksDir(workspace);
        var shim = ReadShim(a.Value("--hooks-dir"));
        var policyFile = a.Value("--policy") is { } p ? Path.GetFullPath(p, context.Environment.CurrentDirectory) : null;
        if (policyFile is not null) CheckPolicy(policyFile, envName, workspace.GitDir);

        var hook = Path.Combine(hooks, HookName);
        var kept = Path.Combine(hooks, KeptHookName);
        var foreign = File.Exists(hook) && !IsOurs(hook);
        if (foreign)
        {
            if (!a.Has("--force"))
            {
                context.Console.Error.WriteLine($"git-promote: {hook} exists and is not git-promote's.");
                context.Console.Error.WriteLine($"  with --force it is kept as {KeptHookName} and still runs, before the guard, on every push");
                return ExitCodes.UsageOrPolicy;
            }
            if (File.Exists(kept))
                throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"both {HookName} and {KeptHookName} exist in {hooks}",
                    $"merge them into {KeptHookName} yourself, remove {HookName}, then install again");
            File.Move(hook, kept);
            context.Console.Out.WriteLine($"kept the existing hook as {kept}: it runs first, with the same input");
        }

        WriteAtomically(hook, shim.Replace(BinaryLine, $"bin={ShellQuote(InstalledLayout.BinaryPath)}"));
        config.Set(ServerSettings.EnvironmentKey, envName);
        if (policyFile is not null) config.Set(ServerSettings.PolicyKey, policyFile);
        if (config.Get(PreviousPushOptionsKey) is null) config.Set(PreviousPushOptionsKey, config.Get(PushOptionsKey) ?? WasUnset);
        config.Set(PushOptionsKey, "true");

        var source = config.Get(ServerSettings.PolicyKey) is { } file ? file : $"{PromotionPolicy.FileName} on the deploy branch, as it is before each push";
        context.Console.Out.WriteLine($"installed: {hook} guards this repository as environment '{envName}'");
        context.Console.Out.WriteLine($"  policy: {source}");
        context.Console.Out.WriteLine($"  bypass: git push -o {PushOptions.BypassKey}=\"<justification>\" (push options are on)");
        context.Console.Out.WriteLine("  git evidence of the previous environment: git config promote.remote.<env> <url>");
        return ExitCodes.Ok;
    }

    public static int Uninstall(CommandContext context, IReadOnlyList<string> args)
    {
        ArgumentReader.Parse(args, [], []).ExpectAtMost(0, UninstallUsage);
        var (workspace, config) = OpenBare(context);
        using var _ = workspace;
        var hooks = HooksDir(workspace);
        var hook = Path.Combine(hooks, HookName);
        var kept = Path.Combine(hooks, KeptHookName);

        if (!File.Exists(hook) && config.Get(ServerSettings.EnvironmentKey) is null)
        {
            context.Console.Out.WriteLine("not installed: no git-promote pre-receive hook here; nothing changed");
            return ExitCodes.Ok;
        }
        if (File.Exists(hook) && !IsOurs(hook))
        {
            context.Console.Out.WriteLine($"not installed: {hook} is not git-promote's; nothing changed");
            return ExitCodes.Ok;
        }
        if (File.Exists(hook)) File.Delete(hook);
        if (File.Exists(kept))
        {
            File.Move(kept, hook);
            context.Console.Out.WriteLine($"restored the repository's own hook: {hook}");
        }
        config.Unset(ServerSettings.EnvironmentKey);
        config.Unset(ServerSettings.PolicyKey);
        if (config.Get(PreviousPushOptionsKey) is { } previous)
        {
            if (previous == WasUnset) config.Unset(PushOptionsKey);
            else config.Set(PushOptionsKey, previous);
            config.Unset(PreviousPushOptionsKey);
        }
        context.Console.Out.WriteLine("uninstalled: this repository's pushes are no longer guarded");
        return ExitCodes.Ok;
    }

    private static (Workspace Workspace, GitConfigEditor Config) OpenBare(CommandContext context)
    {
        var workspace = Workspace.Find(context);
        if (workspace.WorkTree is not null)
        {
            workspace.Dispose();
            throw CommandFailedException.Usage("--server is for the bare repository on the server, and this one has a work tree",
                "cd into the bare repository (e.g. /srv/git/orders-stg.git); in a clone use: git promote install");
        }
        return (workspace, new GitConfigEditor(workspace.GitDir, ConfigScope.Local));
    }

    /// <summary>Where git looks for this repository's hooks; a <c>core.hooksPath</c> would make hooks/ dead, so it is refused.</summary>
    private static string HooksDir(Workspace workspace)
    {
        if (EffectiveConfig(workspace.GitDir, "core.hooksPath") is { } hooksPath)
            throw CommandFailedException.Usage($"core.hooksPath is set ('{hooksPath}'): git runs this repository's hooks from there, not from hooks/",
                "put the pre-receive shim there yourself and set promote.environment (docs/server.md), or unset core.hooksPath");
        var dir = Path.Combine(workspace.GitDir, "hooks");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A key's value from every config level, as git itself will see it when it runs the hooks.</summary>
    private static string? EffectiveConfig(string gitDir, string key)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var r = GitProcess.Default.Run(gitDir, ["--git-dir=" + gitDir, "config", "--get", key], null, deadline.Token);
        return r.ExitCode == 0 && r.StdoutText.Trim() is { Length: > 0 } v ? v : null;
    }

    private static string ReadShim(string? hooksDirOverride)
    {
        var dir = Path.GetFullPath(hooksDirOverride ?? InstalledLayout.HooksDir);
        var path = Path.Combine(dir, HookName);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"no git-promote {HookName} shim in {dir}",
                "install git-promote with ./install.sh (it puts the hooks beside the binary), or pass --hooks-dir");
        }
        if (!text.Contains(HookChain.ShimMarker, StringComparison.Ordinal) || !text.Contains(BinaryLine, StringComparison.Ordinal))
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{path} is not git-promote's {HookName} shim");
        return text;
    }

    private static void CheckPolicy(string path, string envName, string gitDir)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw CommandFailedException.Usage($"--policy {path}: no such file");
        if (info.Length > PolicyLoader.MaxBytes) throw CommandFailedException.Usage($"--policy {path}: larger than {PolicyLoader.MaxBytes} bytes");
        var policy = PolicySource.FromText(File.ReadAllText(path), path, PolicySource.DefaultName(gitDir)).Policy;
        var env = policy.FindEnvironment(envName) ?? throw CommandFailedException.Usage($"--env {envName}: {path} has no such environment",
            $"environments there: {string.Join(", ", policy.Environments.Select(x => x.Name))}");
        if (policy.PreviousOf(env) is null)
            throw CommandFailedException.Usage($"--env {envName} is the first environment of {path}: it has no gate to enforce");
    }

    private static bool IsOurs(string hook) => Shims.IsShim(hook) == true;

    private static void WriteAtomically(string path, string text)
    {
        var temp = $"{path}.tmp.{Environment.ProcessId}";
        File.WriteAllText(temp, text.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>A POSIX sh single-quoted word.</summary>
    internal static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
