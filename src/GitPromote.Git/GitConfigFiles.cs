using GitPromote.Core;

namespace GitPromote.Git;

/// <summary>One setting as git's config files hold it: <c>section[.subsection].name</c> (section and name lower-cased), its scope and file.</summary>
public sealed record ConfigFileEntry(string Key, string? Value, string Scope, string File);

/// <summary>
/// git's configuration read straight from its files, so a hook that only needs a few settings starts no <c>git config</c>
/// process (one costs about as much as the rest of an unguarded push). Only where the answer is certainly git's: the
/// files are the ones git reads (system, global, the repository's), none includes another or holds a backslash (escapes,
/// continued lines) or a quoted value, no <c>-c</c>/GIT_CONFIG_COUNT settings or per-worktree config are in play, and the
/// system file's location is known (git from a /usr prefix reads /etc/gitconfig; GIT_CONFIG_SYSTEM or
/// GIT_CONFIG_NOSYSTEM say otherwise). Otherwise null, and the caller asks git.
/// </summary>
public static class GitConfigFiles
{
    /// <summary>Folders a git with prefix <c>/usr</c> runs from (its exec-path is first on a hook's PATH).</summary>
    private static readonly string[] UsrPrefixGitDirs = ["/usr/bin", "/bin", "/usr/lib/git-core", "/usr/libexec/git-core"];

    /// <summary>Every entry in git's order (system, global, local: the last value wins), or null when only git can tell.</summary>
    public static IReadOnlyList<ConfigFileEntry>? TryRead(string commonDir, IProcessEnvironment environment)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string? Env(string name) => environment.Get(name) is { Length: > 0 } v ? v : null;
        if (Env("GIT_CONFIG_PARAMETERS") is not null || Env("GIT_CONFIG_COUNT") is not null) return null;

        var files = new List<(string Scope, string Path)>();
        if (!RepositoryConfigFile.IsTrue(Env("GIT_CONFIG_NOSYSTEM")))
        {
            var system = Env("GIT_CONFIG_SYSTEM");
            if (system is null)
            {
                if (!GitHasUsrPrefix(Env("PATH"))) return null;
                system = "/etc/gitconfig";
            }
            files.Add(("system", system));
        }
        if (Env("GIT_CONFIG_GLOBAL") is { } global) files.Add(("global", global));
        else
        {
            if (Env("HOME") is not { } home) return null;
            files.Add(("global", Path.Combine(Env("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "git", "config")));
            files.Add(("global", Path.Combine(home, ".gitconfig")));
        }
        files.Add(("local", Path.Combine(commonDir, "config")));

        var entries = new List<ConfigFileEntry>();
        foreach (var (scope, path) in files)
        {
            string text;
            try
            {
                if (!File.Exists(path)) continue;
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (text.Contains("include", StringComparison.OrdinalIgnoreCase) || text.Contains('\\') || HasQuotedValue(text)) return null;
            var file = RepositoryConfigFile.FromText(text);
            if (scope == "local" && RepositoryConfigFile.IsTrue(file.Get("extensions", null, "worktreeconfig"))) return null;
            foreach (var (section, subsection, name, value) in file.Entries)
                entries.Add(new ConfigFileEntry(subsection is null ? $"{section}.{name}" : $"{section}.{subsection}.{name}", value, scope, path));
        }
        return entries;
    }

    /// <summary>The folder that holds the repository's config: <paramref name="gitDir"/>, or for a linked worktree its <c>commondir</c>.</summary>
    public static string CommonDir(string gitDir)
    {
        try
        {
            var pointer = Path.Combine(gitDir, "commondir");
            if (!File.Exists(pointer)) return gitDir;
            return Path.GetFullPath(File.ReadAllText(pointer).Trim(), gitDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return gitDir;
        }
    }

    /// <summary>A value in quotes: git keeps its spaces exactly, which is for git to say.</summary>
    private static bool HasQuotedValue(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimStart();
            if (line.StartsWith('[')) line = line[(line.IndexOf(']') + 1)..];
            var eq = line.IndexOf('=');
            if (eq >= 0 && line.IndexOf('"', eq) >= 0) return true;
        }
        return false;
    }

    /// <summary>Whether the first <c>git</c> on PATH is one installed with prefix /usr (a distribution's git).</summary>
    private static bool GitHasUsrPrefix(string? path)
    {
        if (path is null) return false;
        foreach (var dir in path.Split(':'))
        {
            if (dir.Length == 0) continue;
            if (!File.Exists(Path.Combine(dir, "git"))) continue;
            return UsrPrefixGitDirs.Contains(dir.TrimEnd('/'));
        }
        return false;
    }
}
