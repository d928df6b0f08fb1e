using GitPromote.Cli.Infrastructure;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// Where an installation keeps its parts: <c>PREFIX/bin/git-promote</c> and <c>PREFIX/share/git-promote/hooks/</c>
/// (install.sh). Found from the running binary, so a hook never depends on PATH.
/// </summary>
public static class InstalledLayout
{
    public static string BinaryPath => Environment.ProcessPath ?? "git-promote";

    public static string HooksDir =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(BinaryPath) ?? ".", "..", "share", "git-promote", "hooks"));

    public static string RequireHooksDir(IFileSystem files, string? overrideDir)
    {
        var dir = Path.GetFullPath(overrideDir ?? HooksDir);
        if (!IsOurHooksDir(files, dir))
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"no git-promote hooks in {dir}",
                "install git-promote with ./install.sh (it puts the hooks beside the binary), or pass --hooks-dir");
        return dir;
    }

    /// <summary>
    /// True when <paramref name="dir"/> holds git-promote's shims (any installation, any version), even when a hook manager
    /// has put its own files over some of them: one of the guard's hooks or the pass-through library is git-promote's.
    /// </summary>
    public static bool IsOurHooksDir(IFileSystem files, string dir) =>
        new[] { "pre-push", Shims.LibraryName, "pre-receive" }.Any(name => Shims.IsShim(files, Path.Combine(dir, name)) == true);
}
