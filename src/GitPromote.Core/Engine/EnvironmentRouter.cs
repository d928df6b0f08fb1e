using GitPromote.Core.Policy;
using GitPromote.Core.Push;

namespace GitPromote.Core.Engine;

/// <summary>Maps a push's remote (name and URL) and refs onto the policy.</summary>
public static class EnvironmentRouter
{
    /// <summary>
    /// The environment a remote deploys to. A <c>remotes:</c> entry that looks like a URL or contains a glob
    /// is matched against the URL (credentials removed); any other entry is a remote name. When several
    /// environments match, the one furthest along the path wins: an ambiguous remote gets the stricter gate.
    /// </summary>
    public static EnvironmentPolicy? Resolve(PromotionPolicy policy, string remoteName, string remoteUrl)
    {
        var url = RemoteUrls.Redact(remoteUrl);
        EnvironmentPolicy? found = null;
        foreach (var env in policy.Environments)
        {
            foreach (var entry in env.Remotes)
            {
                var matches = IsUrlPattern(entry)
                    ? Glob.IsMatch(entry, url) || Glob.IsMatch(entry, remoteName)
                    : string.Equals(entry, remoteName, StringComparison.Ordinal);
                if (matches) found = env;
            }
        }
        return found;
    }

    /// <summary>Remote names of an environment (entries that are not URL patterns), in policy order.</summary>
    public static IEnumerable<string> RemoteNames(EnvironmentPolicy env) => env.Remotes.Where(r => !IsUrlPattern(r));

    public static bool IsUrlPattern(string entry) => entry.IndexOfAny(['/', ':', '*', '?', '@', '\\', '[']) >= 0;

    /// <summary>
    /// The updates of a push that move one of the policy's deploy branches: what the gate judges (every other ref goes
    /// through unjudged). The one test of a push's refs: the engine plans with it, the pushed ids are peeled by it, and
    /// the hooks ask it (through the gate) before anything else.
    /// </summary>
    public static IEnumerable<RefUpdate> DeployUpdates(PromotionPolicy policy, IEnumerable<RefUpdate> updates) =>
        OnDeployBranches(policy, updates, u => u.RemoteRef);

    /// <summary>The refs of <paramref name="refs"/> (named by <paramref name="refName"/>) that are deploy branches: prune's heads of a remote.</summary>
    public static IEnumerable<T> OnDeployBranches<T>(PromotionPolicy policy, IEnumerable<T> refs, Func<T, string> refName) =>
        refs.Where(r => IsDeployBranch(policy, refName(r)));

    /// <summary>True when <paramref name="refName"/> is one of the policy's deploy branches.</summary>
    public static bool IsDeployBranch(PromotionPolicy policy, string refName)
    {
        foreach (var branch in policy.Branches)
        {
            var full = branch.StartsWith("refs/", StringComparison.Ordinal) ? branch : "refs/heads/" + branch;
            if (Glob.IsMatch(full, refName)) return true;
        }
        return false;
    }
}

