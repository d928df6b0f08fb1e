using System.Diagnostics;
using GitPromote.Core;
using GitPromote.Git;

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

    private readonly Lazy<Task<IReadOnlyList<ChainedHook>>> _hooks;

    /// <summary>
    /// The hooks to run after the guard when git ran git-promote's own shim of <paramref name="hookName"/>; none when the
    /// guard was started some other way (a hook manager's hook, <c>.husky/pre-push</c>, a lefthook job): nothing of theirs
    /// is hidden by git-promote then, and their hook chained back to the guard would start it again.
    /// </summary>
    public HookChain(GitLocation repository, string hookName, IProcessEnvironment environment)
        : this(() => HookWiring.ReadForHook(repository, environment) is var wiring && wiring.RunsOurShim(hookName)
            ? wiring.ChainedHooks(hookName)
            : [])
    {
    }

    public HookChain(Func<IReadOnlyList<ChainedHook>> hooks) => _hooks = new(() => Task.Run(hooks));

    /// <summary>Starts finding the chained hooks (a git config call) now, so it overlaps the evidence calls of a guarded push.</summary>
    public void Prefetch() => _ = _hooks.Value;

    public async Task<int> RunAsync(IReadOnlyList<string> args, byte[] stdin)
    {
        foreach (var hook in await _hooks.Value)
        {
            var exitCode = await RunOneAsync(hook.Path, args, stdin);
            if (exitCode != 0) return exitCode;
        }
        return 0;
    }

    private static async Task<int> RunOneAsync(string hook, IReadOnlyList<string> args, byte[] stdin)
    {
        var start = new ProcessStartInfo(hook) { RedirectStandardInput = true, UseShellExecute = false };
        if (OperatingSystem.IsWindows() && !hook.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            // Windows cannot start a script itself; git runs hooks with its own sh, and so do we.
            start.FileName = "sh";
            start.ArgumentList.Add(hook);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The chained hook did not read its input; that is its business.
        }
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>An existing, executable file that is not one of our shims.</summary>
    internal static bool IsRunnable(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return false;
            if (!OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) == 0) return false;
            return Shims.IsShim(path) == false;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
