using System.Diagnostics;

namespace GitPromote.Cli.Services;

/// <summary>
/// Runs the repository's own hook after ours: <c>core.hooksPath</c> hides <c>.git/hooks</c>, and a clone's
/// existing pre-push (a linter, a secret scanner) must keep working. Same arguments, same stdin.
/// </summary>
public sealed class HookChain(string gitDir, string hookName)
{
    /// <summary>Marks our own shims, so a shim copied into .git/hooks is never chained to itself.</summary>
    public const string ShimMarker = "git-promote-shim";

    public async Task<int> RunAsync(IReadOnlyList<string> args, byte[] stdin)
    {
        var hook = Path.Combine(gitDir, "hooks", hookName);
        if (!IsRunnable(hook)) return 0;

        var start = new ProcessStartInfo(hook)
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
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

    private static bool IsRunnable(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return false;
            if (!OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) == 0) return false;
            using var reader = new StreamReader(path);
            var head = new char[512];
            var n = reader.Read(head, 0, head.Length);
            return !new string(head, 0, n).Contains(ShimMarker, StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
