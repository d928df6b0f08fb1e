using GitPromote.Core.Evidence;

namespace GitPromote.Git;

/// <summary>
/// The version <c>git --version</c> reports ("git version 2.39.5", "2.39.3 (Apple Git-145)", "2.45.1.windows.1"), and the
/// oldest git git-promote supports: 2.29, for <c>git fetch --no-write-fetch-head</c> (older: the evidence in git cannot be
/// fetched) and <c>git config --show-scope</c> (2.26; older: config levels read as unknown).
/// </summary>
public sealed record GitVersion(int Major, int Minor)
{
    public static GitVersion MinimumSupported { get; } = new(2, 29);

    public bool IsOlderThan(GitVersion other) => Major != other.Major ? Major < other.Major : Minor < other.Minor;

    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>The version in <c>git --version</c>'s output; null when it names none.</summary>
    public static GitVersion? Parse(string output)
    {
        const string prefix = "git version ";
        var line = output.Trim();
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var parts = line[prefix.Length..].Split('.', 3);
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            ? new GitVersion(major, minor)
            : null;
    }

    /// <summary>The version of <paramref name="git"/>; null when it cannot be told.</summary>
    public static GitVersion? Of(GitProcess git, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var result = git.Run(null, ["--version"], null, deadline.Token);
            return result.Succeeded ? Parse(result.StdoutText) : null;
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, deadline.Token))
        {
            return null;
        }
    }
}
