using GitPromote.Cli.Infrastructure;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// git-promote's shims in a hooks folder someone else owns (a company folder every clone's core.hooksPath points at):
/// their hook of the same name is kept as <c>&lt;hook&gt;.local</c>, which the guard runs after an allowed push, and a
/// pointer file names the binary (the folder is not inside a git-promote installation). Removing puts theirs back.
/// Every file is replaced by a rename, so a push running meanwhile sees the old hook or the new one, never none.
/// </summary>
public static class SharedHooksFolder
{
    public static bool HasShims(IFileSystem files, string dir) => files.FileExists(Path.Combine(dir, HookWiring.BinaryPointerFile));

    public static string? ReadBinaryPointer(IFileSystem files, string dir)
    {
        var path = Path.Combine(dir, HookWiring.BinaryPointerFile);
        if (!files.FileExists(path)) return null;
        var line = files.ReadStart(path, 4096)?.Split('\n')[0].Trim();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    /// <summary>
    /// Adds (or refreshes) the client shims in <paramref name="dir"/>, creating it if needed; returns what it did, for the user.
    /// Checks everything before changing anything: a hook that exists both plainly and as <c>.local</c> is refused.
    /// </summary>
    public static IReadOnlyList<string> AddShims(IFileSystem files, string dir, string binaryPath)
    {
        var ours = HasShims(files, dir);
        foreach (var hook in Shims.ClientHooks)
        {
            var target = Path.Combine(dir, hook);
            var local = target + HookWiring.LocalSuffix;
            var state = HookWiring.ShimStateOf(files, target, hook);
            if (files.FileExists(local) && (state == ShimState.NotGitPromote || (state == ShimState.Missing && !ours)))
                throw new CommandFailedException(ExitCodes.UsageOrPolicy,
                    state == ShimState.Missing
                        ? $"{local} exists: git-promote keeps a folder's own {hook} under that name, and would start running it"
                        : $"{target} and {local} both exist: git-promote would keep {hook} as {hook}{HookWiring.LocalSuffix}",
                    $"rename or remove {local} first");
        }

        var done = new List<string>();
        var created = !files.DirectoryExists(dir);
        files.CreateDirectory(dir);
        files.WriteAtomically(Path.Combine(dir, HookWiring.BinaryPointerFile),
            (OperatingSystem.IsWindows() ? binaryPath.Replace('\\', '/') : binaryPath) + "\n", executable: false);
        // The library the shims read to run the hooks they stand in for (the pre-push shim too, when the program is missing).
        files.WriteAtomically(Path.Combine(dir, Shims.LibraryName), Shims.Text(Shims.LibraryName)!, executable: true);
        done.AddRange(PassThroughs(files, dir, created));
        foreach (var hook in Shims.ClientHooks)
        {
            var target = Path.Combine(dir, hook);
            var state = HookWiring.ShimStateOf(files, target, hook);
            if (state == ShimState.NotGitPromote)
            {
                // Copied, not moved: until our shim is renamed over it, their hook is still in place.
                files.Copy(target, target + HookWiring.LocalSuffix, overwrite: false);
                done.Add($"kept the folder's own {hook} as {hook}{HookWiring.LocalSuffix}: it runs after the guard, with the same arguments and input");
            }
            files.WriteAtomically(target, Shims.Text(hook)!, executable: true);
            done.Add(state switch
            {
                ShimState.Current => $"{hook}: git-promote's shim, already current",
                ShimState.Outdated => $"{hook}: git-promote's shim updated",
                _ => $"{hook}: git-promote's shim added",
            });
        }
        return done;
    }

    /// <summary>Takes git-promote's shims out of <paramref name="dir"/>, putting the folder's own hooks back; returns what it did.</summary>
    public static IReadOnlyList<string> RemoveShims(IFileSystem files, string dir)
    {
        var done = new List<string>();
        foreach (var hook in Shims.ClientHooks)
        {
            var target = Path.Combine(dir, hook);
            var local = target + HookWiring.LocalSuffix;
            if (HookWiring.ShimStateOf(files, target, hook) is not (ShimState.Current or ShimState.Outdated)) continue;
            if (files.FileExists(local))
            {
                files.Move(local, target, overwrite: true);
                done.Add($"{hook}{HookWiring.LocalSuffix} is {hook} again");
            }
            else
            {
                files.Delete(target);
                done.Add($"removed git-promote's {hook}");
            }
        }
        var removed = Shims.PassThroughHooks.Concat(Shims.PerRefHooks).Where(hook =>
            HookWiring.ShimStateOf(files, Path.Combine(dir, hook), hook) is ShimState.Current or ShimState.Outdated).ToList();
        foreach (var hook in removed) files.Delete(Path.Combine(dir, hook));
        if (removed.Count > 0) done.Add($"removed git-promote's pass-through hooks: {string.Join(", ", removed)}");
        if (Shims.IsShim(files, Path.Combine(dir, Shims.LibraryName)) == true) files.Delete(Path.Combine(dir, Shims.LibraryName));
        files.Delete(Path.Combine(dir, HookWiring.BinaryPointerFile));
        return done;
    }

    /// <summary>
    /// The pass-through hooks of a shared folder. One git-promote creates gets one under every name git runs (so the
    /// hooks the new core.hooksPath hides keep running); in one that was there, its owners decide what runs, and only
    /// pass-through hooks already in it are refreshed.
    /// </summary>
    private static IEnumerable<string> PassThroughs(IFileSystem files, string dir, bool created)
    {
        List<string> added = [], updated = [];
        foreach (var hook in Shims.PassThroughHooks.Concat(Shims.PerRefHooks))
        {
            var target = Path.Combine(dir, hook);
            var state = HookWiring.ShimStateOf(files, target, hook);
            if (state == ShimState.Outdated || (state == ShimState.Missing && created && Shims.PassThroughHooks.Contains(hook)))
            {
                files.WriteAtomically(target, Shims.Text(hook)!, executable: true);
                (state == ShimState.Outdated ? updated : added).Add(hook);
            }
        }
        if (added.Count > 0) yield return $"pass-through hooks added (the hooks of these names that the folder hides keep running): {string.Join(", ", added)}";
        if (updated.Count > 0) yield return $"pass-through hooks updated: {string.Join(", ", updated)}";
    }
}
