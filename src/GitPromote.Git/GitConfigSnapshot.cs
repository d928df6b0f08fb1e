using GitPromote.Core;

namespace GitPromote.Git;

/// <summary>
/// A repository's remotes without opening it (no libgit2 load): what an unguarded push needs to tell whether its URL is
/// another spelling of a guarded environment's repository.
/// </summary>
public static class RepositoryRemotes
{
    public static IReadOnlyList<GitRemote> Read(string gitDir) => GitConfigSnapshot.Load(GitProcess.Default, gitDir, TimeSpan.FromSeconds(60)).Remotes();
}

/// <summary>
/// The effective configuration as <c>git config --list -z</c> prints it (all levels, includes and <c>-c</c> applied, in
/// git's order so the last value wins), with the remotes it defines.
/// </summary>
internal sealed class GitConfigSnapshot
{
    private readonly List<KeyValuePair<string, string?>> _entries;

    private GitConfigSnapshot(List<KeyValuePair<string, string?>> entries) => _entries = entries;

    /// <summary>
    /// The repository's effective configuration: from git's files when <see cref="GitConfigFiles"/> can be sure, else from
    /// one <c>git config --list -z</c>. git, not libgit2, because git also
    /// honours GIT_CONFIG_GLOBAL/NOSYSTEM/PARAMETERS, includeIf, and reads the global config under Native AOT (where
    /// LibGit2Sharp's config search paths come back empty). Empty when git cannot read it.
    /// </summary>
    public static GitConfigSnapshot Load(GitProcess git, string gitDir, TimeSpan timeout)
    {
        // The same answer without a process where git's files say it all (most clones): a hook's remotes cost nothing.
        if (GitConfigFiles.TryRead(GitConfigFiles.CommonDir(gitDir), new GitChildEnvironment(git)) is { } files)
            return new GitConfigSnapshot(files.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)).ToList());
        using var deadline = new CancellationTokenSource(timeout);
        var result = git.Run(gitDir, ["--git-dir=" + gitDir, "config", "--list", "-z"], null, deadline.Token);
        return Parse(result.Succeeded ? result.StdoutText : "");
    }

    /// <summary>Parses <c>key\nvalue\0</c> records (a key alone, <c>key\0</c>, has no value: boolean true).</summary>
    public static GitConfigSnapshot Parse(string listZ)
    {
        var entries = new List<KeyValuePair<string, string?>>();
        foreach (var record in listZ.Split('\0'))
        {
            if (record.Length == 0) continue;
            var nl = record.IndexOf('\n');
            entries.Add(nl < 0 ? new(record, null) : new(record[..nl], record[(nl + 1)..]));
        }
        return new GitConfigSnapshot(entries);
    }

    /// <summary>The last value of <paramref name="key"/>, matched as git does (section and name without case, subsection exactly).</summary>
    public string? Get(string key)
    {
        var normalized = Normalize(key);
        if (normalized is null) return null;
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, normalized, StringComparison.Ordinal)) return _entries[i].Value ?? "true";
        }
        return null;
    }

    /// <summary>Remotes in the order their first <c>remote.&lt;name&gt;.url</c> appears, with <c>insteadOf</c>/<c>pushInsteadOf</c> applied as git applies them.</summary>
    public IReadOnlyList<GitRemote> Remotes()
    {
        var order = new List<string>();
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        var pushUrls = new Dictionary<string, string>(StringComparer.Ordinal);
        var insteadOf = new List<(string Prefix, string Base)>();
        var pushInsteadOf = new List<(string Prefix, string Base)>();
        foreach (var (key, value) in _entries)
        {
            if (value is null) continue;
            if (Split(key) is not var (section, sub, name) || sub is null) continue;
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

    internal static string? Normalize(string key)
    {
        if (Split(key) is not var (section, sub, name)) return null;
        return sub is null ? $"{section}.{name}" : $"{section}.{sub}.{name}";
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

    /// <summary>The environment a git child of <paramref name="git"/> sees: its own variables over this process's.</summary>
    private sealed class GitChildEnvironment(GitProcess git) : IProcessEnvironment
    {
        public string? Get(string name) => git.Environment.TryGetValue(name, out var v) ? v : SystemEnvironment.Instance.Get(name);

        public string CurrentDirectory => SystemEnvironment.Instance.CurrentDirectory;
    }
}
