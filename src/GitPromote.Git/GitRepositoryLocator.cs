using System.Runtime.CompilerServices;

using GitPromote.Core;
using GitPromote.Core.Settings;
using GitPromote.Platform;

namespace GitPromote.Git;

/// <summary>Where a repository lives: its git directory, the common directory (differs for linked worktrees), its work tree.</summary>
public sealed record GitLocation(string GitDir, string CommonDir, string? WorkTree)
{
    public string ConfigPath => Path.Combine(CommonDir, "config");
}

public enum GitBackend { LibGit2, Cli }

/// <summary>Which backend opens a repository, and why (shown by <c>doctor</c> and <c>--verbose</c>).</summary>
public sealed record BackendChoice(GitBackend Backend, string Reason);

/// <summary>
/// Finds repositories with plain file-system checks through the <see cref="IFileSystem"/> it is given (no git process, no
/// libgit2: LibGit2Sharp's <c>Repository.Discover</c> fails under Native AOT) and opens them with the backend that can read them.
/// </summary>
public static class GitRepositoryLocator
{
    private const int MaxGitFileBytes = 4096;

    /// <summary>
    /// Discovers the repository as git does: <c>GIT_DIR</c> (and <c>GIT_WORK_TREE</c>) when set; otherwise walking up from
    /// <paramref name="startDirectory"/> for a <c>.git</c> directory, a <c>.git</c> file (<c>gitdir: ...</c>, worktrees and
    /// submodules) or a bare repository, stopping at <c>GIT_CEILING_DIRECTORIES</c>.
    /// </summary>
    public static GitLocation? Locate(IFileSystem files, string startDirectory, IProcessEnvironment environment)
    {
        var start = Path.GetFullPath(startDirectory);
        var workTreeOverride = environment.NonEmpty("GIT_WORK_TREE") is { } wt ? Path.GetFullPath(wt, start) : null;

        if (environment.NonEmpty("GIT_DIR") is { } gitDirVariable)
        {
            var gitDir = Trim(Path.GetFullPath(gitDirVariable, start));
            if (!IsGitDirectory(files, gitDir)) return null;
            return Complete(files, gitDir, workTreeOverride, impliedWorkTree: null, fromEnvironment: true, start);
        }

        var ceilings = Ceilings(environment.Get("GIT_CEILING_DIRECTORIES"));
        for (var dir = Trim(start); dir is not null; dir = Parent(dir))
        {
            var dotGit = Path.Combine(dir, ".git");
            if (files.DirectoryExists(dotGit) && IsGitDirectory(files, dotGit))
                return Complete(files, dotGit, workTreeOverride, impliedWorkTree: dir, fromEnvironment: false, start);
            if (files.FileExists(dotGit) && ReadGitFile(files, dotGit) is { } target && IsGitDirectory(files, target))
                return Complete(files, target, workTreeOverride, impliedWorkTree: dir, fromEnvironment: false, start);
            if (IsGitDirectory(files, dir))
                return Complete(files, dir, workTreeOverride, impliedWorkTree: null, fromEnvironment: false, start);

            var parent = Parent(dir);
            if (parent is not null && ceilings.Contains(parent)) break;
        }
        return null;
    }

    /// <summary>Opens the repository at <paramref name="location"/> with the backend <see cref="ChooseBackend"/> picks.</summary>
    /// <param name="config">The repository's configuration when the caller has read it already (it is not read again).</param>
    public static IGitRepository Open(IFileSystem files, GitLocation location, IProcessEnvironment environment, GitProcess git, GitConfig? config = null)
    {
        var choice = ChooseBackend(files, location, environment);
        if (choice.Backend == GitBackend.Cli) return new CliGitRepository(files, location, git, config);
        var forced = IsForced(environment, "libgit2");
        try
        {
            return OpenLibGit2(files, location, git, config);
        }
        catch (Exception) when (!forced)
        {
            // libgit2 refused the repository (an extension it does not know, ownership, a broken native library): git can read it.
            return new CliGitRepository(files, location, git, config);
        }
    }

    /// <summary>
    /// The git CLI where libgit2 cannot see or read the repository: SHA-256, partial clones, <c>preciousObjects</c> or any
    /// extension libgit2 lacks, and objects in a quarantine or alternate directory given by the environment. libgit2 otherwise.
    /// </summary>
    public static BackendChoice ChooseBackend(IFileSystem files, GitLocation location, IProcessEnvironment environment)
    {
        if (IsForced(environment, "cli")) return new(GitBackend.Cli, $"{PromoteSettings.Variables.GitBackend}=cli");
        if (IsForced(environment, "libgit2")) return new(GitBackend.LibGit2, $"{PromoteSettings.Variables.GitBackend}=libgit2");

        foreach (var variable in new[] { "GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES" })
        {
            if (environment.NonEmpty(variable) is not null)
                return new(GitBackend.Cli, $"{variable} is set (objects outside the repository that libgit2 does not see)");
        }

        foreach (var entry in GitConfig.FromFile(files, location.ConfigPath).Entries)
        {
            var (key, value) = (entry.Key, entry.Value);
            if (key.StartsWith("extensions.", StringComparison.Ordinal) && key.IndexOf('.', "extensions.".Length) < 0)
            {
                var name = key["extensions.".Length..];
                switch (name)
                {
                    case "objectformat" when !string.Equals(value, "sha1", StringComparison.OrdinalIgnoreCase):
                        return new(GitBackend.Cli, $"extensions.objectFormat = {value}");
                    case "partialclone":
                        return new(GitBackend.Cli, "partial clone (extensions.partialClone)");
                    case "preciousobjects" when GitConfig.IsTrue(value ?? "true"):
                        return new(GitBackend.Cli, "extensions.preciousObjects");
                    case "objectformat" or "noop" or "worktreeconfig" or "preciousobjects":
                        break;
                    default:
                        return new(GitBackend.Cli, $"extensions.{name} (not known to libgit2)");
                }
            }
            if (key.StartsWith("remote.", StringComparison.Ordinal) && key.EndsWith(".promisor", StringComparison.Ordinal)
                && key.Length > "remote..promisor".Length && GitConfig.IsTrue(value ?? "true"))
                return new(GitBackend.Cli, $"partial clone ({key})");
        }
        return new(GitBackend.LibGit2, "default");
    }

