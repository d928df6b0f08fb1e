using GitPromote.Core;
using GitPromote.Core.Evidence;
using GitPromote.Platform;

namespace GitPromote.Git;

/// <summary>The config levels git reads, lowest precedence first (<c>git config --show-scope</c> names them).</summary>
public enum ConfigLevel { System, Global, Local, Worktree, Command, Unknown }

/// <summary>
/// One setting: <c>section[.subsection].name</c> as git lists it (section and name lower-cased, the subsection exact), its
/// value (null for a bare key, which git reads as true), its level and git's origin (<c>file:/home/dana/.gitconfig</c>,
/// <c>command line:</c>).
/// </summary>
public sealed record ConfigEntry(string Key, string? Value, ConfigLevel Level, string Origin)
{
    /// <summary>git's name for the level: system, global, local, worktree, command (or unknown).</summary>
    public string Scope => GitConfig.ScopeName(Level);
}

/// <summary>
/// git's configuration with its levels, the one reader of it: every entry in git's order (the last value wins), as
/// <c>git config --list --show-scope --show-origin</c> sees it. Read straight from git's files where that is certainly
/// git's answer (<see cref="FromFiles"/>: no process, which on an unguarded push costs about as much as the rest of it),
/// else from one <c>git config</c> process. Writing stays with <c>git config</c> itself.
/// </summary>
public sealed class GitConfig
{
    private const int MaxFileBytes = 1024 * 1024;

    /// <summary>Folders a git with prefix <c>/usr</c> runs from (its exec-path is first on a hook's PATH).</summary>
    private static readonly string[] UsrPrefixGitDirs = ["/usr/bin", "/bin", "/usr/lib/git-core", "/usr/libexec/git-core"];

    private GitConfig(List<ConfigEntry> entries, bool fromFiles)
    {
        Entries = entries;
        ReadFromFiles = fromFiles;
    }

    public static GitConfig Empty { get; } = new([], false);

    /// <summary>Every entry, lowest precedence first.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    /// <summary>Whether the files were read directly (no <c>git config</c> process ran).</summary>
    public bool ReadFromFiles { get; }

