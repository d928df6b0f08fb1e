using GitPromote.Core.Policy;

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