    // Kept out of line so that merely choosing a backend never loads LibGit2Sharp or the native libgit2.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IGitRepository OpenLibGit2(IFileSystem files, GitLocation location, GitProcess git, GitConfig? config) =>
        new LibGit2Repository(files, location, git, config);

    private static bool IsForced(IProcessEnvironment environment, string backend) =>
        string.Equals(environment.NonEmpty(PromoteSettings.Variables.GitBackend)?.Trim(), backend, StringComparison.OrdinalIgnoreCase);

    private static GitLocation Complete(IFileSystem files, string gitDir, string? workTreeOverride, string? impliedWorkTree, bool fromEnvironment, string start)
    {
        gitDir = Trim(gitDir);
        var commonDir = CommonDirOf(files, gitDir);
        if (workTreeOverride is not null) return new GitLocation(gitDir, commonDir, Trim(workTreeOverride));
        if (impliedWorkTree is not null) return new GitLocation(gitDir, commonDir, impliedWorkTree);

        // Found as a git directory itself (bare, GIT_DIR, or started inside .git): work out whether it has a work tree.
        var linked = Path.Combine(gitDir, "gitdir");
        if (!string.Equals(commonDir, gitDir, StringComparison.Ordinal) && files.FileExists(linked)
            && ReadFirstLine(files, linked) is { Length: > 0 } dotGitFile)
        {
            return new GitLocation(gitDir, commonDir, Parent(Trim(Path.GetFullPath(dotGitFile, gitDir))));
        }
        var config = GitConfig.FromFile(files, Path.Combine(commonDir, "config"));
        if (config.Get("core.worktree") is { Length: > 0 } coreWorkTree)
            return new GitLocation(gitDir, commonDir, Trim(Path.GetFullPath(coreWorkTree, gitDir)));
        var bare = config.Get("core.bare");
        if (GitConfig.IsTrue(bare)) return new GitLocation(gitDir, commonDir, null);
        if (string.Equals(Path.GetFileName(gitDir), ".git", StringComparison.Ordinal))
            return new GitLocation(gitDir, commonDir, Parent(gitDir));
        // GIT_DIR without GIT_WORK_TREE in a non-bare repository: git takes the current directory as the work tree.
        if (fromEnvironment && bare is not null) return new GitLocation(gitDir, commonDir, Trim(start));
        return new GitLocation(gitDir, commonDir, null);
    }

    /// <summary>git's test: a HEAD file, and objects/ and refs/ (here or, for a linked worktree, in its common directory).</summary>
    internal static bool IsGitDirectory(IFileSystem files, string dir)
    {
        if (!files.FileExists(Path.Combine(dir, "HEAD"))) return false;
        var common = CommonDirOf(files, dir);
        return files.DirectoryExists(Path.Combine(common, "objects")) && files.DirectoryExists(Path.Combine(common, "refs"));
    }

    private static string CommonDirOf(IFileSystem files, string gitDir)
    {
        var file = Path.Combine(gitDir, "commondir");
        if (!files.FileExists(file)) return gitDir;
        var line = ReadFirstLine(files, file);
        return string.IsNullOrEmpty(line) ? gitDir : Trim(Path.GetFullPath(line, gitDir));
    }

    private static string? ReadGitFile(IFileSystem files, string path)
    {
        var line = ReadFirstLine(files, path);
        const string prefix = "gitdir:";
        if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var target = line[prefix.Length..].Trim();
        return target.Length == 0 ? null : Trim(Path.GetFullPath(target, Path.GetDirectoryName(path)!));
    }

    private static string? ReadFirstLine(IFileSystem files, string path)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(files.ReadBytes(path, MaxGitFileBytes));
            var eol = text.IndexOfAny(['\r', '\n']);
            return (eol < 0 ? text : text[..eol]).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static HashSet<string> Ceilings(string? variable)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(variable)) return set;
        foreach (var entry in variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Path.IsPathFullyQualified(entry)) set.Add(Trim(Path.GetFullPath(entry)));
        }
        return set;
    }

    private static string? Parent(string dir) => Path.GetDirectoryName(dir) is { Length: > 0 } p ? p : null;

    private static string Trim(string path) =>
        path.Length > 1 && (path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            && Path.GetPathRoot(path) != path
            ? path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            : path;
}