    /// <summary>
    /// The repository's effective configuration: from git's files when <see cref="FromFiles"/> can be sure, else from one
    /// <c>git --git-dir=&lt;gitDir&gt; config --list</c>. git, not libgit2, because git also honours
    /// GIT_CONFIG_GLOBAL/NOSYSTEM/PARAMETERS, includeIf, and reads the global config under Native AOT (where LibGit2Sharp's
    /// config search paths come back empty). Levels and origins only with <paramref name="levels"/> (git &gt;= 2.26 names
    /// them; an older git gives the entries at <see cref="ConfigLevel.Unknown"/>). Throws
    /// <see cref="GitConfigUnreadableException"/> when git cannot read it: the guard's settings and remotes live there, so
    /// reading nothing would wave a guarded push through.
    /// </summary>
    public static GitConfig Read(IFileSystem files, string gitDir, GitProcess git, TimeSpan timeout, bool levels = false)
    {
        // The environment git would run with: the process's, with git's own overrides on top.
        if (FromFiles(files, gitDir, git.ChildEnvironment) is { } fromFiles) return fromFiles;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var (config, failed) = Run(git, gitDir, ["--git-dir=" + gitDir], [], levels, deadline.Token);
            return config ?? throw new GitConfigUnreadableException(GitErrors.Failed(failed.Arguments, failed.ExitCode, failed.Stderr).Message);
        }
        catch (Exception e) when (Deadline.Passed(e, deadline.Token))
        {
            throw new GitConfigUnreadableException($"git config --list: {EvidenceFailure.NoAnswerInTime(timeout)}");
        }
        catch (GitCommandException e)
        {
            throw new GitConfigUnreadableException(e.Message);
        }
    }

    /// <summary>
    /// <c>git [gitOptions] config [levelOptions] --list</c> run in <paramref name="workingDirectory"/>, parsed; empty when git
    /// fails (no such file, a broken config). <paramref name="levelOptions"/> such as <c>--local</c> read one level's own file
    /// (its includes not followed, as <c>git config --local --get</c>). With <paramref name="levels"/>, each entry's level
    /// and origin too, where git names them (git &gt;= 2.26; else <see cref="ConfigLevel.Unknown"/>).
    /// </summary>
    public static GitConfig FromGit(GitProcess git, string workingDirectory, IReadOnlyList<string> gitOptions, IReadOnlyList<string> levelOptions,
        TimeSpan timeout, bool levels = false)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return Run(git, workingDirectory, gitOptions, levelOptions, levels, deadline.Token).Config ?? Empty;
    }

    /// <summary>git's exit code for an option it does not know (git before 2.26 on <c>--show-scope</c>).</summary>
    private const int UsageExitCode = 129;

    /// <summary>The parsed list, or null and the failed run.</summary>
    private static (GitConfig? Config, GitResult Result) Run(GitProcess git, string workingDirectory, IReadOnlyList<string> gitOptions,
        IReadOnlyList<string> levelOptions, bool levels, CancellationToken deadline)
    {
        GitResult List(bool named) => git.Run(workingDirectory,
            [.. gitOptions, "config", .. levelOptions, "--list", "-z", .. (named ? (string[])["--show-scope", "--show-origin"] : [])], null, deadline);
        var result = List(levels);
        if (levels && result.ExitCode == UsageExitCode)
        {
            // An older git: the entries without their levels rather than none at all.
            levels = false;
            result = List(false);
        }
        if (!result.Succeeded) return (null, result);
        return (levels ? Parse(result.StdoutText) : ParseUnnamed(result.StdoutText), result);
    }

    /// <summary>Parses <c>git config -z --list --show-scope --show-origin</c>: scope NUL origin NUL key [LF value] NUL.</summary>
    public static GitConfig Parse(string output)
    {
        var parts = output.Split('\0');
        var entries = new List<ConfigEntry>();
        for (var i = 0; i + 2 < parts.Length; i += 3)
        {
            var record = parts[i + 2];
            var nl = record.IndexOf('\n');
            entries.Add(new ConfigEntry(nl < 0 ? record : record[..nl], nl < 0 ? null : record[(nl + 1)..], LevelOf(parts[i]), parts[i + 1]));
        }
        return new GitConfig(entries, false);
    }

    /// <summary>Parses <c>git config -z --list</c> (no levels): key [LF value] NUL, each at <see cref="ConfigLevel.Unknown"/> with no origin.</summary>
    public static GitConfig ParseUnnamed(string output)
    {
        var entries = new List<ConfigEntry>();
        foreach (var record in output.Split('\0'))
        {
            if (record.Length == 0) continue;
            var nl = record.IndexOf('\n');
            entries.Add(new ConfigEntry(nl < 0 ? record : record[..nl], nl < 0 ? null : record[(nl + 1)..], ConfigLevel.Unknown, ""));
        }
        return new GitConfig(entries, false);
    }

    /// <summary>
    /// The configuration from git's files, without a process, or null when only git can tell: the files are the ones git
    /// reads (system, global, the repository's), none includes another or holds a backslash (escapes, continued lines) or a
    /// quoted value, no <c>-c</c>/GIT_CONFIG_COUNT settings or per-worktree config are in play, and the system file's
    /// location is known (git from a /usr prefix reads /etc/gitconfig; GIT_CONFIG_SYSTEM or GIT_CONFIG_NOSYSTEM say otherwise).
    /// </summary>
    public static GitConfig? FromFiles(IFileSystem files, string gitDir, IProcessEnvironment environment)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string? Env(string name) => environment.NonEmpty(name);
        if (Env("GIT_CONFIG_PARAMETERS") is not null || Env("GIT_CONFIG_COUNT") is not null) return null;

        var levels = new List<(ConfigLevel Level, string Path)>();
        if (!IsTrue(Env("GIT_CONFIG_NOSYSTEM")))
        {
            var system = Env("GIT_CONFIG_SYSTEM");
            if (system is null)
            {
                if (!GitHasUsrPrefix(files, Env("PATH"))) return null;
                system = "/etc/gitconfig";
            }
            levels.Add((ConfigLevel.System, system));
        }
        if (Env("GIT_CONFIG_GLOBAL") is { } global) levels.Add((ConfigLevel.Global, global));
        else
        {
            if (Env("HOME") is not { } home) return null;
            levels.Add((ConfigLevel.Global, Path.Combine(Env("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "git", "config")));
            levels.Add((ConfigLevel.Global, Path.Combine(home, ".gitconfig")));
        }
        levels.Add((ConfigLevel.Local, Path.Combine(CommonDir(files, gitDir), "config")));

        var entries = new List<ConfigEntry>();
        foreach (var (level, path) in levels)
        {
            string text;
            try
            {
                if (!files.FileExists(path)) continue;
                text = files.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (text.Contains("include", StringComparison.OrdinalIgnoreCase) || text.Contains('\\') || HasQuotedValue(text)) return null;
            var file = FromText(text, level, "file:" + path);
            if (level == ConfigLevel.Local && IsTrue(file.Get("extensions.worktreeconfig"))) return null;
            entries.AddRange(file.Entries);
        }
        return new GitConfig(entries, true);
    }

    /// <summary>
    /// One config file as written, without git or libgit2 (includes not followed; values unquoted, escapes beyond
    /// <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\t</c>, <c>\b</c> kept as they are): enough to choose a backend from the
    /// repository's own <c>config</c> (<c>extensions.*</c>, <c>remote.*.promisor</c>, <c>core.bare</c>, <c>core.worktree</c>).
    /// A missing or unreadable file reads as empty.
    /// </summary>
    public static GitConfig FromFile(IFileSystem files, string path, ConfigLevel level = ConfigLevel.Local)
    {
        try
        {
            return FromText(System.Text.Encoding.UTF8.GetString(files.ReadBytes(path, MaxFileBytes)), level, "file:" + path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Empty;
        }
    }

    /// <summary>Config file text, read as <see cref="FromFile"/> reads a file.</summary>
    public static GitConfig FromText(string text, ConfigLevel level = ConfigLevel.Local, string origin = "")
    {
        var entries = new List<ConfigEntry>();
        string section = "";
        string? subsection = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                var close = line.LastIndexOf(']');
                if (close < 0) continue;
                var header = line[1..close].Trim();
                var quote = header.IndexOf('"');
                if (quote >= 0)
                {
                    section = header[..quote].Trim().ToLowerInvariant();
                    subsection = Unquote(header[quote..]);
                }
                else
                {
                    var dot = header.IndexOf('.');
                    // Old syntax [section.subsection]: the subsection is lower-cased by git.
                    section = (dot < 0 ? header : header[..dot]).ToLowerInvariant();
                    subsection = dot < 0 ? null : header[(dot + 1)..].ToLowerInvariant();
                }
                var rest = line[(close + 1)..].Trim();
                if (rest.Length == 0 || rest[0] is '#' or ';') continue;
                line = rest; // "[core] bare = true" on one line
            }
            var eq = line.IndexOf('=');
            var name = (eq < 0 ? line : line[..eq]).Trim().ToLowerInvariant();
            if (name.Length == 0) continue;
            var key = subsection is null ? $"{section}.{name}" : $"{section}.{subsection}.{name}";
            entries.Add(new ConfigEntry(key, eq < 0 ? null : Value(line[(eq + 1)..]), level, origin));
        }
        return new GitConfig(entries, true);
    }

    /// <summary>The last value of <paramref name="key"/>, matched as git does (section and name without case, subsection exactly); a bare key reads
    /// "true".</summary>
    public string? Get(string key) => Last(key) is { } e ? e.Value ?? "true" : null;

    /// <summary>The entry that wins for <paramref name="key"/>, or null.</summary>
    public ConfigEntry? Last(string key)
    {
        var normalized = Normalize(key);
        if (normalized is null) return null;
        for (var i = Entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Entries[i].Key, normalized, StringComparison.Ordinal)) return Entries[i];
        }
        return null;
    }

    /// <summary>Every value of a multi-valued <paramref name="key"/>, lowest precedence first (as <c>git config --get-all</c>); a bare key reads "".</summary>
    public IReadOnlyList<string> All(string key)
    {
        var normalized = Normalize(key);
        return normalized is null ? [] : Entries.Where(e => string.Equals(e.Key, normalized, StringComparison.Ordinal)).Select(e => e.Value ?? "").ToList();
    }

    /// <summary>Remotes in the order their first <c>remote.&lt;name&gt;.url</c> appears, with <c>insteadOf</c>/<c>pushInsteadOf</c> applied as git applies
    /// them.</summary>
    public IReadOnlyList<GitRemote> Remotes()
    {
        var order = new List<string>();
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        var pushUrls = new Dictionary<string, string>(StringComparer.Ordinal);
        var insteadOf = new List<(string Prefix, string Base)>();
        var pushInsteadOf = new List<(string Prefix, string Base)>();
        foreach (var entry in Entries)
        {
            if (entry.Value is not { } value) continue;
            if (Split(entry.Key) is not var (section, sub, name) || sub is null) continue;
            if (section == "remote")
            {
                if (name == "url" && !urls.ContainsKey(sub)) { urls[sub] = value; order.Add(sub); }
                else if (name == "pushurl" && !pushUrls.ContainsKey(sub)) pushUrls[sub] = value;
            }
            else if (section == "url")
            {
                if (name == "insteadof") insteadOf.Add((value, sub));
                else if (name == "pushinsteadof") pushInsteadOf.Add((value, sub));
            }
        }

        var remotes = new List<GitRemote>();
        foreach (var name in order)
        {
            var raw = urls[name];
            var url = Rewrite(raw, insteadOf) ?? raw;
            string push;
            if (pushUrls.TryGetValue(name, out var explicitPush)) push = Rewrite(explicitPush, insteadOf) ?? explicitPush;
            else push = Rewrite(raw, pushInsteadOf) ?? url;
            remotes.Add(new GitRemote(name, url, push));
        }
        return remotes;
    }

    /// <summary>git's boolean reading: true/yes/on/1 (and a bare key) are true; anything else, or absent, is false.</summary>
    public static bool IsTrue(string? value) => Core.Settings.PromoteSettings.IsTrue(value);

    /// <summary>The folder that holds the repository's config: <paramref name="gitDir"/>, or for a linked worktree its <c>commondir</c>.</summary>
    public static string CommonDir(IFileSystem files, string gitDir)
    {
        try
        {
            var pointer = Path.Combine(gitDir, "commondir");
            if (!files.FileExists(pointer)) return gitDir;
            return Path.GetFullPath(files.ReadAllText(pointer).Trim(), gitDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return gitDir;
        }
    }

    public static string ScopeName(ConfigLevel level) => level switch
    {
        ConfigLevel.System => "system",
        ConfigLevel.Global => "global",
        ConfigLevel.Local => "local",
        ConfigLevel.Worktree => "worktree",
        ConfigLevel.Command => "command",
        _ => "unknown",
    };

    public static ConfigLevel LevelOf(string scope) => scope switch
    {
        "system" => ConfigLevel.System,
        "global" => ConfigLevel.Global,
        "local" => ConfigLevel.Local,
        "worktree" => ConfigLevel.Worktree,
        "command" => ConfigLevel.Command,
        _ => ConfigLevel.Unknown,
    };

    /// <summary>A key as git lists it: section and name lower-cased, the subsection as given; null when it has no section or name.</summary>
    public static string? Normalize(string key)
    {
        if (Split(key) is not var (section, sub, name)) return null;
        return sub is null ? $"{section}.{name}" : $"{section}.{sub}.{name}";
    }

    /// <summary>The longest matching prefix wins; null when none matches.</summary>
    private static string? Rewrite(string url, List<(string Prefix, string Base)> rules)
    {
        (string Prefix, string Base)? best = null;
        foreach (var rule in rules)
        {
            if (rule.Prefix.Length > 0 && url.StartsWith(rule.Prefix, StringComparison.Ordinal)
                && (best is null || rule.Prefix.Length > best.Value.Prefix.Length))
            {
                best = rule;
            }
        }
        return best is { } b ? b.Base + url[b.Prefix.Length..] : null;
    }

    private static (string Section, string? Subsection, string Name)? Split(string key)
    {
        var first = key.IndexOf('.');
        var last = key.LastIndexOf('.');
        if (first <= 0 || last == key.Length - 1) return null;
        var section = key[..first].ToLowerInvariant();
        var name = key[(last + 1)..].ToLowerInvariant();
        var sub = first == last ? null : key[(first + 1)..last];
        return (section, sub, name);
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
    private static bool GitHasUsrPrefix(IFileSystem files, string? path)
    {
        if (path is null) return false;
        foreach (var dir in path.Split(':'))
        {
            if (dir.Length == 0) continue;
            if (!files.FileExists(Path.Combine(dir, "git"))) continue;
            return UsrPrefixGitDirs.Contains(dir.TrimEnd('/'));
        }
        return false;
    }

    private static string Unquote(string quoted)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 1; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '\\' && i + 1 < quoted.Length) { sb.Append(quoted[++i]); continue; }
            if (c == '"') break;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Value(string raw)
    {
        var sb = new System.Text.StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '"') { inQuotes = !inQuotes; continue; }
            if (!inQuotes && c is '#' or ';') break;
            if (c == '\\' && i + 1 < raw.Length)
            {
                var n = raw[++i];
                sb.Append(n switch { 'n' => '\n', 't' => '\t', 'b' => '\b', _ => n });
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().Trim();
    }
}

/// <summary>git could not list the repository's configuration (a broken config file, git missing or hung): what it said, credential-free.</summary>
public sealed class GitConfigUnreadableException(string detail) : Exception(detail);
