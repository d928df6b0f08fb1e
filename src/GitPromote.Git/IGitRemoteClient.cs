namespace GitPromote.Git;

/// <summary>
/// Talks to remotes. Always the git CLI, so the user's credential helpers, ssh config, proxies and
/// <c>insteadOf</c> rules apply exactly as for their own pushes. Never prompts; every call has a deadline.
/// </summary>
public interface IGitRemoteClient
{
    /// <summary><c>git ls-remote</c>: refs of <paramref name="remote"/> (a remote name or URL) under the given prefixes.</summary>
    Task<IReadOnlyList<RemoteRef>> ListRefsAsync(string remote, IReadOnlyList<string> refPrefixes, CancellationToken cancellationToken);

    /// <summary><c>git push --no-verify --atomic</c> of <paramref name="refspecs"/>; throws <see cref="GitCommandException"/> on failure.</summary>
    Task PushAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken);

    /// <summary>
    /// One atomic <c>git push</c> deleting <paramref name="refs"/>, each only if it still holds the id it was seen with
    /// (<c>--force-with-lease</c>); throws <see cref="GitCommandException"/> when any was refused or had changed.
    /// </summary>
    Task DeleteRefsAsync(string remote, IReadOnlyList<(string Ref, string Expected)> refs, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this remote client cannot delete refs");

    /// <summary><c>git fetch --no-tags</c> of <paramref name="refspecs"/> into the local repository.</summary>
    Task FetchAsync(string remote, IReadOnlyList<string> refspecs, CancellationToken cancellationToken);

    /// <summary>As the other overload; with <paramref name="prune"/>, local refs under the refspecs' destinations that the remote no longer has are
    /// deleted.</summary>
    Task FetchAsync(string remote, IReadOnlyList<string> refspecs, bool prune, CancellationToken cancellationToken) =>
        FetchAsync(remote, refspecs, cancellationToken);
}

public sealed class GitCommandException(string message, int exitCode, string stderr) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public string StandardError { get; } = stderr;
}
