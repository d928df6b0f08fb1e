using System.Text.RegularExpressions;
using GitPromote.Cli.Infrastructure;
using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// An installation's hooks folder (<c>PREFIX/share/git-promote/hooks</c>) compared with the shims this binary carries.
/// Every clone wired to the installation runs these files, so a hook manager that writes into the folder (<c>lefthook
/// install --force</c> renames the guard's <c>pre-push</c> to <c>pre-push.old</c> and puts its own in its place) leaves
/// every one of those clones unguarded.
/// </summary>
/// <param name="Missing">Names of <see cref="Shims.InstalledFiles"/> with no file.</param>
/// <param name="Outdated">git-promote's files of another version.</param>
/// <param name="Displaced">Names of git-promote's files that hold someone else's file.</param>
/// <param name="MovedShims">git-promote's files under another name (<c>pre-push.old</c>).</param>
/// <param name="Foreign">Other files that are not git-promote's: they run for no clone, or for every one.</param>
public sealed record HooksFolderState(string Dir, IReadOnlyList<string> Missing, IReadOnlyList<string> Outdated, IReadOnlyList<string> Displaced,
    IReadOnlyList<string> MovedShims, IReadOnlyList<string> Foreign)
{
    /// <summary>Every file git-promote installs is there, of this binary's version, and none of them was moved.</summary>
    public bool IsIntact => Missing.Count == 0 && Outdated.Count == 0 && Displaced.Count == 0 && MovedShims.Count == 0;

    /// <summary>One line for the user: what is wrong, or null when nothing is.</summary>
    public string? Describe()
    {
        var parts = new List<string>();
        if (Displaced.Count > 0) parts.Add($"replaced by files that are not git-promote's: {string.Join(", ", Displaced)}");
        if (MovedShims.Count > 0) parts.Add($"git-promote's hooks moved aside: {string.Join(", ", MovedShims)}");
        if (Missing.Count > 0) parts.Add($"missing: {string.Join(", ", Missing)}");
        if (Outdated.Count > 0) parts.Add($"not this binary's version: {string.Join(", ", Outdated)}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}

public static class InstalledHooksFolder
{
    /// <summary>Suffix under which <see cref="Repair"/> keeps a file that stood under one of git-promote's names.</summary>
    public const string DisplacedSuffix = ".displaced";

    /// <summary>An installer's own temporary files: NAME.tmp.PID (install.sh, this binary) and NAME.old.PID (install.ps1 on Windows).</summary>
    private static readonly Regex InstallerLeftover = new(@"\.(tmp|old)\.[0-9]+$", RegexOptions.CultureInvariant);

    public static HooksFolderState Inspect(IFileSystem files, string dir)
    {
        List<string> missing = [], outdated = [], displaced = [], moved = [], foreign = [];
        foreach (var name in Shims.InstalledFiles)
        {
            switch (HookWiring.ShimStateOf(files, Path.Combine(dir, name), name))
            {
                case ShimState.Missing: missing.Add(name); break;
                case ShimState.Outdated: outdated.Add(name); break;
                case ShimState.NotGitPromote: displaced.Add(name); break;
            }
        }
        foreach (var name in files.FileNames(dir))
        {
            if (Shims.InstalledFiles.Contains(name) || InstallerLeftover.IsMatch(name)) continue;
            if (Shims.IsShim(files, Path.Combine(dir, name)) == true) moved.Add(name);
            else foreign.Add(name);
        }
        return new HooksFolderState(dir, missing, outdated, displaced, moved, foreign);
    }

    /// <summary>
    /// Puts this binary's shims back where they are missing, outdated or displaced (keeping a displaced file as
    /// NAME.displaced, beside the others that are not git-promote's), and removes git-promote's files moved under other
    /// names. Each file is replaced by a rename. Returns what it did; a folder this user may not write is a failure that
    /// says how to repair it.
    /// </summary>
    public static IReadOnlyList<string> Repair(IFileSystem files, HooksFolderState state)
    {
        var done = new List<string>();
        try
        {
            foreach (var name in state.Displaced)
            {
                var path = Path.Combine(state.Dir, name);
                files.Copy(path, path + DisplacedSuffix, overwrite: true);
                files.WriteAtomically(path, Shims.Text(name)!, executable: true);
                done.Add($"{name}: git-promote's again; the file that stood there is kept as {name}{DisplacedSuffix}");
            }
            foreach (var name in state.Missing.Concat(state.Outdated))
            {
                files.WriteAtomically(Path.Combine(state.Dir, name), Shims.Text(name)!, executable: true);
                done.Add(state.Missing.Contains(name) ? $"{name}: put back" : $"{name}: updated to this binary's version");
            }
            foreach (var name in state.MovedShims)
            {
                files.Delete(Path.Combine(state.Dir, name));
                done.Add($"{name}: an old copy of git-promote's hook, removed");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UsageOrPolicy,
                $"git-promote's hooks folder {state.Dir} needs repair ({state.Describe()}), and it cannot be written here: {e.Message}",
                $"run the same command as the folder's owner (e.g. sudo {InstalledLayout.BinaryPath} install ...), or re-run the installer that put it there");
        }
        return done;
    }
}