/// <summary>Shell-style globs: <c>*</c> any run of characters, <c>?</c> one character. Linear time, no regex.</summary>
public static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>Remote URLs as they may be shown: never with the credentials some URLs carry.</summary>
public static class RemoteUrls
{
    /// <summary>
    /// One spelling for every way of naming the same repository, for comparing URLs (never for showing or using them):
    /// <c>file://</c> becomes a path; relative paths are made absolute against <paramref name="baseDirectory"/> (where git
    /// resolves them: the top of the work tree); scheme and host are lower-cased and credentials dropped; scp-like
    /// <c>host:path</c> becomes <c>ssh://host/path</c>; a trailing '/', '/.git' or '.git' goes (git finds a repository
    /// either way). <c>insteadOf</c> rewriting is git's, and already applied to what git hands the hook and to remotes.
    /// </summary>
    public static string Canonical(string url, string baseDirectory)
    {
        var u = url.Trim();
        string result;
        if (u.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = u["file://".Length..];
            var slash = rest.IndexOf('/');
            // file://localhost/x and file:///x are the same path; git also accepts an unescaped path here.
            rest = slash < 0 ? "/" : rest[slash..];
            result = LocalPath(Uri.UnescapeDataString(rest), baseDirectory);
        }
        else if (u.IndexOf("://", StringComparison.Ordinal) is var scheme and > 0)
        {
            var hostStart = scheme + 3;
            var pathStart = u.IndexOf('/', hostStart);
            var authority = pathStart < 0 ? u[hostStart..] : u[hostStart..pathStart];
            var schemeName = u[..scheme].ToLowerInvariant();
            // git-remote-codecommit's codecommit://[profile@]repo: the profile is the account, not a credential, and
            // repository names are case-sensitive. Every other scheme: user and password say nothing about the repository.
            if (!IsCodeCommitHelper(schemeName))
                authority = authority[(authority.LastIndexOf('@') + 1)..].ToLowerInvariant();
            result = schemeName + "://" + authority + (pathStart < 0 ? "/" : u[pathStart..]);
        }
        else if (IsScpLike(u))
        {
            var colon = u.IndexOf(':');
            var host = u[..colon];
            host = host[(host.LastIndexOf('@') + 1)..];
            var path = u[(colon + 1)..];
            result = "ssh://" + host.ToLowerInvariant() + (path.StartsWith('/') ? path : "/" + path);
        }
        else
        {
            result = LocalPath(u, baseDirectory);
        }
        while (result.Length > 1 && (result.EndsWith('/') || result.EndsWith('\\'))) result = result[..^1];
        if (result.EndsWith("/.git", StringComparison.Ordinal)) result = result[..^5];
        else if (result.EndsWith(".git", StringComparison.Ordinal)) result = result[..^4];
        return result;
    }

    /// <summary><c>codecommit</c> or <c>codecommit::&lt;region&gt;</c>: git-remote-codecommit's scheme.</summary>
    public static bool IsCodeCommitHelper(string scheme) =>
        scheme.Equals("codecommit", StringComparison.OrdinalIgnoreCase) || scheme.StartsWith("codecommit::", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The parts of a git-remote-codecommit URL (<c>codecommit://[profile@]repo</c>, <c>codecommit::region://[profile@]repo</c>);
    /// null for any other URL.
    /// </summary>
    public static CodeCommitParts? CodeCommit(string url)
    {
        var u = url.Trim();
        var scheme = u.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0 || !IsCodeCommitHelper(u[..scheme])) return null;
        var region = u[..scheme].Length > "codecommit::".Length ? u["codecommit::".Length..scheme] : null;
        var rest = u[(scheme + 3)..].TrimEnd('/');
        var at = rest.LastIndexOf('@');
        var profile = at > 0 ? rest[..at] : null;
        var repository = rest[(at + 1)..];
        return repository.Length == 0 ? null : new CodeCommitParts(region, profile, repository);
    }

    /// <summary>git's rule: a colon before any slash makes <c>[user@]host:path</c> an ssh URL (not a Windows drive letter).</summary>
    private static bool IsScpLike(string url)
    {
        var colon = url.IndexOf(':');
        if (colon <= 0) return false;
        var slash = url.IndexOfAny(['/', '\\']);
        if (slash >= 0 && slash < colon) return false;
        return !(colon == 1 && char.IsLetter(url[0]) && OperatingSystem.IsWindows());
    }

    private static string LocalPath(string path, string baseDirectory)
    {
        try { return Path.GetFullPath(path, baseDirectory); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return path; }
    }

    public static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return url;
        var hostStart = scheme + 3;
        var pathStart = url.IndexOf('/', hostStart);
        var authority = pathStart < 0 ? url[hostStart..] : url[hostStart..pathStart];
        var at = authority.LastIndexOf('@');
        if (at < 0) return url;
        var userInfo = authority[..at];
        var colon = userInfo.IndexOf(':');
        // Keep a bare user name (ssh://git@host) but drop anything that may be a password or token.
        var keptUser = colon < 0 && !url.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? userInfo + "@" : "";
        return url[..hostStart] + keptUser + authority[(at + 1)..] + (pathStart < 0 ? "" : url[pathStart..]);
    }
}

/// <summary>A git-remote-codecommit URL's region (null: the profile's), profile (null: the default) and repository.</summary>
public sealed record CodeCommitParts(string? Region, string? Profile, string Repository);
