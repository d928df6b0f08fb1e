using GitPromote.Git;

namespace GitPromote.Cli.Services;

/// <summary>
/// The hook settings (<c>core.hooksPath</c>, <c>promote.*hooksPath</c>) read straight from git's config files, so an
/// unguarded push starts no <c>git config</c> process. Only where the answer is certainly git's: the files are the ones
/// git reads (system, global, the repository's), none includes another or holds a backslash (escapes, continued
/// lines), no <c>-c</c>/GIT_CONFIG_COUNT settings or per-worktree config are in play, and the system file's location
/// is known (git from a /usr prefix reads /etc/gitconfig; GIT_CONFIG_SYSTEM or GIT_CONFIG_NOSYSTEM say otherwise).
/// Otherwise null, and the caller asks git.
/// </summary>
internal static class HookSettingsFiles
{
    private static readonly string[] Keys = ["core.hookspath", "promote.chainhookspath", "promote.previoushookspath", "promote.installedhookspath"];

    /// <summary>Folders a git with prefix <c>/usr</c> runs from (its exec-path is first on a hook's PATH).</summary>
    private static readonly string[] UsrPrefixGitDirs = ["/usr/bin", "/bin", "/usr/lib/git-core", "/usr/libexec/git-core"];

    public static IReadOnlyList<ConfigValue>? TryRead(GitLocation repository, Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
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
        files.Add(("local", Path.Combine(repository.CommonDir, "config")));

        var settings = new List<ConfigValue>();
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
            if (text.Contains("include", StringComparison.OrdinalIgnoreCase) || text.Contains('\\')) return null;
            var file = RepositoryConfigFile.FromText(text);
            if (scope == "local" && RepositoryConfigFile.IsTrue(file.Get("extensions", null, "worktreeconfig"))) return null;
            foreach (var (section, subsection, name, value) in file.Entries)
            {
                if (subsection is not null) continue;
                var key = section + "." + name;
                if (!Keys.Contains(key)) continue;
                if (value is null) return null; // a bare key: git's reading of it is not a path
                settings.Add(new ConfigValue(key, value, scope, "file:" + path));
            }
        }
        return settings;
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
