using GitPromote.Cli.Infrastructure;
using GitPromote.Git;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// Runs, after our guard allowed the push, the hooks git would have run without git-promote (see
/// <see cref="HookWiring.ChainedHooks"/>): a shared folder's own <c>&lt;hook&gt;.local</c>, the hooks folder
/// <c>install --chain</c> found, or else the repository's own hook that core.hooksPath hides (a linter, a secret
/// scanner). Each gets the same arguments and stdin, in order; the first that fails decides the exit code.
/// </summary>
public sealed class HookChain
{
    /// <summary>Marks our own shims, so a shim is never chained to itself.</summary>
    public const string ShimMarker = "git-promote-shim";

    private readonly IProcessStarter _processes;
    private readonly Lazy<Task<IReadOnlyList<ChainedHook>>> _hooks;

    /// <summary>
    /// The hooks to run after the guard when git ran git-promote's own shim of <paramref name="hookName"/>; none when the
    /// guard was started some other way (a hook manager's hook, <c>.husky/pre-push</c>, a lefthook job): nothing of theirs
    /// is hidden by git-promote then, and their hook chained back to the guard would start it again.
    /// </summary>
    public HookChain(CommandContext context, GitLocation repository, string hookName)
        : this(context.Processes, () =>
            HookWiring.ReadForHook(context.FileSystem, context.Git.Process, repository, context.Environment) is var wiring && wiring.RunsOurShim(hookName)
                ? wiring.ChainedHooks(hookName)
                : [])
    {
    }

    public HookChain(IProcessStarter processes, Func<IReadOnlyList<ChainedHook>> hooks)
    {
        _processes = processes;
        _hooks = new(() => Task.Run(hooks));
    }

    /// <summary>Starts finding the chained hooks (a git config call) now, so it overlaps the evidence calls of a guarded push.</summary>
    public void Prefetch() => _ = _hooks.Value;

    public async Task<int> RunAsync(IReadOnlyList<string> args, byte[] stdin)
    {
        foreach (var hook in await _hooks.Value)
        {
            var exitCode = RunOne(hook.Path, args, stdin);
            if (exitCode != 0) return exitCode;
        }
        return 0;
    }

    /// <summary>The hook with the same arguments and input, its output the guard's own; a hook that does not read its input is not an error.</summary>
    private int RunOne(string hook, IReadOnlyList<string> args, byte[] stdin) =>
        // Windows cannot start a script itself; git runs hooks with its own sh, and so do we.
        _processes.Run(OperatingSystem.IsWindows() && !hook.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)
            ? new ProcessRun("sh", [hook, .. args]) { Input = stdin }
            : new ProcessRun(hook, args) { Input = stdin }).ExitCode;

    /// <summary>An existing, executable file that is not one of our shims.</summary>
    internal static bool IsRunnable(IFileSystem files, string path)
    {
        try
        {
            return files.FileExists(path) && files.IsExecutable(path) && Shims.IsShim(files, path) == false;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
